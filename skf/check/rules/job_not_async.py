"""SKF101 job-not-async: the job is an async function of the project."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_SYNC = service_variant(
    ("async def process_pending_email_messages(", "def process_pending_email_messages("),
    ("    return await EMAIL_QUEUE.run(", "    return EMAIL_QUEUE.run("),
)


class JobNotAsync(Rule):
    code = "SKF101"
    name = "job-not-async"
    checklist_item: ClassVar[int | None] = 1
    summary = "The job is an `async def` function defined in the project."
    what_it_does = (
        "Resolves the callable passed to `add_job` (through imports, aliases, "
        "`functools.partial` and APScheduler's `'module:function'` strings) and reports it "
        "when it is not an `async def` function of the project."
    )
    why_is_this_bad = (
        "On the shared AsyncIOScheduler a plain function runs in a thread pool, where the "
        "async session factory cannot be used and blocking work competes with every other "
        "job; a job skf cannot resolve (a lambda, a missing import) cannot be checked, and "
        "often cannot run either."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _SYNC},
            focus=SERVICE,
            expected_lines=(line_of(_SYNC, "def process_pending_email_messages("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            job = service.job
            if job is None:
                node = service.job_expression or service.call
                yield self.at(
                    f"the job of {service.name}, `{service.job_name}`, is not a function "
                    "defined in the project",
                    service.source,
                    node,
                    service=service.name,
                    symbol=service.job_name,
                )
            elif isinstance(job.node, cst.FunctionDef) and job.node.asynchronous is None:
                yield self.at(
                    f"the job `{job.name}` of {service.name} is not async: on the "
                    "AsyncIOScheduler it runs in a thread, without the async session",
                    job.source,
                    job.node.name,
                    service=service.name,
                    symbol=job.name,
                )
