"""SKF121 session-not-shared: the job's sessions come from the shared factory."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory, Service
from skf.project.sessions import session_blocks

_OWN_SESSION = service_variant(
    (
        "from sqlalchemy import Row, select\n",
        "from sqlalchemy import Row, select\n"
        "from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine\n",
    ),
    (
        "logger = logging.getLogger(__name__)\n",
        "logger = logging.getLogger(__name__)\n"
        "engine = create_async_engine(settings.DATABASE_URL)\n",
    ),
    (
        "        async with get_background_session() as session:\n            due = (",
        "        async with AsyncSession(engine) as session:\n            due = (",
    ),
)


class SessionNotShared(Rule):
    code = "SKF121"
    name = "session-not-shared"
    checklist_item: ClassVar[int | None] = 1
    summary = "The job takes its sessions from the shared `get_background_session()`."
    what_it_does = (
        "Follows the job and the helpers it calls and reports a session or connection "
        "opened with anything but the layout's session factory "
        "(`src/session/async_session.py:get_background_session` by default): "
        "`AsyncSession(engine)`, a sessionmaker of its own, `engine.begin()`; and a job "
        "whose claim runs in no session skf can see being opened."
    )
    why_is_this_bad = (
        "Each private engine or sessionmaker is a separate connection pool: REAL_WORLD had "
        "three engines and about 60 connections at peak with no single budget, and PgBouncer "
        "settings (`statement_cache_size=0`) applied to one pool but not the others."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _OWN_SESSION},
            focus=SERVICE,
            expected_lines=(line_of(_OWN_SESSION, "async with AsyncSession(engine)"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        factory = inventory.semantics.session_factory
        for service in inventory.services:
            blocks = [
                block
                for frame in service.frames
                for block in session_blocks(frame, inventory.builder, inventory.semantics)
            ]
            for block in blocks:
                if block.kind != "other":
                    continue
                yield self.at(
                    f"{service.name} opens a session with `{block.opened_by}`, not with the "
                    f"shared `{factory}()`",
                    block.frame.source,
                    block.site.item,
                    service=service.name,
                    symbol=f"{block.frame.qualified_name}:{block.opened_by}",
                )
            if (
                service.claim is not None
                and service.job is not None
                and not blocks
                and not _opens_something(inventory, service)
            ):
                job = service.job
                assert isinstance(job.node, cst.FunctionDef)
                yield self.at(
                    f"the job `{job.name}` of {service.name} claims rows without a session "
                    f"from `{factory}()` that skf can see",
                    job.source,
                    job.node.name,
                    service=service.name,
                    symbol="session",
                )


def _opens_something(inventory: Inventory, service: Service) -> bool:
    """Whether the path opens any `async with ... as <name>` skf could not classify: a
    session factory skf cannot resolve is given the benefit of the doubt."""
    for frame in service.frames:
        for site in inventory.builder.facts(frame).withs:
            if site.item.asname is not None and site.block.asynchronous is not None:
                return True
    return False
