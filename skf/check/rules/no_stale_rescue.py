"""SKF202 no-stale-rescue: rows left in Processing by a lost worker are rescued."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of
from skf.check.rules.run_not_logged import HAND_WRITTEN_SERVICE
from skf.project.inventory import Inventory, is_rescue
from skf.project.queries import Query, queries_in
from skf.project.resolve import Frame
from skf.vocabulary import Role


class NoStaleRescue(Rule):
    code = "SKF202"
    name = "no-stale-rescue"
    checklist_item: ClassVar[int | None] = None
    summary = "Rows stuck in Processing past a lease are put back in the queue."
    what_it_does = (
        "For a service that marks rows Processing, looks for a rescue: a statement on rows in "
        "that status older than a cutoff (`claimed_at < now - lease`) on the service's path "
        "(the shared runtime's `rescue_stale()` counts), in another scheduled job, or at "
        "startup in the startup module."
    )
    why_is_this_bad = (
        "The claim commits Processing before the work starts; when the worker dies mid-batch "
        "(deploy, OOM kill, crash loop) every unfinished row stays Processing and no claim "
        "selects it again. REAL_WORLD: six hours of OOM restarts stranded every batch and "
        "recovery was hand-written SQL."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: HAND_WRITTEN_SERVICE},
            focus=SERVICE,
            expected_lines=(
                line_of(HAND_WRITTEN_SERVICE, "async def process_pending_email_messages("),
            ),
            note="Claims rows into Processing and finishes them, but nothing rescues a row "
            "whose worker died in between.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        rescued = _rescued(inventory)
        for service in inventory.services:
            job, enum = service.job, service.status_enum
            processing = service.members_by_role().get(Role.PROCESSING)
            if job is None or enum is None or processing is None:
                continue
            if (enum.qualified_name, processing) in rescued:
                continue
            assert isinstance(job.node, cst.FunctionDef)
            yield self.at(
                f"rows {service.name} leaves in {enum.name}.{processing} (a worker that died "
                "mid-batch) are never rescued",
                job.source,
                job.node.name,
                service=service.name,
                symbol="rescue",
            )


def _rescued(inventory: Inventory) -> set[tuple[str, str]]:
    """(enum, member) pairs some rescue statement puts back in the queue."""
    queries: list[Query] = [q for s in inventory.services for q in s.queries]
    queries += _startup_queries(inventory)
    found: set[tuple[str, str]] = set()
    for query in queries:
        if not is_rescue(query) and not _startup_reset(inventory, query):
            continue
        for member in query.monitored():
            found.add((member.enum.qualified_name, member.member))
    return found


def _startup_queries(inventory: Inventory) -> list[Query]:
    source = (
        inventory.files.parsed(inventory.layout.startup_module)
        if (inventory.layout.root / inventory.layout.startup_module).is_file()
        else None
    )
    if source is None:
        return []
    queries: list[Query] = []
    for statement in source.module.body:
        if isinstance(statement, cst.FunctionDef):
            frame = Frame(source, statement, statement.name.value, via="startup")
            queries.extend(queries_in(frame, inventory.builder, inventory.semantics))
    return queries


def _startup_reset(inventory: Inventory, query: Query) -> bool:
    """At startup no worker is alive: resetting every Processing row is a rescue."""
    return (
        query.source.path == inventory.layout.startup_module
        and query.kind == "update"
        and bool(query.monitored())
    )
