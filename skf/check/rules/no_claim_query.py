"""SKF112 no-claim-query: the job selects its rows by the status column's monitored member."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_NO_STATUS = service_variant(
    ("                    EmailMessage.status == EmailStatus.Queued,\n", ""),
)


class NoClaimQuery(Rule):
    code = "SKF112"
    name = "no-claim-query"
    checklist_item: ClassVar[int | None] = 2
    summary = "The job claims its rows by querying the status column for the monitored value."
    what_it_does = (
        "Follows the job and the helpers it calls (one call deep at least, into the shared "
        "runtime too) looking for the claim: a `select` (or `update`) whose WHERE compares "
        "a model's status column with a member of its status enum. Reports the job when "
        "there is none."
    )
    why_is_this_bad = (
        "A job that does not select by status processes rows regardless of their state: "
        "finished rows again, rows another worker holds, or nothing at all. Without a claim "
        "skf cannot tell which model, column and statuses the service owns either."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _NO_STATUS},
            focus=SERVICE,
            expected_lines=(line_of(_NO_STATUS, "async def process_pending_email_messages("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            job = service.job
            if job is None or service.claim is not None:
                continue
            assert isinstance(job.node, cst.FunctionDef)
            yield self.at(
                f"the job `{job.name}` of {service.name} has no claim query: nothing on its "
                "path selects rows by a status column compared with an enum member",
                job.source,
                job.node.name,
                service=service.name,
                symbol="claim",
            )
