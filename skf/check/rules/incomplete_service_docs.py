"""SKF117 incomplete-service-docs: a service's doc section names its job, model, statuses and
env vars."""

import re
from collections.abc import Iterator
from typing import ClassVar

from skf.archdoc import ArchitectureDoc, ServiceEntry
from skf.check.findings import Finding
from skf.check.fixes import FixPlan
from skf.check.rule import Example, Rule
from skf.check.rules._docs_fix import env_rows, render_service_block
from skf.check.rules._reference import DOC, service_block
from skf.check.rules._support import listing, service_of
from skf.check.rules.undocumented_service import section_of
from skf.project.inventory import Inventory, Service
from skf.vocabulary import Role

_BLOCK = service_block("Sends queued outgoing email messages.")
_ENUMS = """\
# Background Services Architecture

## Authoritative ENUMs

<!-- skf:begin enum EmailStatus -->
### EmailStatus

Column type `email_status`; used by `email_messages.status`.

| Value | Meaning |
| --- | --- |
| `Queued` | waiting to be claimed (monitored by email_sender) |
| `Processing` | claimed by a worker |
| `Completed` | finished successfully |
| `Error` | failed after the last attempt |
<!-- skf:end enum EmailStatus -->

## Services

"""
_VALID = _ENUMS + _BLOCK
_INVALID = _ENUMS + "".join(
    line + "\n"
    for line in _BLOCK.splitlines()
    if "MISFIRE_GRACE" not in line and "BATCH_SIZE" not in line
)


class IncompleteServiceDocs(Rule):
    code = "SKF117"
    name = "incomplete-service-docs"
    checklist_item: ClassVar[int | None] = 7
    summary = "A service's doc section names its job, model or table, statuses and env vars."
    what_it_does = (
        "Reads the service's section of the architecture doc and reports what it does not "
        "mention: the job function, the model or its table, the monitored status, and the "
        "environment variable of every setting the service reads."
    )
    why_is_this_bad = (
        "A section that lists some env vars but not the one an operator needs, or omits "
        "which status the job picks up, sends the reader back to the code at the worst time. "
        "Sections drift when a service gains a setting and nobody updates the doc."
    )
    fix_applicability = "safe"
    fix_description = (
        "Re-renders an skf-maintained section from the code (its summary is kept); "
        "hand-written sections are reported only."
    )
    VALID = (Example(files={DOC: _VALID}, focus=DOC),)
    INVALID = (
        Example(
            files={DOC: _INVALID},
            focus=DOC,
            expected_lines=(_INVALID.count("\n", 0, _INVALID.index("### email_sender")) + 1,),
            fixed={DOC: _VALID},
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        doc = inventory.doc
        if doc is None:
            return
        for service in inventory.services:
            section = section_of(doc, service)
            if section is None:
                continue
            missing = missing_from(inventory, service, section)
            if not missing:
                continue
            fixable = section.managed and render_service_block(inventory, service) is not None
            yield self.finding(
                f"the doc section of {service.name} does not mention {listing(missing)}",
                inventory.layout.architecture_doc,
                (section.line, 1, section.line, 1),
                service=service.name,
                symbol=service.name,
                fix=self.default_fix() if fixable else None,
            )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = service_of(inventory, finding)
        doc = inventory.doc
        if service is None or doc is None:
            return False
        section = section_of(doc, service)
        block = render_service_block(inventory, service)
        if section is None or not section.managed or block is None:
            return False
        name = section.name
        path = inventory.layout.architecture_doc
        plan.transform(
            path, lambda text: ArchitectureDoc(text, path).with_block("service", name, block)
        )
        return True


def missing_from(inventory: Inventory, service: Service, section: ServiceEntry) -> list[str]:
    text = section.text
    missing: list[str] = []
    if not _mentions(text, service.job_name):
        missing.append(service.job_name)
    model = service.model
    if model is not None and not (
        _mentions(text, model.name) or (model.table and _mentions(text, model.table))
    ):
        missing.append(model.table or model.name)
    monitored = service.statuses().get(Role.MONITORED)
    if monitored is not None and not _mentions(text, monitored):
        missing.append(monitored)
    for env, _default, _meaning in env_rows(inventory, service):
        if env not in section.env_vars and not _mentions(text, env):
            missing.append(env)
    return missing


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", text) is not None
