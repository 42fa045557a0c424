"""SKF111 no-batch-size: the job claims a bounded batch, sized by a parameter."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_UNBOUNDED = service_variant(
    (
        "async def process_pending_email_messages(\n"
        "    limit: int = settings.EMAIL_SENDER_BATCH_SIZE,\n"
        ") -> RunSummary:",
        "async def process_pending_email_messages() -> RunSummary:",
    ),
    ("                .limit(limit)\n", ""),
)


class NoBatchSize(Rule):
    code = "SKF111"
    name = "no-batch-size"
    checklist_item: ClassVar[int | None] = 1
    summary = "The job takes a batch-size parameter (or passes a batch size to its claim)."
    what_it_does = (
        "Reports a job whose claim is unbounded: no batch-size parameter (`limit`, "
        "`batch_size`, or one that feeds the claim's `.limit()`), no `.limit()` on the claim "
        "and no batch size handed to a claim helper; and a batch-size parameter that has no "
        "default while the registration passes no value for it."
    )
    why_is_this_bad = (
        "An unbounded claim marks every due row Processing in one transaction: after an "
        "outage the first run takes the whole backlog, holds it for as long as the batch "
        "takes, and a crash strands all of it (REAL_WORLD: rows stuck in Processing after an "
        "out-of-memory crash loop)."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _UNBOUNDED},
            focus=SERVICE,
            expected_lines=(line_of(_UNBOUNDED, "async def process_pending_email_messages("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            job, batch = service.job, service.batch
            if job is None or batch is None or service.claim is None:
                continue
            assert isinstance(job.node, cst.FunctionDef)
            if batch.where == "missing":
                yield self.at(
                    f"the job `{job.name}` of {service.name} has no batch-size parameter and "
                    "its claim no limit: one run claims every due row",
                    job.source,
                    job.node.name,
                    service=service.name,
                    symbol="batch",
                )
            elif batch.parameter is not None and batch.value.kind == "missing":
                node = batch.node if isinstance(batch.node, cst.Param) else job.node
                yield self.at(
                    f"the batch-size parameter `{batch.parameter}` of `{job.name}` has no "
                    "default and the registration passes none: every run fails",
                    job.source,
                    node.name if isinstance(node, cst.Param | cst.FunctionDef) else node,
                    service=service.name,
                    symbol="batch",
                )
