"""Every rule `skf check` knows, one module each (Fixit style), sorted by code.

SKF0xx are about the check itself (syntax errors, suppressions), SKF1xx enforce the
pattern's checklist (SKF10N is item N's primary rule, SKF11N, SKF12N... its further rules),
SKF2xx report the hazards real teams were hurt by.
"""

from skf.check.rule import RuleMeta
from skf.check.rules.broken_trigger import BrokenTrigger
from skf.check.rules.claim_skip_locked import ClaimWithoutSkipLocked
from skf.check.rules.enum_storage_mismatch import EnumStorageMismatch
from skf.check.rules.failed_item_not_marked import FailedItemNotMarked
from skf.check.rules.failure_without_traceback import FailureWithoutTraceback
from skf.check.rules.hardcoded_schedule import HardcodedSchedule
from skf.check.rules.incomplete_registration import IncompleteRegistration
from skf.check.rules.incomplete_service_docs import IncompleteServiceDocs
from skf.check.rules.incomplete_tests import IncompleteTests
from skf.check.rules.job_not_async import JobNotAsync
from skf.check.rules.missing_compose_env import MissingComposeEnv
from skf.check.rules.no_batch_size import NoBatchSize
from skf.check.rules.no_claim_query import NoClaimQuery
from skf.check.rules.no_stale_rescue import NoStaleRescue
from skf.check.rules.outdated_host import OutdatedHost
from skf.check.rules.outdated_template import OutdatedTemplate
from skf.check.rules.private_scheduler import PrivateScheduler
from skf.check.rules.registration_outside_setup import RegistrationOutsideSetup
from skf.check.rules.retry_never_fires import RetryNeverFires
from skf.check.rules.run_not_logged import RunNotLogged
from skf.check.rules.session_across_await import SessionAcrossAwait
from skf.check.rules.session_not_shared import SessionNotShared
from skf.check.rules.setup_never_called import SetupNeverCalled
from skf.check.rules.status_string_literal import StatusStringLiteral
from skf.check.rules.suppression_without_reason import SuppressionWithoutReason
from skf.check.rules.syntax_error import SyntaxError_
from skf.check.rules.unchecked_status_reset import UncheckedStatusReset
from skf.check.rules.undefined_setting import UndefinedSetting
from skf.check.rules.undocumented_service import UndocumentedService
from skf.check.rules.undocumented_status import UndocumentedStatus
from skf.check.rules.unguarded_trigger import UnguardedTrigger
from skf.check.rules.unknown_status_member import UnknownStatusMember
from skf.check.rules.untested_job import UntestedJob
from skf.check.rules.unused_suppression import UnusedSuppression

ALL_RULES: tuple[type[RuleMeta], ...] = tuple(
    sorted(
        (
            BrokenTrigger,
            ClaimWithoutSkipLocked,
            EnumStorageMismatch,
            FailedItemNotMarked,
            FailureWithoutTraceback,
            HardcodedSchedule,
            IncompleteRegistration,
            IncompleteServiceDocs,
            IncompleteTests,
            JobNotAsync,
            MissingComposeEnv,
            NoBatchSize,
            NoClaimQuery,
            NoStaleRescue,
            OutdatedHost,
            OutdatedTemplate,
            PrivateScheduler,
            RegistrationOutsideSetup,
            RetryNeverFires,
            RunNotLogged,
            SessionAcrossAwait,
            SessionNotShared,
            SetupNeverCalled,
            StatusStringLiteral,
            SuppressionWithoutReason,
            SyntaxError_,
            UncheckedStatusReset,
            UndefinedSetting,
            UndocumentedService,
            UndocumentedStatus,
            UnguardedTrigger,
            UnknownStatusMember,
            UntestedJob,
            UnusedSuppression,
        ),
        key=lambda rule: rule.code,
    )
)

__all__ = ["ALL_RULES"]
