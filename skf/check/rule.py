"""What every rule declares: its code, name, checklist item, documentation and examples.

One rule per module under `skf/check/rules/`, Fixit style. The documentation follows ruff's
rule docs: What it does / Why is this bad? / Example / Use instead. `Example` and `Use
instead` are code taken from the rule's own INVALID / VALID examples (the VALID ones cut
from the template), so the docs cannot drift from what the rule really accepts.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from skf.check.findings import Applicability


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
