"""SQLAlchemy statements on a processing path: `select(...)` / `update(...)` method chains,
what their WHERE compares the status column with, and their row locking.

A chain may continue a statement held elsewhere: in a local variable (`stmt.where(...)`), or
in an attribute of a project object (`self._claim_update.where(...)`, the UPDATE built once
in `__init__`); a statement held in such an attribute and executed as it is
(`session.execute(self._rescue)`) is a statement of the code that reads it. Each part is
judged where it is written (`Query.place`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from skf.project.flow import FrameFacts, PathBuilder
from skf.project.literals import literal_value, string_value
from skf.project.resolve import Frame
from skf.project.semantics import ColumnRef, MemberRef, Semantics
from skf.project.source import SourceFile
from skf.project.statuses import role_hint
from skf.vocabulary import Role

QueryKind = Literal["select", "update", "delete", "query", "text"]
_ROOTS: dict[str, QueryKind] = {
    "sqlalchemy.select": "select",
    "sqlalchemy.sql.select": "select",
    "sqlalchemy.future.select": "select",
    "sqlalchemy.sql.expression.select": "select",
    "sqlalchemy.update": "update",
    "sqlalchemy.sql.update": "update",
    "sqlalchemy.sql.expression.update": "update",
    "sqlalchemy.delete": "delete",
    "sqlalchemy.sql.delete": "delete",
    "sqlalchemy.text": "text",
    "sqlalchemy.sql.text": "text",
    "sqlalchemy.sql.expression.text": "text",
}
_FILTERS = frozenset({"where", "filter", "filter_by"})
_MAX_HOPS = 4
"""Statements continued from statements held elsewhere, at most (`self.x = self.x.where()`
would go on forever)."""
_EQUALITY = (cst.Equal, cst.In, cst.Is)
_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)


@dataclass(frozen=True)
class Condition:
    """One comparison in a WHERE: a column (when known) against status members."""

    column: ColumnRef | None
    members: tuple[MemberRef, ...]
    equality: bool
    node: cst.CSTNode
    literal: str | None = None
    """A string compared with a status column instead of a member."""
    roles: tuple[Role | None, ...] = ()
    """For each member, the role the names it is reached through give it (`self.processing`,
    `processing_status`), when they say one."""


@dataclass
class Query:
    kind: QueryKind
    root: cst.Call
    outer: cst.Call
    methods: list[tuple[str, cst.Call]]
    """Method calls of the chain, outermost first (including calls on a variable that holds
    an earlier part of the statement)."""
    frame: Frame
    source: SourceFile
    conditions: list[Condition] = field(default_factory=list)
    ordering: bool = False
    """The WHERE has an ordering comparison (`claimed_at < cutoff`)."""
    where_names: set[str] = field(default_factory=set)
    """Every attribute name the WHERE mentions (`available_at`, `next_retry_at`)."""
    raw_skip_locked: bool = False
    """A `text()` statement whose SQL says SKIP LOCKED."""
    places: dict[int, tuple[SourceFile, Frame | None]] = field(default_factory=dict)
    """Where the parts written elsewhere than `source`/`frame` are: id(root or method call)
    -> the source and frame to read them in (`update(...).values(...)` in `__init__`)."""

    def place(self, node: cst.CSTNode) -> tuple[SourceFile, Frame | None]:
        """Where `node` (the root or a method call of the chain) is written."""
        return self.places.get(id(node), (self.source, self.frame))

    def source_of(self, node: cst.CSTNode) -> SourceFile:
        return self.place(node)[0]

    def method(self, name: str) -> cst.Call | None:
        return next((call for method, call in self.methods if method == name), None)

    @property
    def with_for_update(self) -> cst.Call | None:
        return self.method("with_for_update")

    @property
    def skip_locked(self) -> bool:
        if self.raw_skip_locked:
            return True
        call = self.with_for_update
        if call is None:
            return False
        return any(
            arg.keyword is not None
            and arg.keyword.value == "skip_locked"
            and literal_value(arg.value) is True
            for arg in call.args
        )

    def monitored(self) -> list[MemberRef]:
        return [m for c in self.conditions if c.equality for m in c.members]

    def monitored_roles(self) -> list[tuple[MemberRef, Role | None]]:
        """`monitored()`, each member with the role its names give it."""
        return [
            (member, c.roles[index] if index < len(c.roles) else None)
            for c in self.conditions
            if c.equality
            for index, member in enumerate(c.members)
        ]

    def literal_statuses(self) -> list[tuple[ColumnRef, str]]:
        """String literals the WHERE compares a status column with."""
        return [
            (c.column, c.literal)
            for c in self.conditions
            if c.literal is not None and c.column is not None
        ]

    def status_column(self) -> ColumnRef | None:
        return next(
            (
                c.column
                for c in self.conditions
                if (c.members or c.literal is not None) and c.column is not None
            ),
            None,
        )

    @property
    def limit(self) -> cst.BaseExpression | None:
        call = self.method("limit")
        if call is None or not call.args:
            return None
        return call.args[0].value


def _chain(
    call: cst.Call, source: SourceFile
) -> tuple[list[tuple[str, cst.Call]], cst.BaseExpression]:
    """The method calls of a chain, outermost first, and its root: `select(...)` (also
    spelled `sa.select(...)`), `session.query(...)`, or whatever the chain starts from."""
    methods: list[tuple[str, cst.Call]] = []
    node: cst.BaseExpression = call
    while (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value != "query"
        and _root_kind(node, source) is None
    ):
        methods.append((node.func.attr.value, node))
        node = node.func.value
    return methods, node


def queries_in(frame: Frame, builder: PathBuilder, semantics: Semantics) -> list[Query]:
    facts = builder.facts(frame)
    inner = {
        id(site.node.func.value)
        for site in facts.calls
        if isinstance(site.node.func, cst.Attribute)
    }
    found: list[Query] = []
    for site in facts.calls:
        if id(site.node) in inner:
            continue
        for part in _statements(site.node, frame.source, frame, semantics, 0):
            found.append(part.query(site.node, frame.source, frame))
    found.extend(_held_statements(facts, frame, semantics))
    for query in found:
        _conditions(query, semantics)
    return found


@dataclass
class _Statement:
    """A statement as one expression builds it, parts possibly written elsewhere."""

    kind: QueryKind
    root: cst.Call
    methods: list[tuple[str, cst.Call]]
    places: dict[int, tuple[SourceFile, Frame | None]]
    raw_skip_locked: bool = False

    def query(self, outer: cst.Call, source: SourceFile, frame: Frame) -> Query:
        return Query(
            self.kind,
            self.root,
            outer,
            self.methods,
            frame,
            source,
            raw_skip_locked=self.raw_skip_locked,
            places=self.places,
        )

    def placed(self, source: SourceFile, frame: Frame | None) -> _Statement:
        """This statement, read from another place: every part keeps where it is written."""
        places = dict(self.places)
        for node in (self.root, *(call for _, call in self.methods)):
            places.setdefault(id(node), (source, frame))
        return _Statement(self.kind, self.root, self.methods, places, self.raw_skip_locked)


def _statements(
    call: cst.Call, source: SourceFile, frame: Frame | None, semantics: Semantics, hops: int
) -> list[_Statement]:
    """The statements the chain ending in `call` builds: one, or one per value an attribute
    it continues may hold; none when it is not a statement."""
    methods, root = _chain(call, source)
    if isinstance(root, cst.Name) and methods and frame is not None:
        methods, root = _from_variable(methods, root, source, frame, semantics)
    if isinstance(root, cst.Attribute) and methods:
        return _continued(methods, root, source, frame, semantics, hops)
    if not isinstance(root, cst.Call):
        return []
    kind = _root_kind(root, source)
    if kind is None and isinstance(root.func, cst.Attribute) and root.func.attr.value == "query":
        kind = "query"
    if kind is None:
        return []
    statement = _Statement(kind, root, methods, {})
    if kind == "text" and root.args:
        sql = string_value(root.args[0].value) or ""
        statement.raw_skip_locked = "skip locked" in " ".join(sql.lower().split())
    return [statement]


def _from_variable(
    methods: list[tuple[str, cst.Call]],
    root: cst.Name,
    source: SourceFile,
    frame: Frame,
    semantics: Semantics,
) -> tuple[list[tuple[str, cst.Call]], cst.BaseExpression]:
    """`stmt = select(...)`, then `stmt.where(...)`: the statement continues from the values
    the variable was given (`stmt = self._claim_update`: from the attribute)."""
    values = semantics.resolver.local_assignments(frame.function).get(root.value, [])
    found: cst.BaseExpression = root
    held: list[cst.Attribute] = []
    for value in values:
        if isinstance(value, cst.Attribute):
            held.append(value)
        if not isinstance(value, cst.Call):
            continue
        part, part_root = _chain(value, source)
        methods = methods + part
        if isinstance(part_root, cst.Call) and _root_kind(part_root, source):
            found = part_root
        elif isinstance(part_root, cst.Attribute):
            held.append(part_root)
    if not isinstance(found, cst.Call) and len(held) == 1:
        found = held[0]
    return methods, found


def _continued(
    methods: list[tuple[str, cst.Call]],
    held: cst.Attribute,
    source: SourceFile,
    frame: Frame | None,
    semantics: Semantics,
    hops: int,
) -> list[_Statement]:
    """`self._claim_update.where(...)`: the statement the attribute holds, continued."""
    if hops >= _MAX_HOPS:
        return []
    found: list[_Statement] = []
    for bound in semantics.resolver.attribute_values(held, source, frame):
        if not isinstance(bound.node, cst.Call):
            continue
        for earlier in _statements(bound.node, bound.source, bound.frame, semantics, hops + 1):
            placed = earlier.placed(bound.source, bound.frame)
            found.append(
                _Statement(
                    placed.kind,
                    placed.root,
                    methods + placed.methods,
                    placed.places,
                    placed.raw_skip_locked,
                )
            )
    return found


def _held_statements(facts: FrameFacts, frame: Frame, semantics: Semantics) -> list[Query]:
    """Statements held in object attributes the function reads as they are
    (`session.execute(self._rescue)`), each where its `__init__` writes it."""
    skip = {id(site.node.func) for site in facts.calls}
    skip |= {id(attribute.value) for attribute in facts.attributes}
    skip |= {id(site.target) for site in facts.assignments}
    found: list[Query] = []
    seen: set[int] = set()
    for attribute in facts.attributes:
        if id(attribute) in skip:
            continue
        for bound in semantics.resolver.attribute_values(attribute, frame.source, frame):
            value = bound.node
            if id(value) in seen or bound.frame is None or not isinstance(value, cst.Call):
                continue
            seen.add(id(value))
            for part in _statements(value, bound.source, bound.frame, semantics, 1):
                found.append(part.query(value, bound.source, bound.frame))
    return found


def _root_kind(call: cst.Call, source: SourceFile) -> QueryKind | None:
    for qualified in source.qualified_names(call.func):
        kind = _ROOTS.get(qualified)
        if kind is not None:
            return kind
    return None


@dataclass(frozen=True)
class _Where:
    """One filter of a statement, and where it is written."""

    query: Query
    source: SourceFile
    frame: Frame | None


def _conditions(query: Query, semantics: Semantics) -> None:
    for name, call in query.methods:
        if name not in _FILTERS:
            continue
        where = _Where(query, *query.place(call))
        for arg in call.args:
            if name == "filter_by" and arg.keyword is not None:
                members = _members(arg.value, where, semantics)
                if members:
                    query.conditions.append(_condition(None, members, arg))
                query.where_names.add(arg.keyword.value)
                continue
            _walk_condition(arg.value, where, semantics)


def _walk_condition(node: cst.BaseExpression, where: _Where, semantics: Semantics) -> None:
    query = where.query

    class Walker(cst.CSTVisitor):
        def visit_Comparison(self, comparison: cst.Comparison) -> None:
            left = comparison.left
            for target in comparison.comparisons:
                right = target.comparator
                if isinstance(target.operator, _ORDERING):
                    query.ordering = True
                elif isinstance(target.operator, _EQUALITY):
                    _pair(left, right, comparison, where, semantics)
                left = right

        def visit_Call(self, call: cst.Call) -> None:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value in {"in_", "is_"}:
                members = [m for arg in call.args for m in _members(arg.value, where, semantics)]
                if members:
                    column = semantics.column(func.value, where.source, where.frame)
                    query.conditions.append(_condition(column, members, call))

        def visit_Attribute(self, attribute: cst.Attribute) -> None:
            query.where_names.add(attribute.attr.value)

    node.visit(Walker())


def _pair(
    left: cst.BaseExpression,
    right: cst.BaseExpression,
    node: cst.CSTNode,
    where: _Where,
    semantics: Semantics,
) -> None:
    for column_side, value_side in ((left, right), (right, left)):
        members = _members(value_side, where, semantics)
        if members:
            column = semantics.column(column_side, where.source, where.frame)
            where.query.conditions.append(_condition(column, members, node))
            return
        text = string_value(value_side)
        if text is not None:
            column = semantics.column(column_side, where.source, where.frame)
            if column is not None and column.column.enum is not None:
                where.query.conditions.append(Condition(column, (), True, node, text))
                return


def _members(
    node: cst.BaseExpression, where: _Where, semantics: Semantics
) -> list[tuple[MemberRef, Role | None]]:
    """The status members `node` is (one, or those of a list), each with the role the
    names it is reached through give it."""
    elements = (
        [element.value for element in node.elements]
        if isinstance(node, cst.List | cst.Tuple | cst.Set)
        else [node]
    )
    found: list[tuple[MemberRef, Role | None]] = []
    for element in elements:
        resolved = semantics.resolver.resolve(element, where.source, where.frame)
        member = semantics.member_at(resolved.node, resolved.source)
        if member is not None:
            found.append((member, role_hint(resolved.via)))
    return found


def _condition(
    column: ColumnRef | None, members: list[tuple[MemberRef, Role | None]], node: cst.CSTNode
) -> Condition:
    return Condition(
        column, tuple(m for m, _ in members), True, node, roles=tuple(r for _, r in members)
    )
