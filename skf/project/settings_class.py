"""The host's Settings class (pydantic-settings), read from source: its fields, their
defaults and the environment variables that set them."""

from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from skf.config import Layout
from skf.project.literals import NOT_LITERAL, literal_value, string_value
from skf.project.resolve import Definition, Resolver
from skf.project.source import SourceFile

SETTINGS_BASES = frozenset(
    {
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
        "pydantic.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic.BaseModel",
        "pydantic.main.BaseModel",
    }
)
FIELD_CALLS = frozenset({"pydantic.Field", "pydantic.fields.Field"})
MODEL_ATTRIBUTES = frozenset(
    {"model_config", "model_fields", "model_computed_fields", "dict", "json", "copy", "Config"}
)
"""Attributes every pydantic model has besides its fields (model_* are matched by prefix)."""


@dataclass(frozen=True)
class SettingField:
    name: str
    line: int
    annotation: str | None
    default: Any
    """The literal default, NOT_LITERAL when it is an expression, None-able."""
    has_default: bool
    alias: str | None = None

    @property
    def literal_default(self) -> bool:
        return self.has_default and self.default is not NOT_LITERAL


@dataclass(frozen=True)
class SettingsInfo:
    path: str
    class_name: str
    qualified_name: str
    line: int
    fields: dict[str, SettingField]
    members: frozenset[str]
    """Methods, properties and other class attributes (not settings, but readable)."""
    env_prefix: str = ""
    case_sensitive: bool = False
    complete: bool = True
    """False when a base class outside the project may define more fields."""
    node: cst.ClassDef | None = field(default=None, compare=False, repr=False)

    def defines(self, name: str) -> bool:
        return (
            name in self.fields
            or name in self.members
            or name in MODEL_ATTRIBUTES
            or name.startswith("model_")
            or not self.complete
        )

    def env_name(self, name: str) -> str:
        """The environment variable that sets field `name`."""
        setting = self.fields.get(name)
        if setting is not None and setting.alias:
            return setting.alias
        return f"{self.env_prefix}{name}"

    def env_key(self, env_name: str) -> str:
        """How an environment variable name is compared (pydantic ignores case by default)."""
        return env_name if self.case_sensitive else env_name.upper()


def read_settings(layout: Layout, resolver: Resolver) -> SettingsInfo | None:
    """The Settings class named by the layout; None when the module or class is missing or
    does not parse."""
    definition = resolver.definition(f"{layout.settings_import}.{layout.settings_class}")
    if definition is None or definition.kind != "class":
        return None
    return _read(definition, resolver, set())


def _read(definition: Definition, resolver: Resolver, seen: set[str]) -> SettingsInfo:
    node = definition.node
    assert isinstance(node, cst.ClassDef)
    source = definition.source
    seen.add(definition.qualified_name)
    fields: dict[str, SettingField] = {}
    members: set[str] = set()
    env_prefix = ""
    case_sensitive = False
    complete = True
    for base in node.bases:
        names = source.qualified_names(base.value)
        if names & SETTINGS_BASES:
            continue
        parent = next(
            (
                found
                for qualified in sorted(names)
                if (found := resolver.definition(qualified)) is not None
                and found.kind == "class"
                and found.qualified_name not in seen
            ),
            None,
        )
        if parent is None:
            complete = False
            continue
        inherited = _read(parent, resolver, seen)
        fields.update(inherited.fields)
        members |= inherited.members
        env_prefix = inherited.env_prefix or env_prefix
        case_sensitive = inherited.case_sensitive
        complete = complete and inherited.complete
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef):
            members.add(statement.name.value)
        elif isinstance(statement, cst.ClassDef):
            if statement.name.value == "Config":
                env_prefix, case_sensitive = _v1_config(statement, env_prefix, case_sensitive)
            members.add(statement.name.value)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                env_prefix, case_sensitive = _statement(
                    small, source, fields, members, (env_prefix, case_sensitive)
                )
    return SettingsInfo(
        source.path,
        node.name.value,
        definition.qualified_name,
        source.line_of(node),
        fields,
        frozenset(members),
        env_prefix,
        case_sensitive,
        complete,
        node,
    )


def _statement(
    small: cst.BaseSmallStatement,
    source: SourceFile,
    fields: dict[str, SettingField],
    members: set[str],
    config: tuple[str, bool],
) -> tuple[str, bool]:
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        name = small.target.value
        if name == "model_config":
            return _model_config(small.value, config)
        if name.startswith("_") or _is_classvar(small.annotation, source):
            members.add(name)
            return config
        fields[name] = _field(name, small, source)
    elif isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                if target.target.value == "model_config":
                    return _model_config(small.value, config)
                members.add(target.target.value)
    return config


def _is_classvar(annotation: cst.Annotation, source: SourceFile) -> bool:
    expression = annotation.annotation
    if isinstance(expression, cst.Subscript):
        expression = expression.value
    return bool(source.qualified_names(expression) & {"typing.ClassVar"})


def _field(name: str, node: cst.AnnAssign, source: SourceFile) -> SettingField:
    annotation = source.code(node.annotation.annotation)
    line = source.line_of(node)
    value = node.value
    if value is None:
        return SettingField(name, line, annotation, NOT_LITERAL, False)
    if isinstance(value, cst.Call) and source.qualified_names(value.func) & FIELD_CALLS:
        default: Any = NOT_LITERAL
        has_default = False
        alias: str | None = None
        for arg in value.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is None and not has_default and arg.star == "":
                if not (isinstance(arg.value, cst.Name) and arg.value.value == "Ellipsis"):
                    default, has_default = literal_value(arg.value), True
            elif keyword == "default":
                default, has_default = literal_value(arg.value), True
            elif keyword == "default_factory":
                has_default = True
            elif keyword in {"alias", "validation_alias"}:
                alias = string_value(arg.value) or alias
        if isinstance(default, type(Ellipsis)):
            default, has_default = NOT_LITERAL, False
        return SettingField(name, line, annotation, default, has_default, alias)
    return SettingField(name, line, annotation, literal_value(value), True)


def _model_config(value: cst.BaseExpression | None, config: tuple[str, bool]) -> tuple[str, bool]:
    env_prefix, case_sensitive = config
    if isinstance(value, cst.Call):
        pairs = [(a.keyword.value, a.value) for a in value.args if a.keyword is not None]
    elif isinstance(value, cst.Dict):
        pairs = [
            (key, element.value)
            for element in value.elements
            if isinstance(element, cst.DictElement)
            and (key := string_value(element.key)) is not None
        ]
    else:
        return config
    for key, expression in pairs:
        if key == "env_prefix":
            env_prefix = string_value(expression) or ""
        elif key == "case_sensitive":
            case_sensitive = literal_value(expression) is True
    return env_prefix, case_sensitive


def _v1_config(node: cst.ClassDef, env_prefix: str, case_sensitive: bool) -> tuple[str, bool]:
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                key = small.targets[0].target.value
                if key == "env_prefix":
                    env_prefix = string_value(small.value) or ""
                elif key == "case_sensitive":
                    case_sensitive = literal_value(small.value) is True
    return env_prefix, case_sensitive
