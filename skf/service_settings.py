"""The settings every generated service gets, as data.

One place for each per-service setting: its env var suffix, type, default, validation and
meaning. The generator writes Settings fields, compose entries and the docs table from it;
the checker knows from it which settings the pattern requires (`pattern_required`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceSetting:
    suffix: str
    """Env var suffix: `<SERVICE>_<suffix>`."""
    answer: str
    """Name of the generator answer (Copier question) that sets the default."""
    annotation: str
    """Pydantic type of the Settings field (validates the value)."""
    default: int | float | bool
    meaning: str
    pattern_required: bool = False
    """The pattern's rule 2b/2c: interval, batch size, max instances, misfire grace."""

    def env_name(self, service: str) -> str:
        return f"{service.upper()}_{self.suffix}"


SERVICE_SETTINGS: tuple[ServiceSetting, ...] = (
    ServiceSetting(
        "INTERVAL_SECONDS", "interval_seconds", "PositiveInt", 60, "seconds between runs", True
    ),
    ServiceSetting("BATCH_SIZE", "batch_size", "PositiveInt", 50, "rows claimed per batch", True),
    ServiceSetting(
        "MAX_INSTANCES",
        "max_instances",
        "PositiveInt",
        1,
        "runs of the job allowed at once in one process",
        True,
    ),
    ServiceSetting(
        "MISFIRE_GRACE_SECONDS",
        "misfire_grace_seconds",
        "PositiveInt",
        300,
        "how late a run may start and still run",
        True,
    ),
    ServiceSetting("COALESCE", "coalesce", "bool", True, "collapse missed runs into one"),
    ServiceSetting("CONCURRENCY", "concurrency", "PositiveInt", 10, "rows worked on at once"),
    ServiceSetting(
        "ITEM_TIMEOUT_SECONDS",
        "item_timeout_seconds",
        "PositiveFloat",
        30.0,
        "time limit for one row",
    ),
    ServiceSetting(
        "LEASE_SECONDS",
        "lease_seconds",
        "PositiveFloat",
        300.0,
        "after this long without a heartbeat a Processing row is rescued",
    ),
    ServiceSetting(
        "MAX_ATTEMPTS", "max_attempts", "PositiveInt", 5, "attempts before a row ends in Error"
    ),
    ServiceSetting(
        "BACKOFF_BASE_SECONDS",
        "backoff_base_seconds",
        "PositiveFloat",
        30.0,
        "first retry delay (doubles per attempt, with jitter)",
    ),
    ServiceSetting(
        "BACKOFF_MAX_SECONDS",
        "backoff_max_seconds",
        "PositiveFloat",
        3600.0,
        "longest retry delay",
    ),
    ServiceSetting(
        "DRAIN_SECONDS",
        "drain_seconds",
        "NonNegativeFloat",
        0.0,
        "keep claiming batches for up to this long per run (0: one batch)",
    ),
    ServiceSetting(
        "WAKEUP_ENABLED",
        "wakeup_enabled",
        "bool",
        False,
        "on PostgreSQL, run as soon as a row becomes due",
    ),
)

BY_SUFFIX = {setting.suffix: setting for setting in SERVICE_SETTINGS}


def format_default(value: int | float | bool) -> str:
    """How a default reads in docs and compose (`true`, `60`, `30.0`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
