"""SKF122 unknown-status-member: every status code reads or writes is a member of the enum."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.check.rules._statuses import judge_literal, suggestion, unknown_members
from skf.project.inventory import Inventory

_PENDING = service_variant(
    (
        "                    EmailMessage.status == EmailStatus.Queued,\n",
        "                    EmailMessage.status == EmailStatus.Pending,\n",
    ),
)
_LITERAL = service_variant(
    ("    completed=EmailStatus.Completed,\n", "    completed=EmailStatus.Complete,\n")
)


class UnknownStatusMember(Rule):
    code = "SKF122"
    name = "unknown-status-member"
    checklist_item: ClassVar[int | None] = 2
    summary = "Every status the service reads or writes is a member of the model's status enum."
    what_it_does = (
        "Reports `Enum.Member` references in a service's modules and on its processing path "
        "(the claim, helper arguments such as `queued_status=...`, the runtime's "
        "`queued=`/`processing=`/`completed=`/`error=`) to members the enum does not define, "
        "and string literals compared with or stored into the status column that are neither "
        "a name nor a value of the enum. Suggests the member the spelling most likely meant."
    )
    why_is_this_bad = (
        "A missing member is an AttributeError the first time the job runs; a string that is "
        "not a value is a row nobody will ever claim, or a database error. REAL_WORLD: code "
        "naming `.Completed` on an enum with `submitted`/`failed` stopped a scheduler outright."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _PENDING},
            focus=SERVICE,
            expected_lines=(line_of(_PENDING, "EmailStatus.Pending"),),
        ),
        Example(
            files={SERVICE: _LITERAL},
            focus=SERVICE,
            expected_lines=(line_of(_LITERAL, "EmailStatus.Complete,"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            for ref in unknown_members(service):
                meant = suggestion(ref.enum, ref.member)
                hint = f" (did you mean `{ref.enum.name}.{meant}`?)" if meant else ""
                yield self.at(
                    f"`{ref.enum.name}` has no member `{ref.member}`{hint}",
                    ref.source,
                    ref.node.attr,
                    service=service.name,
                    symbol=f"{ref.enum.name}.{ref.member}",
                )
            for literal in service.literals:
                verdict = judge_literal(service, literal)
                if verdict.verdict != "unknown" or verdict.enum is None:
                    continue
                meant = suggestion(verdict.enum, literal.value)
                hint = f" (did you mean `{verdict.enum.name}.{meant}`?)" if meant else ""
                yield self.at(
                    f"{literal.value!r} is neither a name nor a value of `{verdict.enum.name}`"
                    f"{hint}",
                    literal.source,
                    literal.node,
                    service=service.name,
                    symbol=f"{verdict.enum.name}:{literal.value}",
                )
