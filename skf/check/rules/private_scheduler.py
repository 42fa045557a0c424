"""SKF113 private-scheduler: jobs go on the shared scheduler, never on a second one."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_PRIVATE = service_variant(
    (
        "from src.scheduler_instance import scheduler\n",
        "from apscheduler.schedulers.asyncio import AsyncIOScheduler\n",
    ),
    ("JOB_ID = ", "scheduler = AsyncIOScheduler()\n\nJOB_ID = "),
)


class PrivateScheduler(Rule):
    code = "SKF113"
    name = "private-scheduler"
    checklist_item: ClassVar[int | None] = 3
    summary = "Jobs are added to the shared scheduler instance, not to a scheduler of their own."
    what_it_does = (
        "Reports an `add_job(...)` on a scheduler the project creates itself "
        "(`AsyncIOScheduler()` and the like) rather than on the shared instance the layout "
        "names (`src/scheduler_instance.py:scheduler` by default), resolved through imports "
        "and aliases."
    )
    why_is_this_bad = (
        "A second scheduler is started (or not) separately, has its own executors and event "
        "listeners, is not paused on shutdown with the others, and its jobs are invisible to "
        "the dev tools and queue status endpoints that look jobs up on the shared scheduler: "
        "a service registered there may silently never run."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _PRIVATE},
            focus=SERVICE,
            expected_lines=(line_of(_PRIVATE, "scheduler.add_job("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        shared = inventory.semantics.shared_scheduler
        for service in inventory.services:
            if service.site.scheduler != "private":
                continue
            origin = service.site.scheduler_origin or "a scheduler of its own"
            func = service.call.func
            yield self.at(
                f"{service.name} adds its job to `{origin}`, not to the shared scheduler "
                f"`{shared}`",
                service.source,
                func.attr if isinstance(func, cst.Attribute) else service.call,
                service=service.name,
                symbol="scheduler",
            )
