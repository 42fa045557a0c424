"""SKF132 status-string-literal: statuses are written as enum members, not strings."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.check.rules._statuses import judge_literal
from skf.project.inventory import Inventory

_STRING = service_variant(
    (
        "                    EmailMessage.status == EmailStatus.Queued,\n",
        '                    EmailMessage.status == "Queued",\n',
    ),
)


class StatusStringLiteral(Rule):
    code = "SKF132"
    name = "status-string-literal"
    checklist_item: ClassVar[int | None] = 2
    summary = "Statuses are compared and stored as enum members, never as string literals."
    what_it_does = (
        "Reports a string literal compared with a status column, passed for it in "
        "`.values(...)`, or assigned to a `status` attribute, on a service's processing path, "
        "when the string is the spelling the column stores (so it works today)."
    )
    why_is_this_bad = (
        "A string is not checked against the enum: renaming or removing a status leaves it "
        "silently matching nothing, and the spellings drift (Completed / Complete / "
        "completed). The member is checked by Python, by type checkers and by skf."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _STRING},
            focus=SERVICE,
            expected_lines=(line_of(_STRING, '"Queued"'),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            for literal in service.literals:
                verdict = judge_literal(service, literal)
                if verdict.verdict != "stored-form":
                    continue
                member = (
                    f"`{verdict.enum.name}.{verdict.member}`"
                    if verdict.enum is not None and verdict.member
                    else "the enum member"
                )
                yield self.at(
                    f"status written as the string {literal.value!r}; use {member}",
                    literal.source,
                    literal.node,
                    service=service.name,
                    symbol=f"literal:{literal.value}",
                )
