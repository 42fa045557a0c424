"""Add a service's fields to the host's Settings class (libcst).

Anchor: the class `layout.settings_class` in `layout.settings_module`, and the instance
`layout.settings_instance` the services import. The fields go after the class's last field,
under a `# <service> background service` comment, each with its pydantic type (imported from
pydantic unless the module already binds it, under whatever name) and its validated default.
Fields that already exist are left as they are: applying twice changes nothing; when some of
the fields exist, the missing ones go after the last of them (a newer template version's
setting joins its service's group).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import libcst as cst

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate import imports, pyfile

PYDANTIC_TYPES = frozenset(
    {"PositiveInt", "PositiveFloat", "NonNegativeInt", "NonNegativeFloat", "SecretStr"}
)


@dataclass(frozen=True)
class SettingsField:
    name: str
    annotation: str
    """`PositiveInt` (a pydantic type) or a builtin (`bool`, `str`, `int`, `float`)."""
    default: object


def env_prefix(node: cst.ClassDef) -> str:
    """The literal `env_prefix` of `model_config = SettingsConfigDict(...)`, if any."""
    for statement in node.body.body:
        if "model_config" not in pyfile.assigned_names(statement):
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body:
            value = getattr(small, "value", None)
            if isinstance(value, cst.Call):
                for arg in value.args:
                    if (
                        arg.keyword is not None
                        and arg.keyword.value == "env_prefix"
                        and isinstance(arg.value, cst.SimpleString)
                    ):
                        prefix = arg.value.evaluated_value
                        return prefix if isinstance(prefix, str) else ""
    return ""


def add_settings_fields(
    changes: ChangeSet,
    *,
    path: str,
    module_name: str,
    class_name: str,
    instance: str,
    fields: Sequence[SettingsField],
    comment: str,
) -> str:
    """Add `fields` to the class; returns the class's env prefix (for the env var names)."""
    source = pyfile.read_source(changes, path, module_name, "settings module")
    node = pyfile.top_level_class(source.module, class_name)
    if node is None:
        raise ProjectError(
            f"{path}: no class {class_name} (the anchor skf adds the service's settings to)"
        )
    bound = imports.bindings(source)
    if f"{module_name}.{instance}" not in bound and instance not in bound.values():
        raise ProjectError(
            f"{path}: no module-level `{instance}` (the settings instance services import)"
        )
    prefix = env_prefix(node)
    existing = pyfile.class_attributes(node)
    missing = [field for field in fields if field.name not in existing]
    if not missing:
        return prefix
    block = pyfile.indented_body(node, path)
    needs = [
        imports.Need("pydantic", field.annotation)
        for field in missing
        if field.annotation in PYDANTIC_TYPES
    ]
    module, spelled = imports.add_imports(
        source.module, bound, needs, pyfile.own_package(module_name)
    )
    new_statements: list[cst.BaseStatement] = []
    for field in missing:
        annotation = spelled.get(f"pydantic.{field.annotation}", field.annotation)
        code = f"{field.name}: {annotation} = {pyfile.python_literal(field.default)}\n"
        new_statements.append(pyfile.statement(code))
    if len(missing) == len(fields):  # a fresh block: blank line and a heading comment
        first = new_statements[0]
        assert isinstance(first, cst.SimpleStatementLine)
        heading = [cst.EmptyLine(indent=False), cst.EmptyLine(comment=cst.Comment(f"# {comment}"))]
        new_statements[0] = first.with_changes(leading_lines=heading)
    body = list(block.body)
    at = pyfile.after_last_assignment(body)
    present = {field.name for field in fields} - {field.name for field in missing}
    for index, statement in enumerate(body):
        if present & set(pyfile.assigned_names(statement)):
            at = index + 1  # a field added later (`skf update`) joins its group
    body[at:at] = new_statements
    new_class = node.with_changes(body=block.with_changes(body=body))
    patched = module.with_changes(
        body=[new_class if statement is node else statement for statement in module.body]
    )
    changes.write(path, patched.code)
    return prefix


class RemovedFields(NamedTuple):
    names: list[str]
    """The fields removed."""
    env_prefix: str
    """The class's `env_prefix`: their environment variables are `env_prefix + name`."""


def remove_settings_fields(
    changes: ChangeSet, *, path: str, module_name: str, class_name: str, names: Sequence[str]
) -> RemovedFields:
    """Remove fields `names` from the class (with the comment heading their group) and the
    pydantic imports nothing uses any more (`skf remove`)."""
    source = pyfile.read_source(changes, path, module_name, "settings module")
    node = pyfile.top_level_class(source.module, class_name)
    if node is None:
        return RemovedFields([], "")
    module, removed = pyfile.without_class_attributes(source.module, node, set(names), path)
    if removed:
        candidates = {f"pydantic.{name}" for name in PYDANTIC_TYPES}
        module = pyfile.without_unused_imports(path, module_name, module, candidates)
        changes.write(path, module.code)
    return RemovedFields(removed, env_prefix(node))
