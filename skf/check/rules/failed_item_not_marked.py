"""SKF126 failed-item-not-marked: a failed item gets the error status; nothing is swallowed
with the row left in Processing."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._failures import handlers, writes_role
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of
from skf.check.rules.run_not_logged import HAND_WRITTEN_SERVICE
from skf.project.inventory import Inventory
from skf.vocabulary import Role

_SWALLOWED = HAND_WRITTEN_SERVICE.replace(
    '            logger.exception("email_sender: message %s failed", row.id)\n'
    "            status = EmailStatus.Error\n",
    '            logger.exception("email_sender: message %s failed", row.id)\n'
    "            continue\n",
)


class FailedItemNotMarked(Rule):
    code = "SKF126"
    name = "failed-item-not-marked"
    checklist_item: ClassVar[int | None] = 6
    summary = "A failed item ends in the error status; no failure is swallowed."
    what_it_does = (
        "On the processing path (the job, its helpers, the shared runtime), reports a broad "
        "`except` that neither re-raises, nor sets a status, nor passes the exception on (the "
        "row stays in Processing); a path that never writes the error status; and a path "
        "that marks rows Processing but handles no failure at all, so one bad item aborts "
        "the batch."
    )
    why_is_this_bad = (
        "A row whose failure is swallowed stays in Processing forever: no worker claims it "
        "again and nothing says it failed. REAL_WORLD's worst outage was rows stuck in "
        "Processing; recovery was hand-written SQL."
    )
    VALID = (
        Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),
        Example(files={SERVICE: HAND_WRITTEN_SERVICE}, focus=SERVICE),
    )
    INVALID = (
        Example(
            files={SERVICE: _SWALLOWED},
            focus=SERVICE,
            expected_lines=(line_of(_SWALLOWED, "except Exception:"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            job = service.job
            if job is None or service.claim is None or not service.frames:
                continue
            assert isinstance(job.node, cst.FunctionDef)
            found = handlers(inventory, service)
            for handler in found:
                if handler.swallows:
                    yield self.at(
                        f"{service.name} swallows a failure in `{handler.frame.name}`: the "
                        "row keeps its status (Processing) and is never retried or marked "
                        "as failed",
                        handler.frame.source,
                        handler.node,
                        service=service.name,
                        symbol=f"{handler.frame.qualified_name}:except",
                    )
            if any(h.swallows for h in found):
                continue
            if not writes_role(service, Role.ERROR):
                yield self.at(
                    f"{service.name} never sets an error status: a failed item is not marked",
                    job.source,
                    job.node.name,
                    service=service.name,
                    symbol="error-status",
                )
            elif writes_role(service, Role.PROCESSING) and not any(h.handles_items for h in found):
                yield self.at(
                    f"{service.name} marks rows Processing but handles no failure: one "
                    "failing item aborts the run and strands the rest of the batch",
                    job.source,
                    job.node.name,
                    service=service.name,
                    symbol="error-handling",
                )
