"""The pattern's Implementation Checklist, as data.

One place for the eight items: the generator prints them ticked, the checker maps every
SKF1xx rule to one of them, `skf checklist` renders them for a pull request.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChecklistItem:
    number: int
    key: str
    title: str
    """The pattern's own wording."""
    requirement: str
    """What skf verifies for the item."""


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        1,
        "job_function",
        "Define job function with correct signature and session pattern",
        "an async job function whose batch-size parameter defaults to a setting and that "
        "takes its session from the shared get_background_session()",
    ),
    ChecklistItem(
        2,
        "status_query",
        "Query target table for correct ENUM/status value",
        "the claim selects the monitored member of the model's status enum with "
        ".with_for_update(skip_locked=True); every status read or written is a member",
    ),
    ChecklistItem(
        3,
        "scheduler_registration",
        "Register job with shared scheduler in a `setup_<service>_scheduler` function",
        "setup_<service>_scheduler() adds the job to the shared scheduler instance with an "
        "id and replace_existing=True",
    ),
    ChecklistItem(
        4,
        "environment",
        "Add/verify all required environment variables",
        "interval, batch size, max instances and misfire grace come from settings that exist "
        "and are set for the application's compose service",
    ),
    ChecklistItem(
        5,
        "enum_docs",
        "Update authoritative ENUM documentation if new statuses are introduced",
        "the statuses monitored and set are listed, spelled as the enum's values, in the "
        "architecture doc's Authoritative ENUMs section",
    ),
    ChecklistItem(
        6,
        "logging_errors",
        "Add robust logging and error handling",
        "run start and end are logged; a failed item gets the error status and its exception "
        "is logged with the traceback; nothing is swallowed with the row left in Processing",
    ),
    ChecklistItem(
        7,
        "service_docs",
        "Document the service in BACKGROUND_SERVICES_ARCHITECTURE.md",
        "the architecture doc has the service's section (job, model/table, statuses, env vars)",
    ),
    ChecklistItem(
        8,
        "tests",
        "Add tests for job logic and error paths",
        "a test module exercises the job function with a success-path and an error-path test",
    ),
)

BY_NUMBER = {item.number: item for item in CHECKLIST}


def checklist_item(number: int) -> ChecklistItem:
    return BY_NUMBER[number]
