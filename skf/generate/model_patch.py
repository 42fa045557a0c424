"""Edits of the host's model modules (libcst).

- `add_bookkeeping`: an existing model gets the queue bookkeeping columns of the service (its
  own, prefixed by the status column's stem when the column is not `status`: several services
  on one table never share a retry counter) and the two partial indexes the claim and the
  rescue use. Columns and indexes already there are kept; applying twice changes nothing.
- `add_enum_members`: `--add-status` appends members to a status enum.
- `export_model`: a new model is imported (and listed in `__all__`) by the models package,
  like its siblings, so that the metadata knows its table.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate import imports, pyfile
from skf.generate.parenthesized import line_break_comma
from skf.project.source import SourceFile

BOOKKEEPING = (
    "available_at",
    "claim_token",
    "claimed_at",
    "attempts",
    "last_error",
    "completed_at",
)


@dataclass(frozen=True)
class Bookkeeping:
    """What `add_bookkeeping` adds to one model class."""

    class_name: str
    service: str
    prefix: str
    table: str
    runtime_import: str
    runtime_module: str
    status_column_sql: str
    monitored_sql: str
    processing_sql: str
    index_names: tuple[str, str]


_NEEDS = {
    "Mapped": imports.Need("sqlalchemy.orm", "Mapped"),
    "mapped_column": imports.Need("sqlalchemy.orm", "mapped_column"),
    "datetime": imports.Need("datetime", "datetime"),
    "Uuid": imports.Need("sqlalchemy", "Uuid"),
    "Integer": imports.Need("sqlalchemy", "Integer"),
    "Text": imports.Need("sqlalchemy", "Text"),
    "Index": imports.Need("sqlalchemy", "Index"),
    "text": imports.Need("sqlalchemy", "text"),
}


def _column_code(name: str, spelled: dict[str, str]) -> tuple[str, str]:
    """(annotation, mapped_column arguments) of bookkeeping column `name` (unprefixed)."""

    def s(key: str) -> str:
        return spelled[key if "." in key else _NEEDS[key].qualified]

    mapped, moment = s("Mapped"), s("datetime")
    stamp, now = spelled["UtcDateTime"], spelled["utcnow"]
    kinds = {
        "available_at": (f"{mapped}[{moment}]", f"{stamp}, default={now}"),
        "claim_token": (f"{mapped}[{s('uuid.UUID')} | None]", f"{s('Uuid')}, default=None"),
        "claimed_at": (f"{mapped}[{moment} | None]", f"{stamp}, default=None"),
        "attempts": (f"{mapped}[int]", f"{s('Integer')}, default=0"),
        "last_error": (f"{mapped}[str | None]", f"{s('Text')}, default=None"),
        "completed_at": (f"{mapped}[{moment} | None]", f"{stamp}, default=None"),
    }
    return kinds[name]


def _index_code(
    spec: Bookkeeping, which: int, column: int, relative: int, spelled: dict[str, str]
) -> str:
    """An `Index(...)` element starting at `column` in the file, `relative` to its block."""
    index, text = spelled[_NEEDS["Index"].qualified], spelled[_NEEDS["text"].qualified]
    indexed = ("available_at", "claimed_at")[which]
    value = (spec.monitored_sql, spec.processing_sql)[which]
    inner = " " * (relative + 4)
    where = f"\"{spec.status_column_sql} = '{value}'\""
    wheres = [
        pyfile.call_line(f"{inner}{backend}_where={text}", where, column, relative + 4)
        for backend in ("postgresql", "sqlite")
    ]
    return "".join(
        [
            f"{index}(\n",
            f'{inner}"{spec.index_names[which]}",\n',
            f'{inner}"{spec.prefix}{indexed}",\n',
            *(line.rstrip("\n") + ",\n" for line in wheres),
            f"{' ' * relative})",
        ]
    )


def _present_indexes(node: cst.ClassDef) -> set[str]:
    found: set[str] = set()
    for statement in node.body.body:
        if "__table_args__" in pyfile.assigned_names(statement):
            for string in _strings(statement):
                found.add(string)
    return found


def _strings(node: cst.CSTNode) -> list[str]:
    collected: list[str] = []

    class Strings(cst.CSTVisitor):
        def visit_SimpleString(self, string: cst.SimpleString) -> None:
            value = string.evaluated_value
            if isinstance(value, str):
                collected.append(value)

    node.visit(Strings())
    return collected


def _table_args(
    node: cst.ClassDef, path: str, new_elements: Sequence[str], comment: str, width: int
) -> tuple[cst.BaseStatement | None, cst.BaseStatement]:
    """(existing __table_args__ statement or None, its replacement or the new statement).

    Statement text is laid out as at module level: libcst indents it by the class body.
    """
    indent = 4
    for statement in node.body.body:
        if "__table_args__" not in pyfile.assigned_names(statement):
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        small = statement.body[0]
        value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
        code = cst.Module([]).code_for_node(value) if value is not None else ""
        if isinstance(value, cst.Tuple) and "\n" not in code:
            elements = [cst.Module([]).code_for_node(e.value) for e in value.elements]
            tail = [e for e in elements if e.startswith("{")]
            head = [e for e in elements if not e.startswith("{")]
            items = [*head, *new_elements, *tail]
        elif isinstance(value, cst.Dict) and "\n" not in code:
            items = [*new_elements, code]
        elif isinstance(value, cst.Tuple):
            return statement, _extend_tuple(statement, value, new_elements)
        else:
            raise ProjectError(
                f"{path}: {node.name.value}.__table_args__ is not a literal tuple or dict; "
                "skf cannot add the service's indexes to it safely"
            )
        body = "".join(f"{' ' * indent}{item},\n" for item in items)
        replacement = pyfile.statement(f"__table_args__ = (\n{body})\n")
        return statement, replacement.with_changes(
            leading_lines=statement.leading_lines, trailing_whitespace=statement.trailing_whitespace
        )
    lines = "".join(f"{' ' * indent}# {line}\n" for line in _wrapped(comment, width + indent))
    body = "".join(f"{' ' * indent}{item},\n" for item in new_elements)
    return None, pyfile.statement(f"__table_args__ = (\n{lines}{body})\n")


def _wrapped(text: str, indent: int) -> list[str]:
    return [line.comment.value[2:] for line in pyfile.comment_lines(text, indent) if line.comment]


def _extend_tuple(
    statement: cst.SimpleStatementLine, value: cst.Tuple, new_elements: Sequence[str]
) -> cst.SimpleStatementLine:
    """A multi-line tuple with the new elements before a trailing dict, comments kept."""
    indent, separator = line_break_comma(value.lpar[0].whitespace_after if value.lpar else None)
    elements = list(value.elements)
    position = len(elements)
    if elements and isinstance(elements[-1].value, cst.Dict):
        position -= 1
    new = [cst.Element(cst.parse_expression(code), comma=separator) for code in new_elements]
    closing = value.rpar[0].whitespace_before if value.rpar else None
    if position == len(elements) and isinstance(closing, cst.ParenthesizedWhitespace):
        # Appending: what follows the old last element (its comment, the line break) stays
        # with it; the new last element ends the way the old one did.
        last = elements[-1]
        kept = closing.with_changes(last_line=indent)
        elements[-1] = last.with_changes(comma=cst.Comma(whitespace_after=kept))
        new[-1] = new[-1].with_changes(comma=cst.Comma())
        bare = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        value = value.with_changes(rpar=[value.rpar[0].with_changes(whitespace_before=bare)])
    elements[position:position] = new
    small = statement.body[0]
    assert isinstance(small, cst.Assign | cst.AnnAssign)
    changed = small.with_changes(value=value.with_changes(elements=elements))
    return statement.with_changes(body=[changed])


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def add_bookkeeping(
    changes: ChangeSet, path: str, module_name: str, spec: Bookkeeping
) -> list[str]:
    """Add what `spec` describes to the class; returns the columns and indexes added."""
    source = pyfile.read_source(changes, path, module_name, "model module")
    node = pyfile.top_level_class(source.module, spec.class_name)
    if node is None:
        raise ProjectError(f"{path}: no class {spec.class_name} (the model to add columns to)")
    block = pyfile.indented_body(node, path)
    width = pyfile.block_width(source.module, block)
    existing = pyfile.class_attributes(node)
    columns = [f"{spec.prefix}{name}" for name in BOOKKEEPING]
    missing = [column for column in columns if column not in existing]
    present = _present_indexes(node)
    new_indexes = [which for which in (0, 1) if spec.index_names[which] not in present]
    if not missing and not new_indexes:
        return []
    bound = imports.bindings(source)
    needs = [*_NEEDS.values(), imports.Need(spec.runtime_import, "UtcDateTime")]
    needs.append(imports.Need(spec.runtime_import, "utcnow"))
    uuid_local = imports.local_name(bound, "uuid.UUID")
    if uuid_local is None:
        needs.append(imports.Need("uuid"))
    module, spelled = imports.add_imports(
        source.module, bound, needs, pyfile.own_package(module_name)
    )
    spelled["uuid.UUID"] = uuid_local or "uuid.UUID"
    spelled["UtcDateTime"] = spelled[f"{spec.runtime_import}.UtcDateTime"]
    spelled["utcnow"] = spelled[f"{spec.runtime_import}.utcnow"]
    column_call = spelled[_NEEDS["mapped_column"].qualified]
    body = list(block.body)
    added: list[str] = []
    if missing:
        statements: list[cst.BaseStatement] = []
        for column in missing:
            annotation, args = _column_code(column.removeprefix(spec.prefix), spelled)
            code = pyfile.call_line(f"{column}: {annotation} = {column_call}", args, width)
            statements.append(pyfile.statement(code))
        note = (
            f"Queue bookkeeping of {spec.service} (see {spec.runtime_module}): when the row is "
            "next due, who holds it."
        )
        first = statements[0]
        assert isinstance(first, cst.SimpleStatementLine)
        statements[0] = first.with_changes(leading_lines=pyfile.comment_lines(note, width))
        at = pyfile.after_last_assignment(body)
        body[at:at] = statements
        added.extend(missing)
    if new_indexes:
        codes = [_index_code(spec, which, width + 4, 4, spelled) for which in new_indexes]
        comment = (
            f"The claim and the rescue of {spec.service} only look at due and stale rows; "
            "partial indexes keep their cost flat however many finished rows the table keeps."
        )
        old, new = _table_args(node, path, codes, comment, width)
        if old is None:
            at = next(
                (i + 1 for i, s in enumerate(body) if "__tablename__" in pyfile.assigned_names(s)),
                0,
            )
            body.insert(at, new)
        else:
            body = [new if statement is old else statement for statement in body]
        added.extend(spec.index_names[which] for which in new_indexes)
    new_class = node.with_changes(body=block.with_changes(body=body))
    patched = module.with_changes(
        body=[new_class if statement is node else statement for statement in module.body]
    )
    changes.write(path, patched.code)
    return added


@dataclass(frozen=True)
class Member:
    name: str
    value: str


def add_enum_members(
    changes: ChangeSet, path: str, module_name: str, enum_class: str, members: Sequence[Member]
) -> None:
    source = pyfile.read_source(changes, path, module_name, "status enum module")
    node = pyfile.top_level_class(source.module, enum_class)
    if node is None:
        raise ProjectError(f"{path}: no class {enum_class} (the status enum to add members to)")
    block = pyfile.indented_body(node, path)
    existing = pyfile.class_attributes(node)
    new = [
        pyfile.statement(f"{member.name} = {json.dumps(member.value)}\n")
        for member in members
        if member.name not in existing
    ]
    if not new:
        return
    body = list(block.body)
    at = pyfile.after_last_assignment(body)
    body[at:at] = new
    new_class = node.with_changes(body=block.with_changes(body=body))
    patched = source.module.with_changes(
        body=[new_class if statement is node else statement for statement in source.module.body]
    )
    changes.write(path, patched.code)


def _all_names(source: SourceFile) -> tuple[cst.SimpleStatementLine, cst.List | cst.Tuple] | None:
    for statement in source.module.body:
        if "__all__" in pyfile.assigned_names(statement):
            assert isinstance(statement, cst.SimpleStatementLine)
            small = statement.body[0]
            value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
            if isinstance(value, cst.List | cst.Tuple):
                return statement, value
    return None


def export_model(
    changes: ChangeSet, path: str, package: str, model_module: str, exported: Sequence[str]
) -> None:
    """Import `exported` from `model_module` in the models package and list them in `__all__`."""
    if changes.read(path) is None:
        return  # a namespace package: nothing imports its models in one place
    source = pyfile.read_source(changes, path, package, "models package")
    bound = imports.bindings(source)
    needs = [imports.Need(model_module, name) for name in exported]
    module, _spelled = imports.add_imports(source.module, bound, needs, pyfile.own_package(package))
    found = _all_names(source)
    if found is not None:
        statement, value = found
        listed = [
            e.value.evaluated_value for e in value.elements if isinstance(e.value, cst.SimpleString)
        ]
        missing = [name for name in exported if name not in listed]
        if missing:
            names = [*listed, *missing]
            if listed == sorted(listed):
                names = sorted(names)
            quoted = [json.dumps(name) for name in names]
            one = f"__all__ = [{', '.join(quoted)}]\n"
            if len(one) > pyfile.LINE_LENGTH:
                one = "__all__ = [\n" + "".join(f"    {q},\n" for q in quoted) + "]\n"
            replacement = pyfile.statement(one).with_changes(leading_lines=statement.leading_lines)
            module = module.with_changes(
                body=[replacement if s is statement else s for s in module.body]
            )
    changes.write(path, module.code)


# -- removing (`skf remove`) -----------------------------------------------------------------


def _index_name(element: cst.BaseElement) -> str | None:
    call = element.value
    if (
        isinstance(call, cst.Call)
        and call.args
        and isinstance(call.args[0].value, cst.SimpleString)
    ):
        name = call.args[0].value.evaluated_value
        return name if isinstance(name, str) else None
    return None


def _without_indexes(
    body: list[cst.BaseStatement], index_names: set[str]
) -> tuple[list[cst.BaseStatement], list[str]]:
    """The class body without the named `Index(...)` elements of `__table_args__` (and
    without `__table_args__` when nothing else is left in it)."""
    removed: list[str] = []
    result: list[cst.BaseStatement] = []
    for statement in body:
        if "__table_args__" not in pyfile.assigned_names(statement):
            result.append(statement)
            continue
        assert isinstance(statement, cst.SimpleStatementLine)
        small = statement.body[0]
        value = small.value if isinstance(small, cst.Assign | cst.AnnAssign) else None
        if not isinstance(value, cst.Tuple):
            result.append(statement)
            continue
        kept = [e for e in value.elements if _index_name(e) not in index_names]
        removed += [n for e in value.elements if (n := _index_name(e)) in index_names]
        if not kept:
            continue
        if len(kept) < len(value.elements):
            last = kept[-1].with_changes(comma=value.elements[-1].comma)
            changed = small.with_changes(value=value.with_changes(elements=[*kept[:-1], last]))
            statement = statement.with_changes(body=[changed])
        result.append(statement)
    return result, removed


def remove_bookkeeping(
    changes: ChangeSet, path: str, module_name: str, spec: Bookkeeping
) -> list[str]:
    """Undo `add_bookkeeping`: the service's columns, its two indexes and the imports only
    they used; returns the columns and indexes removed."""
    source = pyfile.read_source(changes, path, module_name, "model module")
    node = pyfile.top_level_class(source.module, spec.class_name)
    if node is None:
        return []
    columns = {f"{spec.prefix}{name}" for name in BOOKKEEPING}
    module, removed = pyfile.without_class_attributes(source.module, node, columns, path)
    node = pyfile.top_level_class(module, spec.class_name)
    assert node is not None
    block = pyfile.indented_body(node, path)
    body, indexes = _without_indexes(list(block.body), set(spec.index_names))
    if not removed and not indexes:
        return []
    new_class = node.with_changes(body=block.with_changes(body=body))
    module = module.with_changes(body=[new_class if s is node else s for s in module.body])
    candidates = {need.qualified for need in _NEEDS.values()} | {
        "uuid",
        f"{spec.runtime_import}.UtcDateTime",
        f"{spec.runtime_import}.utcnow",
    }
    module = pyfile.without_unused_imports(path, module_name, module, candidates)
    changes.write(path, module.code)
    return [*removed, *indexes]


def remove_enum_members(
    changes: ChangeSet, path: str, module_name: str, enum_class: str, members: Sequence[str]
) -> list[str]:
    """Undo `add_enum_members`; returns the members removed."""
    source = pyfile.read_source(changes, path, module_name, "status enum module")
    node = pyfile.top_level_class(source.module, enum_class)
    if node is None:
        return []
    module, removed = pyfile.without_class_attributes(source.module, node, set(members), path)
    if removed:
        changes.write(path, module.code)
    return removed


def unexport_model(
    changes: ChangeSet, path: str, package: str, model_module: str, exported: Sequence[str]
) -> None:
    """Undo `export_model`: the import of `exported` from `model_module`, their `__all__`
    entries."""
    if changes.read(path) is None:
        return
    source = pyfile.read_source(changes, path, package, "models package")
    bound = imports.bindings(source)
    module = source.module
    found = _all_names(source)
    if found is not None:
        statement, value = found
        listed = [
            e.value.evaluated_value for e in value.elements if isinstance(e.value, cst.SimpleString)
        ]
        kept = [name for name in listed if name not in exported]
        if len(kept) < len(listed):
            quoted = [json.dumps(name) for name in kept]
            one = f"__all__ = [{', '.join(quoted)}]\n"
            if len(one) > pyfile.LINE_LENGTH:
                one = "__all__ = [\n" + "".join(f"    {q},\n" for q in quoted) + "]\n"
            replacement = pyfile.statement(one).with_changes(leading_lines=statement.leading_lines)
            module = module.with_changes(
                body=[replacement if s is statement else s for s in module.body]
            )
    qualified = [f"{model_module}.{name}" for name in exported]
    module = imports.remove_imports(module, {bound[q] for q in qualified if q in bound})
    changes.write(path, module.code)
