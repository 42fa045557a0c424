"""Making a name available in a module: reuse its import, extend a `from` import, or add one.

Names are resolved through the module's scope (libcst's ScopeProvider): if `pydantic.PositiveInt`
is already bound - `from pydantic import PositiveInt as PInt`, or `import pydantic` - the
existing binding is used (`PInt`, `pydantic.PositiveInt`) and nothing is added. New names join
an existing `from module import ...` in isort's order (constants, classes, then other names);
new statements go into the import block where isort would put them (standard library, third
party, first party), so a patched file stays as ruff/isort left it.
"""

import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import GlobalScope, ImportAssignment, ScopeProvider

from skf.generate.parenthesized import line_break_comma
from skf.project.source import SourceFile

LINE_LENGTH = 100


@dataclass(frozen=True)
class Need:
    module: str
    """The module to import from (`pydantic`), or the module to import (`uuid`)."""
    name: str | None = None
    """The name to import from `module`; None for `import module`."""

    @property
    def qualified(self) -> str:
        return self.module if self.name is None else f"{self.module}.{self.name}"


def bindings(source: SourceFile) -> dict[str, str]:
    """Qualified name -> local name, for every module-level name of `source`."""
    scopes = source.wrapper.resolve(ScopeProvider)
    scope = scopes.get(source.module)
    if not isinstance(scope, GlobalScope):
        return {}
    found: dict[str, str] = {}
    for assignment in scope.assignments:
        name = assignment.name
        for qualified in scope.get_qualified_names_for(name):
            value = qualified.name
            if value.startswith("."):
                value = source.resolve_relative(value)
            found.setdefault(value, name)
    return found


def local_name(bound: dict[str, str], qualified: str) -> str | None:
    """How `qualified` is spelled in a module with `bound` names, if it is reachable."""
    if qualified in bound:
        return bound[qualified]
    module = qualified.rpartition(".")[0]
    while module:
        if module in bound:
            return f"{bound[module]}.{qualified[len(module) + 1 :]}"
        module = module.rpartition(".")[0]
    return None


def _section(module: str, own_package: str) -> int:
    top = module.split(".")[0]
    if module.startswith("."):
        return 4
    if top == "__future__":
        return 0
    if top == own_package:
        return 3
    if top in sys.stdlib_module_names:
        return 1
    return 2


def _statement_key(statement: cst.CSTNode, own_package: str) -> tuple[int, int, str] | None:
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        module = cst.Module([]).code_for_node(small.names[0].name)
        return (_section(module, own_package), 0, module.lower())
    if isinstance(small, cst.ImportFrom):
        dots = "." * len(small.relative)
        name = "" if small.module is None else cst.Module([]).code_for_node(small.module)
        module = dots + name
        return (_section(module, own_package), 1, module.lower())
    return None


def name_key(name: str) -> tuple[int, str, str]:
    """isort's order within a `from` import: CONSTANTS, Classes, then everything else."""
    bare = name.split(" as ")[0]
    kind = 0 if bare.isupper() and len(bare) > 1 else 1 if bare[:1].isupper() else 2
    return (kind, bare.lower(), bare)


def _from_text(module: str, aliases: Sequence[str], exploded: bool) -> str:
    ordered = sorted(aliases, key=name_key)
    one = f"from {module} import {', '.join(ordered)}"
    if not exploded and len(one) <= LINE_LENGTH:
        return one + "\n"
    return f"from {module} import (\n" + "".join(f"    {a},\n" for a in ordered) + ")\n"


def _alias_text(alias: cst.ImportAlias) -> str:
    return cst.Module([]).code_for_node(alias).rstrip(", \n")


def _extended_from(statement: cst.SimpleStatementLine, new: list[str]) -> cst.SimpleStatementLine:
    """`statement` (a `from` import) with `new` names added in order."""
    small = statement.body[0]
    assert isinstance(small, cst.ImportFrom)
    assert not isinstance(small.names, cst.ImportStar)
    module = cst.Module([]).code_for_node(small)
    has_comments = "#" in module
    exploded = small.lpar is not None and "\n" in module
    if exploded and has_comments:
        return statement.with_changes(body=[_insert_aliases(small, new)])
    names = [_alias_text(alias) for alias in small.names] + new
    origin = "." * len(small.relative) + (
        "" if small.module is None else cst.Module([]).code_for_node(small.module)
    )
    rebuilt = cst.parse_statement(_from_text(origin, names, exploded))
    assert isinstance(rebuilt, cst.SimpleStatementLine)
    return statement.with_changes(body=rebuilt.body)


def _insert_aliases(small: cst.ImportFrom, new: list[str]) -> cst.ImportFrom:
    """Insert into a parenthesized, commented import without touching its comments."""
    assert not isinstance(small.names, cst.ImportStar)
    aliases = list(small.names)
    indent, separator = line_break_comma(small.lpar.whitespace_after if small.lpar else None)
    for name in sorted(new, key=name_key):
        alias = cst.ImportAlias(name=cst.Name(name), comma=separator)
        position = next(
            (i for i, a in enumerate(aliases) if name_key(_alias_text(a)) > name_key(name)),
            len(aliases),
        )
        last = aliases[-1]
        after = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
        if position == len(aliases) and isinstance(after, cst.ParenthesizedWhitespace):
            # Appending: the old last name keeps its comment and line break; the new last
            # name ends the way the old one did, before the closing parenthesis.
            aliases[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=after.with_changes(last_line=indent))
            )
            closing = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            alias = alias.with_changes(comma=cst.Comma(whitespace_after=closing))
        elif position == len(aliases):
            alias = alias.with_changes(comma=last.comma)
            aliases[-1] = last.with_changes(comma=separator)
        aliases.insert(position, alias)
    return small.with_changes(names=aliases)


def _top_block(body: Sequence[cst.BaseStatement]) -> tuple[int, int]:
    """(first, end) indexes of the import statements at the top of the module."""
    start = 0
    if body and isinstance(body[0], cst.SimpleStatementLine):
        first = body[0].body[0] if body[0].body else None
        if isinstance(first, cst.Expr) and isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            start = 1
    end = start
    while end < len(body) and _is_import(body[end]):
        end += 1
    return start, end


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body
    )


def _leading(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.leading_lines
    return ()


def _with_leading(
    statement: cst.BaseStatement, lines: Sequence[cst.EmptyLine]
) -> cst.BaseStatement:
    if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement):
        return statement.with_changes(leading_lines=lines)
    return statement


def _insert_statement(
    body: list[cst.BaseStatement], statement: cst.SimpleStatementLine, own_package: str
) -> None:
    blank = [cst.EmptyLine()]
    start, end = _top_block(body)
    key = _statement_key(statement, own_package)
    sections = [
        k[0] if k else -1 for k in (_statement_key(s, own_package) for s in body[start:end])
    ]
    keys = [_statement_key(s, own_package) for s in body[start:end]]
    if end == start:  # no imports yet: right after the docstring
        body.insert(start, statement.with_changes(leading_lines=blank if start else []))
        if start + 1 < len(body) and not _leading(body[start + 1]):
            body[start + 1] = _with_leading(body[start + 1], blank * 2)
        return
    assert key is not None
    position = next((i for i, k in enumerate(keys) if k is not None and k > key), len(keys))
    index = start + position
    same_before = position > 0 and sections[position - 1] == key[0]
    same_after = position < len(keys) and sections[position] == key[0]
    if same_before or (not same_after and position > 0):
        # After a statement of its section, or a new section after the others.
        body.insert(index, statement.with_changes(leading_lines=[] if same_before else blank))
        if not same_before and position < len(keys):
            body[index + 1] = _with_leading(body[index + 1], blank)
        return
    # First of its section (existing or new): it takes over the separation above.
    following = body[index]
    body.insert(index, statement.with_changes(leading_lines=_leading(following)))
    body[index + 1] = _with_leading(following, [] if same_after else blank)


def add_imports(
    module: cst.Module, bound: dict[str, str], needs: Sequence[Need], own_package: str
) -> tuple[cst.Module, dict[str, str]]:
    """`module` with every need importable; returns it and qualified -> local name."""
    spelled: dict[str, str] = {}
    missing_from: dict[str, list[str]] = {}
    missing_modules: list[str] = []
    for need in needs:
        local = local_name(bound, need.qualified)
        if local is not None:
            spelled[need.qualified] = local
        elif need.name is None:
            missing_modules.append(need.module)
            spelled[need.qualified] = need.module
        else:
            names = missing_from.setdefault(need.module, [])
            if need.name not in names:
                names.append(need.name)
            spelled[need.qualified] = need.name
    if not missing_from and not missing_modules:
        return module, spelled
    body: list[cst.BaseStatement] = list(module.body)
    for origin, names in missing_from.items():
        start, end = _top_block(body)
        index = _find_from(body[start:end], origin)
        if index is not None:
            statement = body[start + index]
            assert isinstance(statement, cst.SimpleStatementLine)
            body[start + index] = _extended_from(statement, names)
            continue
        new = cst.parse_statement(_from_text(origin, names, exploded=False))
        assert isinstance(new, cst.SimpleStatementLine)
        _insert_statement(body, new, own_package)
    for name in dict.fromkeys(missing_modules):
        new = cst.parse_statement(f"import {name}\n")
        assert isinstance(new, cst.SimpleStatementLine)
        _insert_statement(body, new, own_package)
    return module.with_changes(body=body), spelled


def _find_from(block: Sequence[cst.BaseStatement], origin: str) -> int | None:
    """Index of the plain `from origin import ...` statement in `block`, if there is one."""
    for index, statement in enumerate(block):
        if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
            continue
        small = statement.body[0]
        if (
            isinstance(small, cst.ImportFrom)
            and not small.relative
            and small.module is not None
            and not isinstance(small.names, cst.ImportStar)
            and cst.Module([]).code_for_node(small.module) == origin
        ):
            return index
    return None


# -- removing ------------------------------------------------------------------------------


def unused_imports(source: SourceFile, candidates: Collection[str]) -> set[str]:
    """Local names bound by imports of `candidates` (qualified names) that `source` no
    longer uses."""
    scope = source.wrapper.resolve(ScopeProvider).get(source.module)
    if not isinstance(scope, GlobalScope):
        return set()
    wanted = set(candidates)
    unused: set[str] = set()
    for assignment in scope.assignments:
        if not isinstance(assignment, ImportAssignment) or assignment.references:
            continue
        qualified = {q.name for q in scope.get_qualified_names_for(assignment.name)}
        if qualified & wanted:
            unused.add(assignment.name)
    return unused


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.Module([]).code_for_node(alias.name).split(".")[0]


def _without_aliases(statement: cst.BaseStatement, names: set[str]) -> cst.BaseStatement | None:
    """An import statement without the aliases binding `names`; None when none is left."""
    if not _is_import(statement) or not isinstance(statement, cst.SimpleStatementLine):
        return statement
    small = statement.body[0]
    if len(statement.body) != 1 or not isinstance(small, cst.Import | cst.ImportFrom):
        return statement
    if isinstance(small.names, cst.ImportStar):
        return statement
    kept = [alias for alias in small.names if _bound_name(alias) not in names]
    if len(kept) == len(small.names):
        return statement
    if not kept:
        return None
    if isinstance(small, cst.Import):
        text = "import " + ", ".join(_alias_text(alias) for alias in kept) + "\n"
    else:
        origin = "." * len(small.relative) + (
            "" if small.module is None else cst.Module([]).code_for_node(small.module)
        )
        text = _from_text(origin, [_alias_text(alias) for alias in kept], exploded=False)
    rebuilt = cst.parse_statement(text)
    assert isinstance(rebuilt, cst.SimpleStatementLine)
    return statement.with_changes(body=rebuilt.body)


def remove_imports(module: cst.Module, names: Collection[str]) -> cst.Module:
    """`module` without the top-level import aliases binding `names` (a `from` import keeps
    its other names, laid out as isort would); the blank lines before a dropped statement go
    to the statement after it when that has none of its own (undoing `add_imports`)."""
    if not names:
        return module
    wanted = set(names)
    body: list[cst.BaseStatement] = []
    carried: Sequence[cst.EmptyLine] | None = None
    for original in module.body:
        statement: cst.BaseStatement = original
        if carried is not None:
            if not _leading(statement):
                statement = _with_leading(statement, carried)
            carried = None
        changed = _without_aliases(statement, wanted)
        if changed is None:
            carried = _leading(statement)
            continue
        body.append(changed)
    return module.with_changes(body=body)
