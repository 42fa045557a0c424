"""SKF104 hardcoded-schedule: interval, batch size, max instances and misfire grace come from
settings."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.fixes import FixPlan
from skf.check.rule import Example, Rule
from skf.check.rules import _settings_fix
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.check.rules._support import call_name, service_of
from skf.project.inventory import Inventory, Service
from skf.project.semantics import ValueSource
from skf.project.source import SourceFile

_SETUP = (
    "def setup_email_sender_scheduler() -> None:\n"
    '    """Register the email sender job on the shared scheduler."""\n'
)
_LITERALS = service_variant(
    (
        "        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n",
        "        misfire_grace_time=1800,\n",
    ),
    (_SETUP, _SETUP + "    interval = 30\n"),
    ("        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,\n", "        seconds=interval,\n"),
)
_LITERALS_FIXED = service_variant(
    (_SETUP, _SETUP + "    interval = settings.EMAIL_SENDER_INTERVAL_SECONDS\n"),
    ("        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,\n", "        seconds=interval,\n"),
)
_MINUTES = service_variant(
    ("        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,\n", "        minutes=5,\n"),
)
_MINUTES_FIXED = service_variant(
    (
        "        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,\n",
        "        minutes=settings.EMAIL_SENDER_INTERVAL_MINUTES,\n",
    ),
)
_MISSING = service_variant(
    ("        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n", ""),
)
_MISSING_FIXED = service_variant(
    ("        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n", ""),
    (
        "        replace_existing=True,\n",
        "        replace_existing=True,\n"
        "        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n",
    ),
)


@dataclass(frozen=True)
class Knob:
    """One scheduling value the pattern wants from settings."""

    symbol: str
    """`interval`, `batch_size`, `max_instances`, `misfire_grace_time`."""
    suffix: str
    """The env var suffix of the setting a fix creates (`INTERVAL_MINUTES`, ...)."""
    value: ValueSource
    place: cst.CSTNode
    """Where the finding points."""
    source: SourceFile
    missing: bool = False


class HardcodedSchedule(Rule):
    code = "SKF104"
    name = "hardcoded-schedule"
    checklist_item: ClassVar[int | None] = 4
    summary = "Interval, batch size, max instances and misfire grace come from settings."
    what_it_does = (
        "Reports a service whose interval, batch size, `max_instances` or "
        "`misfire_grace_time` is a literal (in `add_job`, in `IntervalTrigger(...)`, in the "
        "job's batch-size default or its claim's `.limit()`), also when the literal is "
        "reached through a local variable or a module constant; and a registration with no "
        "`max_instances` or `misfire_grace_time` at all."
    )
    why_is_this_bad = (
        "The pattern makes every timing, batch and concurrency parameter environment-driven "
        "so operators can tune a service without a deploy. A literal cannot be changed when "
        "a backlog builds up or a dependency slows down, and defaults that live in code "
        "drift from the env example (REAL_WORLD: `misfire_grace_time=1800` copied into most "
        "jobs; a job hard-coding its interval although the matching setting existed)."
    )
    fix_applicability = "safe"
    fix_description = (
        "Replaces the literal with a new setting `<SERVICE>_<NAME>` whose default is the "
        "literal: adds the Settings field, the compose env var and the docs row (unsafe when "
        "an existing setting of that name has another default, or when a missing value is "
        "added with the pattern's default, which changes behaviour)."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _MINUTES},
            focus=SERVICE,
            expected_lines=(line_of(_MINUTES, "minutes=5"),),
            fixed={SERVICE: _MINUTES_FIXED},
            note="The fix also adds `EMAIL_SENDER_INTERVAL_MINUTES: PositiveInt = 5` to "
            "Settings, the compose env var and the row in the service's doc section.",
        ),
        Example(
            files={SERVICE: _LITERALS},
            focus=SERVICE,
            expected_lines=(
                line_of(_LITERALS, "seconds=interval"),
                line_of(_LITERALS, "misfire_grace_time=1800"),
            ),
            fixed={SERVICE: _LITERALS_FIXED},
            note="Fixed only with --unsafe-fixes: the settings of those names exist with other "
            "defaults (60 and 300), so the behaviour changes unless the env sets them.",
        ),
        Example(
            files={SERVICE: _MISSING},
            focus=SERVICE,
            expected_lines=(line_of(_MISSING, "scheduler.add_job("),),
            fixed={SERVICE: _MISSING_FIXED},
            note="Fixed only with --unsafe-fixes: APScheduler's default grace is 1 second.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            for knob in knobs(service):
                message = _message(service, knob)
                if message is None:
                    continue
                applicability = _settings_fix.applicability(inventory, service, knob)
                yield self.at(
                    message,
                    knob.source,
                    knob.place,
                    service=service.name,
                    symbol=knob.symbol,
                    fix=self.default_fix(applicability) if applicability else None,
                )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = service_of(inventory, finding)
        if service is None:
            return False
        knob = next((k for k in knobs(service) if k.symbol == finding.symbol), None)
        if knob is None or knob.source.line_of(knob.place) != finding.line:
            return False
        return _settings_fix.plan(inventory, service, knob, plan)


def _message(service: Service, knob: Knob) -> str | None:
    what = knob.symbol
    if knob.missing:
        return (
            f"{service.name} registers its job without `{what}`; set it from a setting "
            f"(`{_settings_fix.setting_name(service, knob.suffix)}`)"
        )
    if knob.value.kind in {"literal", "variable"}:
        return f"{what} of {service.name} is {knob.value.describe()}; read it from a setting"
    return None


def knobs(service: Service) -> list[Knob]:
    """The scheduling values of `service` and where each comes from."""
    found: list[Knob] = []
    source = service.source
    trigger = service.trigger
    if trigger is None or (trigger.kind == "interval" and not trigger.fields):
        place = trigger.node if trigger is not None and trigger.node else call_name(service.call)
        found.append(
            Knob("interval", "INTERVAL_SECONDS", ValueSource("missing"), place, source, True)
        )
    elif trigger.kind in {"interval", "cron"}:
        for field, value in trigger.fields.items():
            suffix = f"INTERVAL_{field.upper()}" if trigger.kind == "interval" else ""
            place = value.origin or trigger.node or service.call
            origin = value.origin_source or source
            found.append(Knob("interval", suffix, value, place, origin))
    batch = service.batch
    if batch is not None and batch.value.kind in {"literal", "variable"}:
        value = batch.value
        found.append(
            Knob(
                "batch_size",
                "BATCH_SIZE",
                value,
                value.origin or service.call,
                value.origin_source or source,
            )
        )
    for keyword, suffix in (
        ("max_instances", "MAX_INSTANCES"),
        ("misfire_grace_time", "MISFIRE_GRACE_SECONDS"),
    ):
        given = service.keywords.get(keyword)
        if given is None:
            if not any(arg.star == "**" for arg in service.call.args):
                found.append(
                    Knob(
                        keyword,
                        suffix,
                        ValueSource("missing"),
                        call_name(service.call),
                        source,
                        True,
                    )
                )
        else:
            found.append(Knob(keyword, suffix, given, given.origin or service.call, source))
    return found
