"""SKF002 suppression-without-reason: a `# skf: ignore[...]` that does not say why."""

from typing import ClassVar

from skf.check.rule import Example, RuleMeta

_HELPERS = "src/services/retry_delays.py"


class SuppressionWithoutReason(RuleMeta):
    code = "SKF002"
    name = "suppression-without-reason"
    checklist_item: ClassVar[int | None] = None
    summary = "Every `# skf: ignore[...]` says why the finding does not apply."
    what_it_does = (
        "Reports a `# skf: ignore[CODE]` comment with nothing after the brackets. The "
        "suppression still applies; the missing reason is reported on its own."
    )
    why_is_this_bad = (
        "A suppression switches a compliance check off for one line. Without a reason, the "
        "next reader cannot tell a deliberate, reviewed exception from a finding someone "
        "silenced to get a pull request through, and nobody knows when it can be removed."
    )
    VALID = (
        Example(
            files={_HELPERS: "DELAYS = [30, 60]  # skf: ignore[SKF104] fixed by the vendor SLA\n"},
            focus=_HELPERS,
            note="(SKF003 reports this suppression too when SKF104 has nothing to report here.)",
        ),
    )
    INVALID = (
        Example(
            files={_HELPERS: "DELAYS = [30, 60]  # skf: ignore[SKF104]\n"},
            focus=_HELPERS,
            expected_lines=(1,),
        ),
    )
