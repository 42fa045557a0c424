"""How code on a processing path uses status values: which enum members it compares against
(reads) and which it stores (writes), and where string literals stand in for members.

An attribute of a project object the code reads (`self._claim_update`, built once in
`__init__`) counts as its value written at the read: `self._claim_update.where(...)` writes
the statuses the `.values(...)` of that UPDATE sets. The value is judged where it is written
(in the `__init__` frame, with the constructor's arguments bound), once per service.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import libcst as cst

from skf.project.literals import string_value
from skf.project.resolve import Bound, Frame
from skf.project.semantics import ColumnRef, MemberRef, Semantics
from skf.project.source import SourceFile
from skf.vocabulary import Role, role_of_spelling

Access = Literal["read", "write", "other"]
_COMPARE_METHODS = frozenset({"in_", "not_in", "notin_", "is_", "is_not", "isnot", "__eq__"})
_WRITE_METHODS = frozenset({"values", "update", "set", "ordered_values"})


@dataclass(frozen=True)
class StatusUse:
    ref: MemberRef
    access: Access
    node: cst.BaseExpression
    """The expression at the use (may be a variable bound to the member)."""
    source: SourceFile
    frame: Frame | None
    role_hint: Role | None
    direct: bool = False
    """The member is written as `Enum.Member` in the code judged: at `node`, or in the value
    of an object attribute read at `node`."""

    @property
    def member(self) -> str:
        return self.ref.member


@dataclass(frozen=True)
class LiteralStatus:
    """A string literal compared with, or stored into, a status column."""

    value: str
    node: cst.BaseExpression
    source: SourceFile
    column: ColumnRef | None
    access: Access


def role_hint(via: Sequence[str]) -> Role | None:
    """The role the names a value was reached through give it (the first that says one)."""
    return next((role for label in via if (role := role_of_label(label))), None)


def role_of_label(label: str) -> Role | None:
    """`processing_status`, `self.error`, `queued` -> the role the name says."""
    name = label.rpartition(".")[2]
    for suffix in ("_status", "_state", "status_", "state_"):
        name = name.replace(suffix, "")
    if name in {"monitored", "queued", "pending", "source", "from"}:
        return Role.MONITORED
    if name in {"done", "success", "succeeded", "completed", "complete", "finished"}:
        return Role.COMPLETED
    if name in {"failed", "failure", "error", "errored"}:
        return Role.ERROR
    if name in {"processing", "claimed", "running", "in_progress"}:
        return Role.PROCESSING
    return None


def role_of(use: StatusUse) -> Role | None:
    return use.role_hint or role_of_spelling(use.ref.member) or role_of_spelling(use.ref.value)


@dataclass
class _Candidate:
    node: cst.BaseExpression
    access: Access
    end: int = 0
    """Index of the first entry after this node's subtree (skipped once it is a member)."""


@dataclass
class _Plan:
    """What a function (or module) body holds, found once and judged per frame: the
    expressions that may be status members with how they are used, and the places where a
    string may stand for a status."""

    candidates: list[_Candidate]
    comparisons: list[cst.Comparison]
    dict_values: list[cst.Call]
    literals: list[tuple[str, cst.BaseExpression, Access]]
    """Strings written for a status without needing any name resolved."""


class _Planner(cst.CSTVisitor):
    def __init__(self, function: cst.FunctionDef | None, outer: Access = "other") -> None:
        super().__init__()
        self.function = function
        self.plan = _Plan([], [], [], [])
        self._access: list[Access] = [outer]
        """How the value planned is used: "other" for a function body; for an attribute's
        value, how the code reading the attribute uses it."""
        self._write_values: set[int] = set()
        self._open: list[int] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self.function is None or node is self.function

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self.function is None

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self._access.append("read")
        self.plan.comparisons.append(node)

    def leave_Comparison(self, original_node: cst.Comparison) -> None:
        self._access.pop()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else None
        if name in _COMPARE_METHODS:
            self._access.append("read")
        elif name in _WRITE_METHODS:
            self._access.append("write")
            self._values(node)
        else:
            self._access.append(self._access[-1])

    def leave_Call(self, original_node: cst.Call) -> None:
        self._access.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(isinstance(t.target, cst.Attribute | cst.Subscript) for t in node.targets):
            self._write_values.add(id(node.value))
            text = string_value(node.value)
            for target in node.targets:
                if (
                    text is not None
                    and isinstance(target.target, cst.Attribute)
                    and _status_like(target.target.attr.value)
                ):
                    self.plan.literals.append((text, node.value, "write"))
        elif any(
            isinstance(t.target, cst.Name) and _status_like(t.target.value) for t in node.targets
        ):
            # `status = Enum.Error` ... `row.status = status`: the status chosen is written.
            self._write_values.add(id(node.value))

    def visit_DictElement(self, node: cst.DictElement) -> None:
        # `.values({...})`, or a dict of column values keyed by the status column
        # (`{self.status.key: self.completed}` handed to `.values()` later).
        if self._access[-1] == "write" or _mentions_status(node.key):
            self._write_values.add(id(node.value))

    def _access_of(self, node: cst.BaseExpression) -> Access:
        if id(node) in self._write_values:
            return "write"
        return self._access[-1]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._open.append(len(self.plan.candidates))
        self.plan.candidates.append(_Candidate(node, self._access_of(node)))

    def leave_Attribute(self, original_node: cst.Attribute) -> None:
        self.plan.candidates[self._open.pop()].end = len(self.plan.candidates)

    def visit_Name(self, node: cst.Name) -> None:
        index = len(self.plan.candidates)
        self.plan.candidates.append(_Candidate(node, self._access_of(node), index + 1))

    def _values(self, call: cst.Call) -> None:
        for arg in call.args:
            if arg.keyword is not None and _status_like(arg.keyword.value):
                text = string_value(arg.value)
                if text is not None:
                    self.plan.literals.append((text, arg.value, "write"))
            elif arg.keyword is None and isinstance(arg.value, cst.Dict):
                self.plan.dict_values.append(call)


_PLANS: weakref.WeakKeyDictionary[Semantics, dict[tuple[int, int, Access], _Plan]] = (
    weakref.WeakKeyDictionary()
)


def _plan(
    semantics: Semantics,
    root: cst.CSTNode,
    function: cst.FunctionDef | None,
    outer: Access = "other",
) -> _Plan:
    # Cached for the life of one inventory (whose syntax trees all stay alive, so node ids
    # are not reused): each service on a shared runtime re-judges its plans, never re-walks.
    plans = _PLANS.setdefault(semantics, {})
    key = (id(root), id(function), outer)
    found = plans.get(key)
    if found is None:
        planner = _Planner(function, outer)
        root.visit(planner)
        found = planner.plan
        plans[key] = found
    return found


_Judged = tuple[list[StatusUse], list[LiteralStatus]]


@dataclass
class Following:
    """The values of object attributes read on one service's path, each judged once."""

    judged: dict[tuple[int, int, Access], _Judged] = field(default_factory=dict)
    active: set[tuple[int, int]] = field(default_factory=set)
    """Values being judged (an attribute whose value reads itself ends there)."""
    reported: set[int] = field(default_factory=set)
    """String literals already listed for the service: one written place, one entry."""

    def judge(self, semantics: Semantics, bound: Bound, access: Access) -> _Judged:
        where = (id(bound.node), id(bound.frame))
        key = (*where, access)
        found = self.judged.get(key)
        if found is not None:
            return found
        if where in self.active:
            return [], []
        self.active.add(where)
        try:
            judge = _Judge(semantics, bound.source, bound.frame, self, top=False)
            judge.run(_plan(semantics, bound.node, None, access))
        finally:
            self.active.discard(where)
        found = (judge.uses, judge.literals)
        self.judged[key] = found
        return found


class _Judge:
    """Judges a plan in one frame: which candidates are members, which strings statuses."""

    def __init__(
        self,
        semantics: Semantics,
        source: SourceFile,
        frame: Frame | None,
        following: Following | None = None,
        *,
        top: bool = True,
    ) -> None:
        self.semantics = semantics
        self.source = source
        self.frame = frame
        self.following = following
        self.top = top
        self.uses: list[StatusUse] = []
        self.literals: list[LiteralStatus] = []

    def run(self, plan: _Plan) -> None:
        index = 0
        candidates = plan.candidates
        while index < len(candidates):
            candidate = candidates[index]
            is_name = isinstance(candidate.node, cst.Name)
            if (not is_name or self.frame is not None) and self._record(candidate):
                # Any further assignment of an attribute resolved through its first one.
                self._follow(candidate, 1)
                index = max(candidate.end, index + 1)
            else:
                self._follow(candidate, 0)
                index += 1
        for comparison in plan.comparisons:
            self._literal_comparison(comparison)
        for call in plan.dict_values:
            self._literal_dicts(call)
        for text, node, access in plan.literals:
            self.literals.append(LiteralStatus(text, node, self.source, None, access))

    def _record(self, candidate: _Candidate) -> bool:
        node = candidate.node
        resolved = self.semantics.resolver.resolve(node, self.source, self.frame)
        ref = self.semantics.member_at(resolved.node, resolved.source)
        if ref is None:
            return False
        hint = role_hint(resolved.via)
        self.uses.append(
            StatusUse(ref, candidate.access, node, self.source, self.frame, hint, ref.node is node)
        )
        return True

    def _follow(self, candidate: _Candidate, skip: int) -> None:
        """An object attribute read: its value (each one `__init__` or the class body may
        assign) counts as written here."""
        node = candidate.node
        if self.following is None or not isinstance(node, cst.Attribute):
            return
        values = self.semantics.resolver.attribute_values(node, self.source, self.frame)
        for bound in values[skip:]:
            uses, literals = self.following.judge(self.semantics, bound, candidate.access)
            self.uses.extend(
                replace(use, node=node, source=self.source, frame=self.frame) for use in uses
            )
            for literal in literals:
                if not self.top:
                    self.literals.append(literal)
                elif id(literal.node) not in self.following.reported:
                    self.following.reported.add(id(literal.node))
                    self.literals.append(literal)

    def _status_column(self, node: cst.BaseExpression) -> ColumnRef | None:
        column = self.semantics.column(node, self.source, self.frame)
        if column is None:
            return None
        if column.column.enum is None and not _status_like(column.attribute):
            return None
        return column

    def _text(self, node: cst.BaseExpression) -> str | None:
        """A string literal, or `Member.value` / `Member.name` (a string in disguise)."""
        text = string_value(node)
        if text is not None or not isinstance(node, cst.Attribute):
            return text
        if node.attr.value not in {"value", "name"}:
            return None
        ref = self.semantics.member(node.value, self.source, self.frame)
        if ref is None or not ref.exists:
            return None
        return ref.value if node.attr.value == "value" else ref.member

    def _literal_comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            right = target.comparator
            for column_side, value_side in ((left, right), (right, left)):
                text = self._text(value_side)
                if text is None:
                    continue
                column = self._status_column(column_side)
                if column is not None:
                    self.literals.append(
                        LiteralStatus(text, value_side, self.source, column, "read")
                    )
            left = right

    def _literal_dicts(self, call: cst.Call) -> None:
        for arg in call.args:
            if arg.keyword is not None or not isinstance(arg.value, cst.Dict):
                continue
            for element in arg.value.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                text = string_value(element.value)
                key_name = string_value(element.key)
                column = None if key_name else self._status_column(element.key)
                if text is not None and (column is not None or _status_like(key_name or "")):
                    self.literals.append(
                        LiteralStatus(text, element.value, self.source, column, "write")
                    )


def _mentions_status(node: cst.BaseExpression) -> bool:
    text = string_value(node)
    if text is not None:
        return _status_like(text)
    names: list[str] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            names.append(name.value)

    node.visit(Names())
    return any(_status_like(name) for name in names)


def _status_like(name: str) -> bool:
    lowered = name.lower()
    return lowered == "status" or lowered.endswith(("_status", "status_")) or lowered == "state"


def status_uses(
    semantics: Semantics, frame: Frame, following: Following | None = None
) -> tuple[list[StatusUse], list[LiteralStatus]]:
    """The status uses in `frame`'s function; with `following` (one per service path), also
    those in the values of the object attributes it reads. A use found in an attribute's
    value is placed at the read (`node`, `source` and `frame` say where the path reads it);
    a string literal stays where it is written."""
    judge = _Judge(semantics, frame.source, frame, following)
    judge.run(_plan(semantics, frame.function, frame.function))
    return judge.uses, judge.literals


def module_status_uses(
    semantics: Semantics, source: SourceFile
) -> tuple[list[StatusUse], list[LiteralStatus]]:
    """Members written anywhere in a module (as `Enum.Member`; variables not followed)."""
    judge = _Judge(semantics, source, None)
    judge.run(_plan(semantics, source.module, None))
    return judge.uses, judge.literals
