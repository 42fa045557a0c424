"""SKF003 unused-suppression: a `# skf: ignore[...]` that suppresses nothing."""

from typing import ClassVar

from skf.check.rule import Example, RuleMeta

_MODULE = "src/services/retry_delays.py"


class UnusedSuppression(RuleMeta):
    code = "SKF003"
    name = "unused-suppression"
    checklist_item: ClassVar[int | None] = None
    summary = "Every `# skf: ignore[...]` suppresses a finding on its line."
    what_it_does = (
        "Reports a suppression comment that names no code (`# skf: ignore`), names a code "
        "that is not a rule, or names a rule with no finding on that line."
    )
    why_is_this_bad = (
        "A suppression that outlives its finding hides the next, real problem on that line "
        "without anyone deciding to; a misspelled or missing code never suppressed anything "
        "and only looks like it does."
    )
    VALID = (Example(files={_MODULE: "DELAYS = [30, 60]\n"}, focus=_MODULE),)
    INVALID = (
        Example(
            files={_MODULE: "DELAYS = [30, 60]  # skf: ignore[SKF104] tuned by hand\n"},
            focus=_MODULE,
            expected_lines=(1,),
        ),
        Example(
            files={_MODULE: "DELAYS = [30, 60]  # skf: ignore\n"},
            focus=_MODULE,
            expected_lines=(1,),
        ),
    )
