"""SQLAlchemy models and Python status enums, read from source (never imported).

skf reads the host's code without running it: importing a host module could connect to a
database, need settings, or simply fail in skf's environment.
"""

import ast
from dataclasses import dataclass, field, replace

import libcst as cst

from skf.errors import UsageError
from skf.project.files import ProjectFiles
from skf.project.source import ParseFailure, SourceFile

ENUM_BASES = frozenset({"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag"})
SA_ENUM = frozenset({"sqlalchemy.Enum", "sqlalchemy.types.Enum", "sqlalchemy.sql.sqltypes.Enum"})
SA_COLUMN = frozenset(
    {
        "sqlalchemy.orm.mapped_column",
        "sqlalchemy.Column",
        "sqlalchemy.schema.Column",
        "sqlalchemy.sql.schema.Column",
    }
)
SA_STRING = frozenset(
    {"sqlalchemy.String", "sqlalchemy.Text", "sqlalchemy.Unicode", "sqlalchemy.VARCHAR"}
)
MAPPED = frozenset({"sqlalchemy.orm.Mapped"})


@dataclass(frozen=True)
class EnumInfo:
    name: str
    qualified_name: str
    path: str
    line: int
    members: dict[str, object]
    """Member name -> value (None when the value is not a literal, e.g. `auto()`)."""

    @property
    def values(self) -> list[str]:
        return [str(v) if v is not None else n for n, v in self.members.items()]

    def member_for_value(self, value: str) -> str | None:
        for name, member_value in self.members.items():
            if member_value == value:
                return name
        return None


@dataclass(frozen=True)
class ColumnInfo:
    attribute: str
    line: int
    enum: EnumInfo | None = None
    enum_expression: str | None = None
    """The enum class as written in the code, e.g. `EmailStatus`."""
    stored_as: str | None = None
    """For an enum column: "values" (values_callable or skf's status_enum) or "names"."""
    native: bool | None = None
    """For an enum column: whether it maps to a native database enum type."""
    type_name: str | None = None
    """For an enum column: the database type name (`name=`)."""
    plain_string: bool = False
    """Mapped as a plain String/Text although the annotation names an enum."""
    primary_key: bool = False
    column_name: str | None = None
    """The database column's name when the mapping gives one (`mapped_column("name", ...)`)."""

    @property
    def sql_name(self) -> str:
        """The column's name in SQL."""
        return self.column_name or self.attribute


@dataclass(frozen=True)
class ModelInfo:
    name: str
    qualified_name: str
    path: str
    line: int
    table: str | None
    columns: dict[str, ColumnInfo] = field(default_factory=dict)

    def status_columns(self) -> dict[str, ColumnInfo]:
        return {name: c for name, c in self.columns.items() if c.enum is not None}


def _literal(node: cst.BaseExpression, source: SourceFile) -> object:
    try:
        return ast.literal_eval(source.code(node))
    except (ValueError, SyntaxError):
        return None


def _call_names(call: cst.Call, source: SourceFile) -> set[str]:
    return source.qualified_names(call.func)


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def _body_statements(node: cst.ClassDef) -> list[cst.BaseSmallStatement]:
    return [
        small
        for statement in node.body.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
    ]


def _imported_as(statement: cst.BaseSmallStatement, name: str, source: SourceFile) -> str | None:
    """The qualified name `statement` imports as `name`, if it does."""
    if not isinstance(statement, cst.ImportFrom) or isinstance(statement.names, cst.ImportStar):
        return None
    module = "" if statement.module is None else source.code(statement.module)
    if statement.relative:
        module = source.resolve_relative("." * len(statement.relative) + module)
    for alias in statement.names:
        bound = alias.evaluated_alias or alias.evaluated_name
        if bound == name:
            return f"{module}.{alias.evaluated_name}"
    return None


def _with_key_and_name(column: ColumnInfo, call: cst.Call, source: SourceFile) -> ColumnInfo:
    """`column` with what the mapping says about its primary key and its SQL name."""
    primary_key = _keyword(call, "primary_key")
    first = call.args[0].value if call.args and call.args[0].keyword is None else None
    name = _literal(first, source) if isinstance(first, cst.SimpleString) else None
    return replace(
        column,
        primary_key=primary_key is not None and _literal(primary_key.value, source) is True,
        column_name=name if isinstance(name, str) else None,
    )


class ModelReader:
    """Finds model classes and enums by qualified name in the project's source."""

    def __init__(self, files: ProjectFiles, runtime_module: str) -> None:
        self.files = files
        self.status_enum_helper = f"{runtime_module}.status_enum"

    def _class(self, qualified: str) -> tuple[SourceFile, cst.ClassDef] | None:
        module_name, _, class_name = qualified.rpartition(".")
        source = self.files.module(module_name)
        if source is None:
            return None
        try:
            body = source.module.body
        except ParseFailure:
            return None
        for statement in body:
            if isinstance(statement, cst.ClassDef) and statement.name.value == class_name:
                return source, statement
        # Re-exported (`from src.models.domain import Domain` in a package __init__).
        for statement in body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target = _imported_as(small, class_name, source)
                if target is not None and target != qualified:
                    return self._class(target)
        return None

    def read_enum(self, qualified: str) -> EnumInfo | None:
        found = self._class(qualified)
        if found is None:
            return None
        source, node = found
        bases = (
            set().union(*(source.qualified_names(b.value) for b in node.bases))
            if node.bases
            else set()
        )
        if not bases & ENUM_BASES:
            return None
        members: dict[str, object] = {}
        for statement in node.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                    and not small.targets[0].target.value.startswith("_")
                ):
                    members[small.targets[0].target.value] = _literal(small.value, source)
        return EnumInfo(node.name.value, qualified, source.path, source.line_of(node), members)

    def read_model(self, module_name: str, class_name: str) -> ModelInfo:
        """The model `module_name:class_name`; UsageError when it does not exist."""
        qualified = f"{module_name}.{class_name}"
        found = self._class(qualified)
        if found is None:
            raise UsageError(f"model {module_name}:{class_name} not found in the project")
        source, node = found
        table: str | None = None
        columns: dict[str, ColumnInfo] = {}
        for small in _body_statements(node):
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
                annotation = None
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                target, value, annotation = small.target, small.value, small.annotation
            else:
                continue
            if not isinstance(target, cst.Name):
                continue
            if target.value == "__tablename__":
                literal = _literal(value, source)
                table = literal if isinstance(literal, str) else None
            elif isinstance(value, cst.Call) and _call_names(value, source) & SA_COLUMN:
                column = self._column(source, target.value, annotation, value)
                columns[target.value] = _with_key_and_name(column, value, source)
        return ModelInfo(
            class_name,
            f"{source.module_name}.{class_name}",
            source.path,
            source.line_of(node),
            table,
            columns,
        )

    def _column(
        self,
        source: SourceFile,
        attribute: str,
        annotation: cst.Annotation | None,
        call: cst.Call,
    ) -> ColumnInfo:
        line = source.line_of(call)
        annotated = self._annotated_enum(source, annotation)
        type_expression = next(
            (
                arg.value
                for arg in call.args
                if arg.keyword is None and not isinstance(arg.value, cst.SimpleString)
            ),
            None,
        )
        if type_expression is None:
            if annotated is None:
                return ColumnInfo(attribute, line)
            # `Mapped[MyEnum]` with no explicit type: SQLAlchemy stores member NAMES in a
            # native enum type named after the class, lowercased.
            enum_info, written = annotated
            return ColumnInfo(
                attribute, line, enum_info, written, "names", True, enum_info.name.lower()
            )
        callee = type_expression.func if isinstance(type_expression, cst.Call) else type_expression
        names = source.qualified_names(callee)
        if isinstance(type_expression, cst.Call) and (
            self.status_enum_helper in names or names & SA_ENUM
        ):
            return self._enum_column(source, attribute, line, type_expression, names)
        if names & SA_STRING and annotated is not None:
            return ColumnInfo(attribute, line, annotated[0], annotated[1], plain_string=True)
        return ColumnInfo(attribute, line)

    def _annotated_enum(
        self, source: SourceFile, annotation: cst.Annotation | None
    ) -> tuple[EnumInfo, str] | None:
        if annotation is None or not isinstance(annotation.annotation, cst.Subscript):
            return None
        subscript = annotation.annotation
        if not source.qualified_names(subscript.value) & MAPPED:
            return None
        for element in subscript.slice:
            inner = element.slice
            if not isinstance(inner, cst.Index):
                continue
            candidates: list[cst.BaseExpression] = [inner.value]
            if isinstance(inner.value, cst.BinaryOperation):  # Optional: `MyEnum | None`
                candidates = [inner.value.left, inner.value.right]
            for candidate in candidates:
                for qualified in source.qualified_names(candidate):
                    enum_info = self.read_enum(qualified)
                    if enum_info is not None:
                        return enum_info, source.code(candidate)
        return None

    def _enum_column(
        self, source: SourceFile, attribute: str, line: int, call: cst.Call, names: set[str]
    ) -> ColumnInfo:
        enum_info: EnumInfo | None = None
        written: str | None = None
        positional = [a for a in call.args if a.keyword is None]
        if positional:
            written = source.code(positional[0].value)
            for qualified in source.qualified_names(positional[0].value):
                enum_info = enum_info or self.read_enum(qualified)
        if self.status_enum_helper in names:
            type_name = _literal(positional[1].value, source) if len(positional) > 1 else None
            return ColumnInfo(
                attribute,
                line,
                enum_info,
                written,
                "values",
                True,
                type_name if isinstance(type_name, str) else None,
            )
        stored = "values" if _keyword(call, "values_callable") is not None else "names"
        native_arg = _keyword(call, "native_enum")
        native = True if native_arg is None else _literal(native_arg.value, source) is not False
        name_arg = _keyword(call, "name")
        type_name = _literal(name_arg.value, source) if name_arg is not None else None
        if type_name is None and enum_info is not None:
            type_name = enum_info.name.lower()
        return ColumnInfo(
            attribute,
            line,
            enum_info,
            written,
            stored,
            native,
            type_name if isinstance(type_name, str) else None,
        )


DECLARATIVE_BASES = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
    }
)
DECLARATIVE_FACTORIES = frozenset(
    {"sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base"}
)


@dataclass(frozen=True)
class DeclarativeBaseInfo:
    module: str
    """Import name of the module that defines it."""
    name: str
    path: str


def find_declarative_base(files: ProjectFiles, package_dir: str) -> DeclarativeBaseInfo | None:
    """The SQLAlchemy declarative base defined under `package_dir` (the models package):
    a `DeclarativeBase` subclass or a `declarative_base()` result."""
    prefix = package_dir.rstrip("/") + "/" if package_dir else ""
    for path in files.python_files():
        if not path.startswith(prefix):
            continue
        source = files.source(path)
        if "eclarative" not in source.text:  # cheap prefilter before parsing
            continue
        try:
            body = source.module.body
        except ParseFailure:
            continue
        for statement in body:
            name = _declarative_name(statement, source)
            if name is not None:
                return DeclarativeBaseInfo(source.module_name, name, path)
    return None


def _declarative_name(statement: cst.CSTNode, source: SourceFile) -> str | None:
    if isinstance(statement, cst.ClassDef):
        for base in statement.bases:
            if source.qualified_names(base.value) & DECLARATIVE_BASES:
                return statement.name.value
        return None
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    for small in statement.body:
        if (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, cst.Call)
            and source.qualified_names(small.value.func) & DECLARATIVE_FACTORIES
        ):
            return small.targets[0].target.value
    return None
