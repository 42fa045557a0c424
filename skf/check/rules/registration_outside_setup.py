"""SKF123 registration-outside-setup: each job is registered by `setup_<service>_scheduler()`."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_OUTSIDE = service_variant(
    ("def setup_email_sender_scheduler() -> None:", "def register_jobs() -> None:"),
)


class RegistrationOutsideSetup(Rule):
    code = "SKF123"
    name = "registration-outside-setup"
    checklist_item: ClassVar[int | None] = 3
    summary = "Every job is registered in a `setup_<service>_scheduler()` function."
    what_it_does = (
        "Reports an `add_job(...)` on the shared scheduler made outside a function named "
        "`setup_<service>_scheduler` (at module level, or in a function named otherwise)."
    )
    why_is_this_bad = (
        "The setup function is how the pattern names a service and how the application "
        "starts it: a job registered at import time runs whenever its module happens to be "
        "imported (in tests, in scripts), and one registered elsewhere has no name the "
        "architecture doc, the settings and the compose entries can follow."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _OUTSIDE},
            focus=SERVICE,
            expected_lines=(line_of(_OUTSIDE, "scheduler.add_job("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            if service.site.setup_service is not None:
                continue
            where = (
                "at module level"
                if service.site.function_name is None
                else f"in `{service.site.function_name}()`"
            )
            func = service.call.func
            yield self.at(
                f"the job `{service.job_name}` is registered {where}, not in a "
                "`setup_<service>_scheduler()` function",
                service.source,
                func.attr if isinstance(func, cst.Attribute) else service.call,
                service=service.name,
                symbol="setup",
            )
