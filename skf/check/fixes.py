"""`plan_fixes`: the edits that fix findings, as one all-or-nothing ChangeSet.

Rules with a fix describe it as edits on the files as they are: text replacements at node
positions in Python code (so formatting and comments elsewhere are untouched), and whole-file
transforms for the files other structured editors own (a Settings field added with libcst,
a compose entry, an architecture-doc block). A finding is fixed entirely or not at all: when
one of its edits overlaps an edit already planned for another finding, it is left for a
second `--fix` run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from skf.changes import ChangeSet
from skf.check.findings import CheckResult, Finding
from skf.check.rule import Rule
from skf.config import load_layout
from skf.errors import ProjectError
from skf.project.cache import Cache
from skf.project.inventory import Inventory, build_inventory
from skf.project.source import SourceFile

Transform = Callable[[str], str]
Change = Callable[[ChangeSet], None]


@dataclass(frozen=True)
class TextEdit:
    path: str
    start: int
    end: int
    text: str


@dataclass
class FixPlan:
    """The edits one finding's fix makes (collected by `Rule.fix`)."""

    edits: list[TextEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    """Edits made through the shared patchers (they read and write the ChangeSet), applied
    after every text edit, in order."""

    # -- Python code, by node position ---------------------------------------------------

    def replace(self, source: SourceFile, node: cst.CSTNode, text: str) -> None:
        start, end = offsets(source, node)
        self.edits.append(TextEdit(source.path, start, end, text))

    def insert_after(self, source: SourceFile, node: cst.CSTNode, text: str) -> None:
        _, end = offsets(source, node)
        self.edits.append(TextEdit(source.path, end, end, text))

    def insert_at(self, source: SourceFile, offset: int, text: str) -> None:
        self.edits.append(TextEdit(source.path, offset, offset, text))

    # -- whole files ---------------------------------------------------------------------

    def transform(self, path: str, function: Transform) -> None:
        """Edit `path` by `function(current text) -> new text` (after every text edit)."""

        def change(changes: ChangeSet) -> None:
            current = changes.read(path)
            if current is None:
                raise ProjectError(f"{path}: no such file to fix")
            changes.write(path, function(current))

        self.changes.append(change)

    def change(self, function: Change) -> None:
        """Edit through a patcher that works on the ChangeSet (after every text edit)."""
        self.changes.append(function)

    @property
    def empty(self) -> bool:
        return not (self.edits or self.changes)


def offsets(source: SourceFile, node: cst.CSTNode) -> tuple[int, int]:
    """Character offsets of `node` in `source.text`."""
    line, column, end_line, end_column = source.position(node)
    starts = _line_starts(source.text)
    return starts[line - 1] + column - 1, starts[end_line - 1] + end_column - 1


def add_keywords(plan: FixPlan, source: SourceFile, call: cst.Call, keywords: list[str]) -> None:
    """Plan `keyword=value` arguments appended to `call`, in its layout: one per line after
    a trailing comma when the call is exploded, else `, kw=value` on the same line."""
    if not call.args:
        _, end = offsets(source, call)
        plan.insert_at(source, end - 1, ", ".join(keywords))
        return
    last = call.args[-1]
    exploded = "\n" in source.code(call)
    if exploded and isinstance(last.comma, cst.Comma):
        _, column, _, _ = source.position(last)
        indent = " " * (column - 1)
        _, after = offsets(source, last.comma)
        plan.insert_at(source, after, "".join(f"\n{indent}{keyword}," for keyword in keywords))
    else:
        plan.insert_after(source, last.value, "".join(f", {keyword}" for keyword in keywords))


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, character in enumerate(text):
        if character == "\n":
            starts.append(index + 1)
    return starts


def plan_fixes(
    root: Path, result: CheckResult, *, unsafe: bool = False
) -> tuple[ChangeSet, list[Finding]]:
    """The ChangeSet fixing what can be fixed among `result.findings` (safe fixes only,
    unless `unsafe`), and the findings it fixes."""
    from skf.check.rules import ALL_RULES

    rules = {rule.code: rule() for rule in ALL_RULES if issubclass(rule, Rule)}
    wanted = [
        finding
        for finding in sorted(result.findings, key=Finding.sort_key)
        if finding.fix is not None
        and (unsafe or finding.fix.applicability == "safe")
        and finding.code in rules
    ]
    layout = load_layout(root)
    changes = ChangeSet(layout.root)
    if not wanted:
        return changes, []
    inventory = build_inventory(layout, cache=Cache(layout.root))
    accepted: list[tuple[Finding, FixPlan]] = []
    taken: dict[str, list[tuple[int, int]]] = {}
    for finding in wanted:
        plan = FixPlan()
        if not rules[finding.code].fix(finding, inventory, plan) or plan.empty:
            continue
        if any(_overlaps(edit, taken.get(edit.path, [])) for edit in plan.edits):
            continue
        for edit in plan.edits:
            taken.setdefault(edit.path, []).append((edit.start, edit.end))
        accepted.append((finding, plan))
    _apply(changes, inventory, [plan for _, plan in accepted])
    return changes, [finding for finding, _ in accepted]


def _overlaps(edit: TextEdit, taken: list[tuple[int, int]]) -> bool:
    return any(_conflict(edit.start, edit.end, start, end) for start, end in taken)


def _conflict(a: int, b: int, c: int, d: int) -> bool:
    """Whether edit [a, b) and edit [c, d) touch the same text (insertions: a == b)."""
    if a == b and c == d:
        return a == c
    if a == b:
        return c < a < d
    if c == d:
        return a < c < b
    return a < d and c < b


def _apply(changes: ChangeSet, inventory: Inventory, plans: list[FixPlan]) -> None:
    by_path: dict[str, list[TextEdit]] = {}
    for plan in plans:
        for edit in plan.edits:
            by_path.setdefault(edit.path, []).append(edit)
    for path, edits in by_path.items():
        _apply_edits(changes, inventory, path, edits)
    for plan in plans:
        for change in plan.changes:
            change(changes)


def _apply_edits(
    changes: ChangeSet, inventory: Inventory, path: str, edits: list[TextEdit]
) -> None:
    text = inventory.files.source(path).text
    current = changes.read(path)
    if current is None or current != text:
        raise ProjectError(f"{path} changed while fixes were planned; run the command again")
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    changes.write(path, text)
