"""What every rule declares: its code, name, checklist item, documentation and examples.

One rule per module under `skf/check/rules/`, Fixit style. The documentation follows ruff's
rule docs: What it does / Why is this bad? / Example / Use instead. `Example` and `Use
instead` are code taken from the rule's own INVALID / VALID examples (the VALID ones cut
from the template), so the docs cannot drift from what the rule really accepts.
"""

import abc
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from skf.check.findings import Applicability, Finding, FixInfo

if TYPE_CHECKING:
    import libcst as cst

    from skf.check.fixes import FixPlan
    from skf.project.inventory import Inventory
    from skf.project.source import SourceFile


@dataclass(frozen=True)
class Example:
    """A small host tree: files (relative POSIX path -> text) overlaid on the rule test's
    base project; `focus` names the file whose code the docs show."""

    files: Mapping[str, str]
    focus: str
    expected_lines: tuple[int, ...] = ()
    """INVALID examples: the lines (in `focus`) the rule must report, if a line applies."""
    fixed: Mapping[str, str] | None = None
    """INVALID examples with a fix: the files after `skf check --fix` (None: no fix)."""
    note: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


class RuleMeta:
    """Class attributes every rule defines (checked by the rule-examples test)."""

    code: ClassVar[str]
    name: ClassVar[str]
    checklist_item: ClassVar[int | None]
    summary: ClassVar[str]
    """One line: what the rule enforces."""
    what_it_does: ClassVar[str]
    why_is_this_bad: ClassVar[str]
    fix_applicability: ClassVar[Applicability | None] = None
    fix_description: ClassVar[str | None] = None
    VALID: ClassVar[tuple[Example, ...]]
    INVALID: ClassVar[tuple[Example, ...]]


class Rule(RuleMeta, abc.ABC):
    """A rule the engine runs: `check` yields its findings over the whole inventory.

    Rules with a fix also implement `fix`, which adds the edits for one of their findings to
    a ChangeSet (see `skf.check.fixes`).
    """

    @abc.abstractmethod
    def check(self, inventory: "Inventory") -> Iterator[Finding]:
        """The rule's findings (every one of them: suppressions and baselines come later)."""

    def fix(self, finding: Finding, inventory: "Inventory", plan: "FixPlan") -> bool:
        """Add the edits fixing `finding` to `plan`; False when this finding cannot be fixed
        (rules without a fix keep this default)."""
        return False

    def finding(
        self,
        message: str,
        path: str,
        position: tuple[int, int, int, int] | None = None,
        *,
        service: str | None = None,
        symbol: str = "",
        fix: FixInfo | None = None,
    ) -> Finding:
        line, column, end_line, end_column = position or (None, None, None, None)
        return Finding(
            code=self.code,
            name=self.name,
            checklist_item=self.checklist_item,
            message=message,
            path=path,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            service=service,
            symbol=symbol,
            fix=fix,
        )

    def at(
        self,
        message: str,
        source: "SourceFile",
        node: "cst.CSTNode",
        *,
        service: str | None = None,
        symbol: str = "",
        fix: FixInfo | None = None,
    ) -> Finding:
        """A finding located at `node` of `source`."""
        return self.finding(
            message, source.path, source.position(node), service=service, symbol=symbol, fix=fix
        )

    def default_fix(self, applicability: "Applicability | None" = None) -> FixInfo | None:
        chosen = applicability or self.fix_applicability
        if chosen is None:
            return None
        return FixInfo(chosen, self.fix_description or "")
