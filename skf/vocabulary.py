"""The status vocabulary: the four roles a status plays in a background service.

A service monitors one status (it claims rows in it), marks claimed rows with a processing
status, and finishes each row in a completed or an error status. Generator, checker and docs
writer all speak of statuses through these roles.
"""

import enum


class Role(enum.StrEnum):
    MONITORED = "monitored"
    PROCESSING = "processing"
    COMPLETED = "completed"
    ERROR = "error"


ROLES: tuple[Role, ...] = tuple(Role)

DEFAULT_STATUSES: dict[Role, str] = {
    Role.MONITORED: "Queued",
    Role.PROCESSING: "Processing",
    Role.COMPLETED: "Completed",
    Role.ERROR: "Error",
}

# Spellings teams drift between for the same state (REAL_WORLD.md: Completed / Complete /
# completed, Error / failed, Queued / queued / pending). Used to suggest the member a wrong
# name most likely meant, never to accept it.
SYNONYMS: dict[Role, frozenset[str]] = {
    Role.MONITORED: frozenset({"queued", "pending", "new", "ready", "todo", "waiting"}),
    Role.PROCESSING: frozenset({"processing", "inprogress", "in_progress", "running", "claimed"}),
    Role.COMPLETED: frozenset({"completed", "complete", "done", "success", "succeeded", "sent"}),
    Role.ERROR: frozenset({"error", "failed", "failure", "errored"}),
}


def role_of_spelling(spelling: str) -> Role | None:
    """The role a status name most likely means, whatever its case or separators."""
    folded = spelling.lower().replace(" ", "_").replace("-", "_")
    for role, spellings in SYNONYMS.items():
        if folded in spellings or folded.replace("_", "") in spellings:
            return role
    return None


# What a status in each role means, as the architecture doc's enum tables say it.
ROLE_MEANINGS: dict[Role, str] = {
    Role.MONITORED: "waiting to be claimed",
    Role.PROCESSING: "claimed by a worker",
    Role.COMPLETED: "finished successfully",
    Role.ERROR: "failed after the last attempt",
}
