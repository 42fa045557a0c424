"""SKF105 undocumented-status: the statuses a service monitors and sets are in the
architecture doc's Authoritative ENUMs section, spelled as the enum's values."""

from collections.abc import Iterator
from typing import ClassVar

from skf.archdoc import ArchitectureDoc
from skf.check.findings import Finding
from skf.check.fixes import FixPlan
from skf.check.rule import Example, Rule
from skf.check.rules._docs_fix import enum_block
from skf.check.rules._reference import DOC
from skf.check.rules._support import listing, service_of
from skf.project.inventory import Inventory, Service
from skf.project.models import EnumInfo

_HEAD = "# Background Services Architecture\n\n## Authoritative ENUMs\n\n"
_ENTRY = """\
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
"""
_TAIL = """
## Services

<!-- skf:begin service email_sender -->
### email_sender

Sends queued outgoing email messages with `process_pending_email_messages` from
`email_messages`, monitoring `Queued`.
<!-- skf:end service email_sender -->
"""
_VALID = _HEAD + _ENTRY + _TAIL
_INVALID = _HEAD + _ENTRY.replace("| `Processing` | claimed by a worker |\n", "") + _TAIL
_HAND_WRITTEN = (
    _HEAD
    + """\
### EmailStatus

- `queued`: waiting
- `Processing`: claimed
- `Completed`: done
- `Error`: failed
"""
    + _TAIL
)


class UndocumentedStatus(Rule):
    code = "SKF105"
    name = "undocumented-status"
    checklist_item: ClassVar[int | None] = 5
    summary = (
        "The statuses a service monitors and sets are listed in the doc's Authoritative "
        "ENUMs section, spelled as the enum's values."
    )
    what_it_does = (
        "For the status enum a service works on, reads the `## Authoritative ENUMs` section "
        "of the architecture doc and reports a missing entry for the enum, or a status the "
        "service reads or writes that the entry does not list with exactly the enum's value "
        "(case and spaces included)."
    )
    why_is_this_bad = (
        "The ENUM section is the vocabulary every service and the API agree on. Real teams "
        "lost days to drift: Completed / Complete / completed, `Not_a_Fit` written where the "
        "value was `Not a Fit`. A status that is set but not documented is one the next "
        "service will spell differently."
    )
    fix_applicability = "safe"
    fix_description = (
        "Adds the enum's entry, or re-renders an skf-maintained one with every value (its "
        "meanings kept); a hand-written entry is reported only."
    )
    VALID = (Example(files={DOC: _VALID}, focus=DOC),)
    INVALID = (
        Example(
            files={DOC: _INVALID},
            focus=DOC,
            expected_lines=(_INVALID.count("\n", 0, _INVALID.index("### EmailStatus")) + 1,),
            fixed={DOC: _VALID},
        ),
        Example(
            files={DOC: _HAND_WRITTEN},
            focus=DOC,
            expected_lines=(
                _HAND_WRITTEN.count("\n", 0, _HAND_WRITTEN.index("### EmailStatus")) + 1,
            ),
            note="A hand-written entry spelling `Queued` as `queued`: reported, never rewritten.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        doc = inventory.doc
        if doc is None:
            return
        path = inventory.layout.architecture_doc
        entries = doc.enums()
        for service in inventory.services:
            enum = service.status_enum
            if enum is None:
                continue
            values = _values(enum, service)
            entry = entries.get(enum.name)
            if entry is None:
                yield self.finding(
                    f"the Authoritative ENUMs section has no entry for {enum.name} "
                    f"(statuses of {service.name}: {listing(values)})",
                    path,
                    service=service.name,
                    symbol=enum.name,
                    fix=self.default_fix(),
                )
                continue
            missing = [value for value in values if value not in entry.values]
            if not missing:
                continue
            spelled = {v.lower().replace(" ", "_"): v for v in entry.values}
            near = [
                f"{value} (listed as `{spelled[value.lower().replace(' ', '_')]}`)"
                for value in missing
                if value.lower().replace(" ", "_") in spelled
            ]
            detail = f"; spelled differently: {', '.join(near)}" if near else ""
            yield self.finding(
                f"the {enum.name} entry of the Authoritative ENUMs section does not list "
                f"{listing(missing)}, used by {service.name}{detail}",
                path,
                (entry.line, 1, entry.line, 1),
                service=service.name,
                symbol=enum.name,
                fix=self.default_fix() if entry.managed else None,
            )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = service_of(inventory, finding)
        if service is None or service.status_enum is None or inventory.doc is None:
            return False
        enum = service.status_enum
        entry = inventory.doc.enums().get(enum.name)
        if entry is not None and not entry.managed:
            return False
        block = enum_block(inventory, enum)
        path = inventory.layout.architecture_doc
        plan.transform(
            path, lambda text: ArchitectureDoc(text, path).with_block("enum", enum.name, block)
        )
        return True


def _values(enum: EnumInfo, service: Service) -> list[str]:
    values: list[str] = []
    for member in service.members_used():
        value = enum.members.get(member)
        text = member if value is None else str(value)
        if text not in values:
            values.append(text)
    return values
