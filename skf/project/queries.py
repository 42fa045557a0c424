"""SQLAlchemy statements on a processing path: `select(...)` / `update(...)` method chains,
what their WHERE compares the status column with, and their row locking."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from skf.project.flow import PathBuilder
from skf.project.literals import literal_value, string_value
from skf.project.resolve import Frame
from skf.project.semantics import ColumnRef, MemberRef, Semantics
from skf.project.source import SourceFile

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
        query = _query(site.node, frame, semantics)
        if query is not None:
            _conditions(query, semantics)
            found.append(query)
    return found


def _query(call: cst.Call, frame: Frame, semantics: Semantics) -> Query | None:
    source = frame.source
    methods, root = _chain(call, source)
    if isinstance(root, cst.Name) and methods:
        # `stmt = select(...)`, then `stmt.where(...)`: the statement continues from the
        # values the variable was given.
        values = semantics.resolver.local_assignments(frame.function).get(root.value, [])
        earlier = [value for value in values if isinstance(value, cst.Call)]
        for value in earlier:
            part, part_root = _chain(value, source)
            methods = methods + part
            if isinstance(part_root, cst.Call) and _root_kind(part_root, source):
                root = part_root
    if not isinstance(root, cst.Call):
        return None
    kind = _root_kind(root, source)
    if kind is None and isinstance(root.func, cst.Attribute) and root.func.attr.value == "query":
        kind = "query"
    if kind is None:
        return None
    query = Query(kind, root, call, methods, frame, source)
    if kind == "text" and root.args:
        sql = string_value(root.args[0].value) or ""
        query.raw_skip_locked = "skip locked" in " ".join(sql.lower().split())
    return query


def _root_kind(call: cst.Call, source: SourceFile) -> QueryKind | None:
    for qualified in source.qualified_names(call.func):
        kind = _ROOTS.get(qualified)
        if kind is not None:
            return kind
    return None


def _conditions(query: Query, semantics: Semantics) -> None:
    for name, call in query.methods:
        if name not in _FILTERS:
            continue
        for arg in call.args:
            if name == "filter_by" and arg.keyword is not None:
                members = _members(arg.value, query, semantics)
                if members:
                    query.conditions.append(Condition(None, tuple(members), True, arg))
                query.where_names.add(arg.keyword.value)
                continue
            _walk_condition(arg.value, query, semantics)


def _walk_condition(node: cst.BaseExpression, query: Query, semantics: Semantics) -> None:
    class Walker(cst.CSTVisitor):
        def visit_Comparison(self, comparison: cst.Comparison) -> None:
            left = comparison.left
            for target in comparison.comparisons:
                right = target.comparator
                if isinstance(target.operator, _ORDERING):
                    query.ordering = True
                elif isinstance(target.operator, _EQUALITY):
                    _pair(left, right, comparison, query, semantics)
                left = right

        def visit_Call(self, call: cst.Call) -> None:
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value in {"in_", "is_"}:
                members = [m for arg in call.args for m in _members(arg.value, query, semantics)]
                if members:
                    column = semantics.column(func.value, query.source, query.frame)
                    query.conditions.append(Condition(column, tuple(members), True, call))

        def visit_Attribute(self, attribute: cst.Attribute) -> None:
            query.where_names.add(attribute.attr.value)

    node.visit(Walker())


def _pair(
    left: cst.BaseExpression,
    right: cst.BaseExpression,
    node: cst.CSTNode,
    query: Query,
    semantics: Semantics,
) -> None:
    for column_side, value_side in ((left, right), (right, left)):
        members = _members(value_side, query, semantics)
        if members:
            column = semantics.column(column_side, query.source, query.frame)
            query.conditions.append(Condition(column, tuple(members), True, node))
            return
        text = string_value(value_side)
        if text is not None:
            column = semantics.column(column_side, query.source, query.frame)
            if column is not None and column.column.enum is not None:
                query.conditions.append(Condition(column, (), True, node, text))
                return


def _members(node: cst.BaseExpression, query: Query, semantics: Semantics) -> list[MemberRef]:
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return [
            m
            for element in node.elements
            if (m := semantics.member(element.value, query.source, query.frame)) is not None
        ]
    member = semantics.member(node, query.source, query.frame)
    return [member] if member is not None else []
