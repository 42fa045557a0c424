"""Every rule `skf check` knows, one module each (Fixit style), sorted by code.

SKF0xx are about the check itself (syntax errors, suppressions), SKF1xx enforce the
pattern's checklist (SKF10N is item N's primary rule, SKF11N, SKF12N... its further rules),
SKF2xx report the hazards real teams were hurt by.
"""

from skf.check.rule import RuleMeta
from skf.check.rules.claim_skip_locked import ClaimWithoutSkipLocked
from skf.check.rules.incomplete_registration import IncompleteRegistration
from skf.check.rules.private_scheduler import PrivateScheduler
from skf.check.rules.registration_outside_setup import RegistrationOutsideSetup
from skf.check.rules.suppression_without_reason import SuppressionWithoutReason
from skf.check.rules.syntax_error import SyntaxError_
from skf.check.rules.unused_suppression import UnusedSuppression

ALL_RULES: tuple[type[RuleMeta], ...] = tuple(
    sorted(
        (
            SyntaxError_,
            SuppressionWithoutReason,
            UnusedSuppression,
            ClaimWithoutSkipLocked,
            IncompleteRegistration,
            PrivateScheduler,
            RegistrationOutsideSetup,
        ),
        key=lambda rule: rule.code,
    )
)

__all__ = ["ALL_RULES"]
