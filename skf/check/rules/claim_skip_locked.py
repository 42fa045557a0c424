"""SKF102 claim-without-skip-locked: the claim must lock with FOR UPDATE SKIP LOCKED."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.fixes import FixPlan, offsets
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Claim, Inventory, Service
from skf.project.literals import literal_value
from skf.project.queries import Query

_NO_SKIP = service_variant(
    (".with_for_update(skip_locked=True)", ".with_for_update()"),
)
_NO_LOCK = service_variant(
    (
        "                .limit(limit)\n                .with_for_update(skip_locked=True)\n",
        "                .limit(limit)\n",
    ),
)


class ClaimWithoutSkipLocked(Rule):
    code = "SKF102"
    name = "claim-without-skip-locked"
    checklist_item: ClassVar[int | None] = 2
    summary = "The claim selects its rows with `.with_for_update(skip_locked=True)`."
    what_it_does = (
        "Finds the query that claims a service's rows (the select on the status column for "
        "the monitored value, in the job or in a helper it calls) and reports it when it "
        "does not lock the rows it selects with `.with_for_update(skip_locked=True)`."
    )
    why_is_this_bad = (
        "Without FOR UPDATE two workers (two replicas, or a run that overlaps the next) select "
        "the same rows and process them twice. With FOR UPDATE but no SKIP LOCKED, the second "
        "worker waits for the first one's transaction instead of taking the next free rows, "
        "so workers queue behind each other."
    )
    fix_applicability = "safe"
    fix_description = (
        "Adds `skip_locked=True` to `.with_for_update(...)` (safe), or appends "
        "`.with_for_update(skip_locked=True)` to a claim that does not lock at all (unsafe: "
        "it changes the transaction's locking)."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _NO_SKIP},
            focus=SERVICE,
            expected_lines=(line_of(_NO_SKIP, ".with_for_update()"),),
            fixed={SERVICE: REFERENCE_SERVICE},
        ),
        Example(
            files={SERVICE: _NO_LOCK},
            focus=SERVICE,
            expected_lines=(line_of(_NO_LOCK, "select(EmailMessage.id)"),),
            fixed={
                SERVICE: service_variant(
                    (
                        "                .limit(limit)\n"
                        "                .with_for_update(skip_locked=True)\n",
                        "                .limit(limit).with_for_update(skip_locked=True)\n",
                    )
                )
            },
            note="Fixed only with --unsafe-fixes.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            claim = service.claim
            if claim is None or claim.query.skip_locked:
                continue
            query = claim.query
            lock = query.with_for_update
            if query.kind == "update":
                yield self.at(
                    f"the claim of {service.name} updates rows in place; select them first "
                    "with `.with_for_update(skip_locked=True)` so concurrent runs never wait "
                    "for, or take, each other's rows",
                    query.source_of(_location(query)),
                    _location(query),
                    service=service.name,
                    symbol=query.frame.qualified_name,
                )
            elif lock is not None:
                yield self.at(
                    f"the claim of {service.name} locks its rows without `skip_locked=True`: "
                    "a concurrent run waits for them instead of taking the next free rows",
                    query.source_of(_location(query)),
                    _location(query),
                    service=service.name,
                    symbol=query.frame.qualified_name,
                    fix=self.default_fix("safe"),
                )
            else:
                yield self.at(
                    f"the claim of {service.name} selects its rows without "
                    "`.with_for_update(skip_locked=True)`: two concurrent runs can claim the "
                    "same rows",
                    query.source_of(_location(query)),
                    _location(query),
                    service=service.name,
                    symbol=query.frame.qualified_name,
                    fix=self.default_fix("unsafe"),
                )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        claim = _claim(inventory, finding)
        if claim is None:
            return False
        query = claim.query
        lock = query.with_for_update
        if lock is None:
            plan.insert_after(query.source, query.outer, ".with_for_update(skip_locked=True)")
            return True
        source = query.source_of(lock)  # the statement may be built elsewhere (`__init__`)
        for arg in lock.args:
            if arg.keyword is not None and arg.keyword.value == "skip_locked":
                if literal_value(arg.value) is True:
                    return False
                plan.replace(source, arg.value, "True")
                return True
        if lock.args:
            plan.insert_after(source, lock.args[-1].value, ", skip_locked=True")
        else:
            _, end = offsets(source, lock)
            plan.insert_at(source, end - 1, "skip_locked=True")
        return True


def _claim(inventory: Inventory, finding: Finding) -> Claim | None:
    service: Service | None = next(
        (s for s in inventory.services if s.name == finding.service), None
    )
    if service is None or service.claim is None:
        return None
    claim = service.claim
    location = _location(claim.query)
    source = claim.query.source_of(location)
    if source.path != finding.path or source.line_of(location) != finding.line:
        return None
    return claim


def _location(query: Query) -> cst.CSTNode:
    """Where a finding about the claim points: `with_for_update`, or the statement's root."""
    lock = query.with_for_update
    if lock is not None and isinstance(lock.func, cst.Attribute):
        return lock.func.attr
    return query.root
