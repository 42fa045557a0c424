"""SKF002 suppression-without-reason: a `# skf: ignore[...]` that does not say why.

Judged after the engine ran (`skf.check.suppression`), so this is rule metadata only: the
engine runs `Rule` subclasses, and suppressions are applied to what they find.
"""

from typing import ClassVar

from skf.check.rule import Example, RuleMeta
from skf.check.rules._reference import SERVICE, line_of, service_variant

_CLAIM = ".with_for_update()"
_WITH_REASON = service_variant(
    (
        ".with_for_update(skip_locked=True)",
        _CLAIM + "  # skf: ignore[SKF102] one worker drains this queue, by design",
    )
)
_WITHOUT_REASON = service_variant(
    (".with_for_update(skip_locked=True)", _CLAIM + "  # skf: ignore[SKF102]")
)


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
        "silenced to get a pull request through, nor when it can be removed."
    )
    VALID = (Example(files={SERVICE: _WITH_REASON}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _WITHOUT_REASON},
            focus=SERVICE,
            expected_lines=(line_of(_WITHOUT_REASON, "# skf: ignore"),),
        ),
    )
