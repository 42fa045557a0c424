"""Database sessions opened on a processing path: `async with <factory>() as session:` blocks,
and whether the factory is the shared `get_background_session()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import libcst as cst

from skf.project.flow import PathBuilder, WithSite
from skf.project.resolve import Frame
from skf.project.semantics import SQLALCHEMY_SESSIONS, Semantics

SessionKind = Literal["shared", "other", "transaction"]
_TRANSACTION_METHODS = frozenset({"begin", "begin_nested", "connect"})


@dataclass(frozen=True)
class SessionBlock:
    site: WithSite
    frame: Frame
    kind: SessionKind
    """`shared`: the layout's session factory; `other`: any other session or connection
    factory; `transaction`: a transaction on a session or connection already open."""
    name: str | None
    """The `as` name."""
    opened_by: str
    """The factory as written."""


def session_blocks(frame: Frame, builder: PathBuilder, semantics: Semantics) -> list[SessionBlock]:
    found: list[SessionBlock] = []
    for site in builder.facts(frame).withs:
        kind = _kind(site, frame, semantics)
        if kind is None:
            continue
        asname = site.item.asname
        name = (
            asname.name.value if asname is not None and isinstance(asname.name, cst.Name) else None
        )
        found.append(SessionBlock(site, frame, kind, name, frame.source.code(site.item.item)))
    return found


def _kind(site: WithSite, frame: Frame, semantics: Semantics) -> SessionKind | None:
    expression = site.item.item
    if not isinstance(expression, cst.Call):
        return None
    func = expression.func
    if isinstance(func, cst.Attribute) and func.attr.value in _TRANSACTION_METHODS:
        return _transaction_kind(func.value, frame, semantics)
    callee = semantics.resolver.resolve(func, frame.source, frame)
    if semantics.is_shared_session_factory(callee):
        return "shared"
    names = callee.qualified_names()
    if names & SQLALCHEMY_SESSIONS:
        return "other"
    if isinstance(callee.node, cst.Call):
        inner = callee.source.qualified_names(callee.node.func)
        if inner & SQLALCHEMY_SESSIONS:
            return "other"
    written = frame.source.code(func).rpartition(".")[2]
    final = callee.source.code(callee.node).rpartition(".")[2]
    if "session" in written.lower() or "session" in final.lower():
        return "other"
    return None


def _transaction_kind(
    receiver: cst.BaseExpression, frame: Frame, semantics: Semantics
) -> SessionKind:
    resolved = semantics.resolver.resolve(receiver, frame.source, frame)
    target = resolved.node
    if isinstance(target, cst.Call):
        names = resolved.source.qualified_names(target.func)
        code = resolved.source.code(target.func).lower()
        if any("create_async_engine" in q or "create_engine" in q for q in names) or (
            "engine" in code
        ):
            return "other"
    if "engine" in frame.source.code(receiver).lower():
        return "other"
    return "transaction"


def _root_name(node: cst.BaseExpression) -> str | None:
    while isinstance(node, cst.Attribute | cst.Call | cst.Subscript):
        node = node.func if isinstance(node, cst.Call) else node.value
    return node.value if isinstance(node, cst.Name) else None


def _names_in(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.add(name.value)

    node.visit(Names())
    return found


def is_database_call(
    builder: PathBuilder, semantics: Semantics, frame: Frame, call: cst.Call, sessions: set[str]
) -> bool:
    """Whether awaiting `call` is database work: a method of a session or connection
    (`sessions`: their names here), a call handed one, SQLAlchemy itself, or a project helper
    whose own awaits are all of that kind."""
    if _root_name(call.func) in sessions:
        return True
    if any(_names_in(arg.value) & sessions for arg in call.args):
        return True
    if any(q.startswith("sqlalchemy") for q in frame.source.qualified_names(call.func)):
        return True
    target = builder.callee_frame(call, frame)
    if target is None:
        return False
    helper_sessions = {b.name for b in session_blocks(target, builder, semantics) if b.name}
    awaited = [
        a.node.expression
        for a in builder.facts(target).awaits
        if isinstance(a.node.expression, cst.Call)
    ]
    return bool(awaited) and all(
        _direct_database_call(target, call, helper_sessions) for call in awaited
    )


def _direct_database_call(frame: Frame, call: cst.Call, sessions: set[str]) -> bool:
    root = _root_name(call.func)
    if root is not None and (root in sessions or "session" in root or root == "connection"):
        return True
    return any(q.startswith("sqlalchemy") for q in frame.source.qualified_names(call.func))


def database_names(builder: PathBuilder, semantics: Semantics, frame: Frame) -> set[str]:
    """Names the frame binds to sessions or connections (`async with ... as session`)."""
    return {b.name for b in session_blocks(frame, builder, semantics) if b.name} | {
        name
        for site in builder.facts(frame).withs
        if site.item.asname is not None
        and isinstance(site.item.asname.name, cst.Name)
        and (name := site.item.asname.name.value) in {"session", "connection", "conn", "db"}
    }
