"""SKF003 unused-suppression: a `# skf: ignore[...]` that suppresses nothing.

Judged after the engine ran (`skf.check.suppression`), so this is rule metadata only.
"""

from typing import ClassVar

from skf.check.rule import Example, RuleMeta
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant

_CLAIM = ".with_for_update(skip_locked=True)"
_STALE = service_variant((_CLAIM, _CLAIM + "  # skf: ignore[SKF102] the old claim had no lock"))
_BARE = service_variant((_CLAIM, _CLAIM + "  # skf: ignore"))


class UnusedSuppression(RuleMeta):
    code = "SKF003"
    name = "unused-suppression"
    checklist_item: ClassVar[int | None] = None
    summary = "Every `# skf: ignore[...]` suppresses a finding on its line."
    what_it_does = (
        "Reports a suppression comment that names no code (`# skf: ignore`), names a code "
        "that is not a rule, or names a rule with no finding on that line. Suppressions in a "
        "file that does not parse are not judged."
    )
    why_is_this_bad = (
        "A suppression that outlives its finding silently hides the next real problem on that "
        "line; one with a misspelled or missing code never suppressed anything and only looks "
        "as if it did."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _STALE},
            focus=SERVICE,
            expected_lines=(line_of(_STALE, "# skf: ignore"),),
        ),
        Example(
            files={SERVICE: _BARE},
            focus=SERVICE,
            expected_lines=(line_of(_BARE, "# skf: ignore"),),
        ),
    )
