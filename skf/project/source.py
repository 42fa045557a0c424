"""One Python source file of the host project: text, syntax tree, and name resolution."""

import ast
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst
from libcst.metadata import (
    MetadataWrapper,
    PositionProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)


class ParseFailure(Exception):
    """The file is not valid Python (reported with its location, never as a traceback)."""

    def __init__(self, path: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.line = line
        self.column = column
        self.message = message


def _python_syntax_error(path: str, text: str) -> ParseFailure | None:
    """Python's own diagnosis of a file libcst rejected: its line and message are the ones
    developers know (libcst's parser reports where it gave up, often a line later)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, path, "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        return ParseFailure(path, max(line, 1), max(column, 1), error.msg)
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


@dataclass
class SourceFile:
    path: str
    """POSIX path relative to the project root."""
    module_name: str
    """Import name (`src.services.email_sender_scheduler`)."""
    text: str
    _names: dict[int, set[str]] = field(default_factory=dict, repr=False)
    failure: ParseFailure | None = field(default=None, repr=False)
    """Set when the file could not even be decoded: `module` raises it."""

    @cached_property
    def module(self) -> cst.Module:
        if self.failure is not None:
            raise self.failure
        if "\0" in self.text:
            line = self.text.count("\n", 0, self.text.index("\0")) + 1
            raise ParseFailure(self.path, line, 1, "source contains a null byte")
        try:
            return cst.parse_module(self.text)
        except cst.ParserSyntaxError as error:
            precise = _python_syntax_error(self.path, self.text)
            raise precise or ParseFailure(
                self.path, max(error.raw_line, 1), error.raw_column + 1, error.message
            ) from None
        except (RecursionError, ValueError) as error:
            raise ParseFailure(self.path, 1, 1, f"cannot parse: {error}") from None

    @cached_property
    def wrapper(self) -> MetadataWrapper:
        # No copy: nodes found by walking `module` are the nodes the metadata describes.
        return MetadataWrapper(self.module, unsafe_skip_copy=True)

    @cached_property
    def _scopes(self) -> Mapping[cst.CSTNode, Scope | None]:
        # Scopes only: qualified names are asked for a few nodes, so computing them per node
        # on demand (what QualifiedNameProvider would do for every node) halves the cost.
        return self.wrapper.resolve(ScopeProvider)

    @cached_property
    def _positions(self) -> dict[cst.CSTNode, object]:
        return dict(self.wrapper.resolve(PositionProvider).items())

    def analyse(self) -> None:
        """Parse and resolve names and positions now; ParseFailure when that is impossible
        (invalid syntax, or nesting too deep for the analysis)."""
        try:
            self._scopes  # noqa: B018
            self._positions  # noqa: B018
        except RecursionError:
            raise ParseFailure(self.path, 1, 1, "too deeply nested to analyse") from None

    @property
    def package(self) -> str:
        is_package = self.path.endswith("/__init__.py") or self.path == "__init__.py"
        return self.module_name if is_package else self.module_name.rpartition(".")[0]

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        """Absolute dotted names `node` refers to, through imports and aliases.

        `sa.select` -> `sqlalchemy.select`; `scheduler as shared` -> `src.scheduler_instance
        .scheduler`; a name defined in this file -> `<this module>.<name>`.
        """
        cached = self._names.get(id(node))
        if cached is not None:
            return set(cached)
        names: set[str] = set()
        scope = self._scopes.get(node)
        if scope is not None:
            for qualified in scope.get_qualified_names_for(node):
                value = qualified.name
                if value.startswith("."):
                    value = self.resolve_relative(value)
                elif qualified.source is QualifiedNameSource.LOCAL:
                    value = f"{self.module_name}.{value}"
                names.add(value)
        self._names[id(node)] = names
        return set(names)

    def resolve_relative(self, relative: str) -> str:
        """`..base.Base` seen from this file -> `src.models.base.Base`."""
        level = len(relative) - len(relative.lstrip("."))
        base = self.package.split(".") if self.package else []
        if level > 1:
            base = base[: len(base) - (level - 1)]
        rest = relative[level:]
        return ".".join([*base, rest]) if rest else ".".join(base)

    def position(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, column, end_line, end_column), 1-based columns."""
        code_range = self._positions[node]
        start, end = code_range.start, code_range.end  # type: ignore[attr-defined]
        return start.line, start.column + 1, end.line, end.column + 1

    def line_of(self, node: cst.CSTNode) -> int:
        return self.position(node)[0]

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)
