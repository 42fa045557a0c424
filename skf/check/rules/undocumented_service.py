"""SKF107 undocumented-service: the architecture doc has a section for every service."""

from collections.abc import Iterator
from typing import ClassVar

from skf.archdoc import ArchitectureDoc, ServiceEntry
from skf.check.findings import Finding
from skf.check.fixes import FixPlan
from skf.check.rule import Example, Rule
from skf.check.rules._docs_fix import render_service_block
from skf.check.rules._reference import DOC, service_block
from skf.check.rules._support import call_name, service_of
from skf.project.inventory import Inventory, Service

_DOC_VALID = """\
# Background Services Architecture

## Authoritative ENUMs

### EmailStatus

| Value | Meaning |
| --- | --- |
| `Queued` | waiting to be claimed |
| `Processing` | claimed by a worker |
| `Completed` | finished successfully |
| `Error` | failed after the last attempt |

## Services

### email_sender

Sends queued outgoing email messages: `process_pending_email_messages` claims
`EmailMessage` rows (`email_messages`) in `Queued`, sets `Processing`, then `Completed`, or
`Queued` again for a retry, or `Error`.

Settings: `EMAIL_SENDER_INTERVAL_SECONDS`, `EMAIL_SENDER_BATCH_SIZE`,
`EMAIL_SENDER_MAX_INSTANCES`, `EMAIL_SENDER_MISFIRE_GRACE_SECONDS`, `EMAIL_SENDER_COALESCE`,
`EMAIL_SENDER_CONCURRENCY`, `EMAIL_SENDER_ITEM_TIMEOUT_SECONDS`, `EMAIL_SENDER_LEASE_SECONDS`,
`EMAIL_SENDER_MAX_ATTEMPTS`, `EMAIL_SENDER_BACKOFF_BASE_SECONDS`,
`EMAIL_SENDER_BACKOFF_MAX_SECONDS`, `EMAIL_SENDER_DRAIN_SECONDS`.
"""
_DOC_INVALID = _DOC_VALID.split("## Services")[0] + "## Services\n"
_DOC_FIXED = (
    _DOC_INVALID
    + "\n"
    + service_block("Sends Queued email messages and records Completed or Error.")
)


class UndocumentedService(Rule):
    code = "SKF107"
    name = "undocumented-service"
    checklist_item: ClassVar[int | None] = 7
    summary = "The architecture doc has a section for every background service."
    what_it_does = (
        "Looks in the architecture doc (`BACKGROUND_SERVICES_ARCHITECTURE.md` under "
        "`Docs/Docs_6_Architecture_and_Status/` by default) for a `### <service>` section, "
        "skf-maintained (`<!-- skf:begin service NAME -->`) or hand-written, headed by the "
        "service name, its job function or its setup function."
    )
    why_is_this_bad = (
        "The doc is where on-call engineers find which job touches which table and status, "
        "and which env vars tune it. An undocumented service is one nobody knows to look at "
        "when its queue stops moving."
    )
    fix_applicability = "safe"
    fix_description = (
        "Adds the service's section (job, model/table, statuses, env vars) rendered from what "
        "skf found in the code, between skf markers."
    )
    VALID = (Example(files={DOC: _DOC_VALID}, focus=DOC),)
    INVALID = (Example(files={DOC: _DOC_INVALID}, focus=DOC, fixed={DOC: _DOC_FIXED}),)

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        doc = inventory.doc
        path = inventory.layout.architecture_doc
        for service in inventory.services:
            if doc is not None and section_of(doc, service) is not None:
                continue
            fix = self.default_fix() if render_service_block(inventory, service) else None
            if doc is None:
                # Nothing to point at in a file that does not exist: the service itself.
                yield self.at(
                    f"the architecture doc {path} does not exist, so it has no section for "
                    f"service {service.name}",
                    service.source,
                    call_name(service.call),
                    service=service.name,
                    symbol=service.name,
                    fix=fix,
                )
                continue
            yield self.finding(
                f"the architecture doc has no section for service {service.name} "
                f"(job `{service.job_name}`)",
                path,
                service=service.name,
                symbol=service.name,
                fix=fix,
            )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = service_of(inventory, finding)
        if service is None:
            return False
        block = render_service_block(inventory, service)
        if block is None:
            return False
        name = service.name
        path = inventory.layout.architecture_doc

        def add(text: str) -> str:
            doc = ArchitectureDoc(text, path)
            if section_of(doc, service) is not None:
                return text
            return doc.with_block("service", name, block)

        if inventory.doc is None:
            plan.change(lambda changes: changes.write(path, add(_NEW_DOC)))
        else:
            plan.transform(path, add)
        return True


_NEW_DOC = "# Background Services Architecture\n"


def section_of(doc: ArchitectureDoc, service: Service) -> ServiceEntry | None:
    """The doc's section about `service`: headed by its name, job or setup function."""
    sections = doc.services()
    names = [service.name, service.job_name]
    if service.site.function_name:
        names.append(service.site.function_name)
    return next((sections[n] for n in names if n in sections), None)
