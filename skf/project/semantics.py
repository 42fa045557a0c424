"""What expressions mean in the pattern's terms: a setting, a status enum member, a model's
status column, the shared session factory, a logging call, a configured value's source.

Every answer goes through `Resolver.resolve`, so the same question is answered the same way
whether the code writes `settings.X`, `get_settings().X`, `cfg.X` with `cfg` a local holding
settings, or passes the value to a helper whose parameter is then used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import libcst as cst

from skf.config import Layout
from skf.errors import UsageError
from skf.project.literals import NOT_LITERAL, literal_value
from skf.project.models import ColumnInfo, EnumInfo, ModelInfo, ModelReader
from skf.project.resolve import Definition, Frame, Resolved, Resolver
from skf.project.source import SourceFile

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
_LOGGER_NAME = re.compile(r"^_*(log|logger|LOG|LOGGER|log_|logger_\w*|\w*_logger|\w*_log)$", re.I)
_LOGGER_FACTORIES = ("getLogger", "get_logger", "getChild")
SQLALCHEMY_SESSIONS = frozenset(
    {
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.sessionmaker",
        "sqlalchemy.orm.session.Session",
    }
)


@dataclass(frozen=True)
class MemberRef:
    enum: EnumInfo
    member: str
    node: cst.Attribute
    """The `Enum.Member` expression where it is written."""
    source: SourceFile

    @property
    def exists(self) -> bool:
        return self.member in self.enum.members

    @property
    def value(self) -> str:
        value = self.enum.members.get(self.member)
        return self.member if value is None else str(value)


@dataclass(frozen=True)
class ColumnRef:
    model: ModelInfo
    column: ColumnInfo
    attribute: str


ValueKind = Literal["setting", "literal", "variable", "other", "missing"]


@dataclass(frozen=True)
class ValueSource:
    """Where a configured value (interval, batch size, ...) comes from."""

    kind: ValueKind
    setting: str | None = None
    value: Any = NOT_LITERAL
    variable: str | None = None
    """The variable (local or module constant) that holds the literal."""
    node: cst.BaseExpression | None = None
    """The literal or setting expression that gives the value."""
    source: SourceFile | None = None
    origin: cst.BaseExpression | None = None
    """The expression as written where the value is used."""
    origin_source: SourceFile | None = None

    def describe(self) -> str:
        if self.kind == "literal":
            return f"the literal {self.value!r}"
        if self.kind == "variable":
            return f"the literal {self.value!r} (through `{self.variable}`)"
        if self.kind == "setting":
            return f"setting {self.setting}"
        return "computed"


@dataclass(frozen=True)
class LogCall:
    level: str
    traceback: bool


class Semantics:
    def __init__(self, layout: Layout, resolver: Resolver, models: ModelReader) -> None:
        self.layout = layout
        self.resolver = resolver
        self.models = models
        self.settings_instance = f"{layout.settings_import}.{layout.settings_instance}"
        self.settings_class = f"{layout.settings_import}.{layout.settings_class}"
        self.session_factory = f"{layout.session_import}.{layout.session_factory}"
        self.shared_scheduler = f"{layout.scheduler_import}.{layout.scheduler_name}"
        self._enums: dict[str, EnumInfo | None] = {}
        self._models: dict[str, ModelInfo | None] = {}
        self._settings_getters: dict[str, bool] = {}

    # -- canonical names -----------------------------------------------------------------

    def canonical(self, qualified: str) -> str:
        if "<locals>" in qualified:
            return qualified
        definition = self.resolver.definition(qualified)
        return definition.qualified_name if definition is not None else qualified

    def refers_to(self, node: cst.BaseExpression, source: SourceFile, target: str) -> bool:
        return any(q == target or self.canonical(q) == target for q in source.qualified_names(node))

    # -- settings ------------------------------------------------------------------------

    def setting(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> str | None:
        """`X` when `node` reads setting X (`settings.X`, `get_settings().X`, ...)."""
        if not isinstance(node, cst.Attribute):
            return None
        name = node.attr.value
        for qualified in source.qualified_names(node):
            prefix, _, attribute = qualified.rpartition(".")
            if attribute == name and prefix == self.settings_instance:
                return name
        return name if self.is_settings_object(node.value, source, frame) else None

    def is_settings_object(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> bool:
        resolved = self.resolver.resolve(node, source, frame)
        for qualified in resolved.qualified_names():
            if self.canonical(qualified) == self.settings_instance:
                return True
        target = resolved.node
        if isinstance(target, cst.Call):
            for qualified in resolved.source.qualified_names(target.func):
                canonical = self.canonical(qualified)
                if canonical == self.settings_class or self._returns_settings(canonical):
                    return True
        return False

    def _returns_settings(self, qualified: str) -> bool:
        """Whether project function `qualified` returns the settings (a cached getter)."""
        known = self._settings_getters.get(qualified)
        if known is not None:
            return known
        self._settings_getters[qualified] = False
        definition = self.resolver.definition(qualified)
        if definition is None or definition.kind != "function":
            return False
        node = definition.node
        assert isinstance(node, cst.FunctionDef)
        answer = False
        if node.returns is not None:
            answer = any(
                self.canonical(q) == self.settings_class
                for q in definition.source.qualified_names(node.returns.annotation)
            )
        if not answer:
            answer = any(
                self.is_settings_object(ret.value, definition.source, None)
                for ret in _returns(node)
                if ret.value is not None
            )
        self._settings_getters[qualified] = answer
        return answer

    # -- enums, members, models ----------------------------------------------------------

    def enum(self, qualified: str) -> EnumInfo | None:
        if qualified not in self._enums:
            canonical = self.canonical(qualified)
            self._enums[qualified] = self.models.read_enum(canonical) if "." in canonical else None
        return self._enums[qualified]

    def member(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> MemberRef | None:
        """The status enum member `node` evaluates to (through variables and parameters)."""
        resolved = self.resolver.resolve(node, source, frame)
        return self.member_at(resolved.node, resolved.source)

    def member_at(self, node: cst.BaseExpression, source: SourceFile) -> MemberRef | None:
        """`node` written as `Enum.Member` (no variables followed)."""
        if not isinstance(node, cst.Attribute):
            return None
        if isinstance(node.value, cst.Name) and node.value.value == "self":
            return None
        for qualified in sorted(source.qualified_names(node.value)):
            if "<locals>" in qualified:
                continue
            info = self.enum(qualified)
            if info is not None:
                return MemberRef(info, node.attr.value, node, source)
        return None

    def model(self, qualified: str) -> ModelInfo | None:
        if qualified not in self._models:
            canonical = self.canonical(qualified)
            module, _, name = canonical.rpartition(".")
            info: ModelInfo | None = None
            definition = self.resolver.definition(canonical)
            if module and definition is not None and definition.kind == "class":
                try:
                    info = self.models.read_model(module, name)
                except UsageError:
                    info = None
            self._models[qualified] = info
        return self._models[qualified]

    def model_class(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> ModelInfo | None:
        resolved = self.resolver.resolve(node, source, frame)
        if not isinstance(resolved.node, cst.Name | cst.Attribute):
            return None
        for qualified in sorted(resolved.qualified_names()):
            if "<locals>" in qualified:
                continue
            info = self.model(qualified)
            if info is not None and info.columns:
                return info
        return None

    def column(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> ColumnRef | None:
        """`Model.attr` (through variables: `model.status` with `model` bound to a class)."""
        resolved = self.resolver.resolve(node, source, frame)
        target = resolved.node
        if not isinstance(target, cst.Attribute):
            return None
        model = self.model_class(target.value, resolved.source, resolved.frame)
        if model is None:
            return None
        column = model.columns.get(target.attr.value)
        return None if column is None else ColumnRef(model, column, target.attr.value)

    # -- sessions, logging ---------------------------------------------------------------

    def is_shared_session_factory(self, resolved: Resolved) -> bool:
        return any(self.canonical(q) == self.session_factory for q in resolved.qualified_names())

    def function(self, resolved: Resolved) -> Definition | None:
        for qualified in sorted(resolved.qualified_names()):
            if "<locals>" in qualified:
                continue
            found = self.resolver.definition(qualified)
            if found is not None and found.kind == "function":
                return found
        return None

    def log_call(self, call: cst.Call, source: SourceFile, frame: Frame | None) -> LogCall | None:
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in LOG_METHODS:
            return None
        if not self._is_logger(func.value, source, frame):
            return None
        level = func.attr.value
        traceback = level == "exception"
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "exc_info":
                traceback = literal_value(arg.value) not in (False, None, 0)
            elif arg.keyword is None and _mentions_format_exc(arg.value, source):
                traceback = True
        return LogCall(level, traceback)

    def _is_logger(self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None) -> bool:
        qualified = source.qualified_names(node)
        if "logging" in qualified or any(q.startswith(("structlog", "loguru")) for q in qualified):
            return True
        if isinstance(node, cst.Name) and _LOGGER_NAME.match(node.value):
            return True
        if isinstance(node, cst.Attribute) and _LOGGER_NAME.match(node.attr.value):
            return True
        resolved = self.resolver.resolve(node, source, frame)
        if isinstance(resolved.node, cst.Call):
            callee = resolved.source.qualified_names(resolved.node.func)
            return any(q.endswith(_LOGGER_FACTORIES) for q in callee)
        return False

    # -- configured values ---------------------------------------------------------------

    def value_source(
        self, node: cst.BaseExpression | None, source: SourceFile, frame: Frame | None
    ) -> ValueSource:
        if node is None:
            return ValueSource("missing")
        resolved = self.resolver.resolve(node, source, frame)
        setting = self.setting(resolved.node, resolved.source, resolved.frame)
        if setting is None and resolved.node is not node:
            setting = self.setting(node, source, frame)
        if setting is not None:
            return ValueSource(
                "setting",
                setting,
                node=resolved.node,
                source=resolved.source,
                origin=node,
                origin_source=source,
            )
        value = literal_value(resolved.node)
        if value is not NOT_LITERAL:
            kind: ValueKind = "variable" if resolved.via else "literal"
            return ValueSource(
                kind,
                value=value,
                variable=resolved.via[-1] if resolved.via else None,
                node=resolved.node,
                source=resolved.source,
                origin=node,
                origin_source=source,
            )
        if self._mentions_setting(resolved.node, resolved.source, resolved.frame):
            return ValueSource(
                "setting",
                node=resolved.node,
                source=resolved.source,
                origin=node,
                origin_source=source,
            )
        return ValueSource(
            "other", node=resolved.node, source=resolved.source, origin=node, origin_source=source
        )

    def _mentions_setting(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> bool:
        """An expression computed from a setting (`settings.X_MINUTES * 60`) is configured."""
        found = False
        semantics = self

        class Finder(cst.CSTVisitor):
            def visit_Attribute(self, attribute: cst.Attribute) -> bool:
                nonlocal found
                if semantics.setting(attribute, source, frame) is not None:
                    found = True
                return not found

            def visit_Name(self, name: cst.Name) -> None:
                nonlocal found
                if found:
                    return
                resolved = semantics.resolver.resolve(name, source, frame)
                if resolved.node is not name and semantics.setting(
                    resolved.node, resolved.source, resolved.frame
                ):
                    found = True

        node.visit(Finder())
        return found

    def settings_read(
        self, root: cst.CSTNode, source: SourceFile
    ) -> list[tuple[str, cst.Attribute]]:
        """Every setting read anywhere under `root` (no frames: names as written)."""
        found: list[tuple[str, cst.Attribute]] = []
        semantics = self

        class Finder(cst.CSTVisitor):
            def visit_Attribute(self, attribute: cst.Attribute) -> None:
                name = semantics.setting(attribute, source, None)
                if name is not None:
                    found.append((name, attribute))

        root.visit(Finder())
        return found


def _returns(function: cst.FunctionDef) -> list[cst.Return]:
    found: list[cst.Return] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

    function.visit(Finder())
    return found


def _mentions_format_exc(node: cst.BaseExpression, source: SourceFile) -> bool:
    if isinstance(node, cst.Call):
        names = source.qualified_names(node.func)
        return bool(names & {"traceback.format_exc", "traceback.format_exception"})
    return False
