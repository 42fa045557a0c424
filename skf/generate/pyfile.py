"""Shared helpers of the patches that edit Python files in a ChangeSet."""

import ast
import json
from collections.abc import Sequence

import libcst as cst

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate import imports
from skf.project.source import ParseFailure, SourceFile

LINE_LENGTH = 100


def read_source(changes: ChangeSet, path: str, module_name: str, what: str) -> SourceFile:
    """The current text of `path` (pending edits included), parsed lazily."""
    text = changes.read(path)
    if text is None:
        raise ProjectError(f"{path}: no such file (the {what}); run `skf init` to add it")
    source = SourceFile(path, module_name, text)
    try:
        source.module  # noqa: B018  (parse now: a syntax error is reported, not patched)
    except ParseFailure as failure:
        raise ProjectError(f"cannot patch {failure}") from None
    return source


def top_level_class(module: cst.Module, name: str) -> cst.ClassDef | None:
    for statement in module.body:
        if isinstance(statement, cst.ClassDef) and statement.name.value == name:
            return statement
    return None


def top_level_function(module: cst.Module, name: str) -> cst.FunctionDef | None:
    for statement in module.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def assigned_names(statement: cst.CSTNode) -> list[str]:
    """Names a simple statement assigns (`x = ...`, `x: T = ...`, `x: T`)."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    found: list[str] = []
    for small in statement.body:
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            found.append(small.target.value)
        elif isinstance(small, cst.Assign):
            found.extend(
                target.target.value
                for target in small.targets
                if isinstance(target.target, cst.Name)
            )
    return found


def class_attributes(node: cst.ClassDef) -> set[str]:
    return {name for statement in node.body.body for name in assigned_names(statement)}


def indented_body(node: cst.ClassDef, path: str) -> cst.IndentedBlock:
    if not isinstance(node.body, cst.IndentedBlock):
        raise ProjectError(
            f"{path}: class {node.name.value} has its body on the class line; "
            "give it an indented body to let skf add to it"
        )
    return node.body


def after_last_assignment(body: Sequence[cst.BaseStatement]) -> int:
    """Where new class attributes go: after the last assignment (fields come before methods)."""
    last = -1
    for index, statement in enumerate(body):
        if assigned_names(statement):
            last = index
    return last + 1


def comment_lines(text: str, indent: int) -> list[cst.EmptyLine]:
    """`text` as `# ...` comment lines, wrapped to fit at `indent` columns (with a margin)."""
    width = LINE_LENGTH - 4 - indent - 2
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) > width and current:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return [cst.EmptyLine(comment=cst.Comment(f"# {line}")) for line in lines]


def call_line(head: str, args: str, column: int, relative: int = 0) -> str:
    """`head(args)` on one line, or with the arguments on their own line (black's layout).

    `column` is where the line starts in the file (for the length); continuation lines are
    indented from `relative`, since libcst indents a parsed statement's continuation lines
    by the block it is inserted into.
    """
    one = f"{head}({args})"
    if column + len(one) <= LINE_LENGTH:
        return one + "\n"
    return f"{head}(\n{' ' * (relative + 4)}{args}\n{' ' * relative})\n"


def block_width(module: cst.Module, block: cst.IndentedBlock) -> int:
    """How many columns `block` (a class body at module level) is indented."""
    return len(block.indent if block.indent is not None else module.default_indent)


def statement(code: str) -> cst.SimpleStatementLine:
    parsed = cst.parse_statement(code)
    assert isinstance(parsed, cst.SimpleStatementLine)
    return parsed


def python_literal(value: object) -> str:
    """A Python literal for a setting default (`60`, `30.0`, `True`, `"text"`)."""
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    if ast.literal_eval(text) != value:
        raise ValueError(f"{value!r} has no literal form")
    return text


def own_package(module_name: str) -> str:
    return module_name.split(".")[0]


def without_class_attributes(
    module: cst.Module, node: cst.ClassDef, names: set[str], path: str
) -> tuple[cst.Module, list[str]]:
    """`module` with the statements of class `node` that assign `names` removed (with their
    leading comment lines); returns it and the names removed."""
    block = indented_body(node, path)
    removed = [name for s in block.body for name in assigned_names(s) if name in names]
    if not removed:
        return module, []
    body = [s for s in block.body if not set(assigned_names(s)) & names]
    if not body:
        body = [statement("pass\n")]
    new_class = node.with_changes(body=block.with_changes(body=body))
    return (
        module.with_changes(body=[new_class if s is node else s for s in module.body]),
        removed,
    )


def without_unused_imports(
    path: str, module_name: str, module: cst.Module, candidates: set[str]
) -> cst.Module:
    """`module` without the imports of `candidates` (qualified names) it no longer uses."""
    source = SourceFile(path, module_name, module.code)
    return imports.remove_imports(source.module, imports.unused_imports(source, candidates))
