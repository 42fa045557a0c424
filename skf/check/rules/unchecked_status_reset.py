"""SKF207 unchecked-status-reset: the API sets the monitored status only from a checked state."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import EMAILS_API
from skf.check.rules._routes import route_sources, routes
from skf.check.rules._statuses import judge_literal
from skf.project.inventory import Inventory, Service
from skf.project.queries import queries_in
from skf.project.resolve import Frame
from skf.project.statuses import status_uses
from skf.vocabulary import Role

EMAILS_VALID = '''\
"""Email messages API: requeue a failed message."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from src.models.email_message import EmailMessage, EmailStatus
from src.session.async_session import get_db_session
from src.status_queue import utcnow

router = APIRouter(prefix="/emails", tags=["emails"])
Session = Annotated[AsyncSession, Depends(get_db_session)]


@router.post("/{message_id}/requeue")
async def requeue_email(message_id: int, session: Session) -> dict[str, int]:
    """Only from Error: requeueing a row still Processing would send it twice."""
    requeued = await session.execute(
        update(EmailMessage)
        .where(EmailMessage.id == message_id, EmailMessage.status == EmailStatus.Error)
        .values(status=EmailStatus.Queued, attempts=0, available_at=utcnow())
        .returning(EmailMessage.id)
    )
    if requeued.first() is None:
        raise HTTPException(status.HTTP_409_CONFLICT, "only Error messages can be requeued")
    return {"id": message_id}
'''
_UNCHECKED = '''\
"""Email messages API: requeue a message."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from sqlalchemy.ext.asyncio import AsyncSession

from src.models.email_message import EmailMessage, EmailStatus
from src.session.async_session import get_db_session

router = APIRouter(prefix="/emails", tags=["emails"])
Session = Annotated[AsyncSession, Depends(get_db_session)]


@router.post("/{message_id}/requeue")
async def requeue_email(message_id: int, session: Session) -> dict[str, int]:
    message = await session.get(EmailMessage, message_id)
    if message is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such email")
    message.status = EmailStatus.Queued
    return {"id": message_id}
'''


class UncheckedStatusReset(Rule):
    code = "SKF207"
    name = "unchecked-status-reset"
    checklist_item: ClassVar[int | None] = None
    summary = "API code sets a row back to the monitored status only after checking its status."
    what_it_does = (
        "In HTTP route handlers, reports a write of a service's monitored status (its "
        "`Queued`) to an existing row without a check of the current status: an "
        "`update(Model)...values(status=Queued)` whose WHERE does not test the status "
        "column, or `row.status = Queued` in a handler that never compares the row's "
        "status. Creating a new row in the monitored status is fine."
    )
    why_is_this_bad = (
        "Re-queueing a row that is still Processing lets a second worker claim it while the "
        "first is working: it is processed twice. REAL_WORLD: duplicate processing from an "
        "unchecked requeue endpoint cost real money in paid API calls."
    )
    VALID = (Example(files={EMAILS_API: EMAILS_VALID}, focus=EMAILS_API),)
    INVALID = (
        Example(
            files={EMAILS_API: _UNCHECKED},
            focus=EMAILS_API,
            expected_lines=(
                _UNCHECKED.count("\n", 0, _UNCHECKED.index("message.status = EmailStatus.Queued"))
                + 1,
            ),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            monitored = service.members_by_role().get(Role.MONITORED)
            model, enum = service.model, service.status_enum
            claim = service.claim
            if monitored is None or model is None or enum is None or claim is None:
                continue
            attribute = claim.attribute or "status"
            sources = route_sources(inventory, [model.name, monitored], every=True)
            for route in routes(inventory, sources):
                frame = Frame(route.source, route.function, route.name, via="route")
                yield from self._route(inventory, service, frame, monitored, attribute)

    def _route(
        self, inventory: Inventory, service: Service, frame: Frame, monitored: str, attribute: str
    ) -> Iterator[Finding]:
        enum = service.status_enum
        assert enum is not None
        uses, literals = status_uses(inventory.semantics, frame)
        writes: list[cst.CSTNode] = [
            use.node
            for use in uses
            if use.access == "write"
            and use.member == monitored
            and use.ref.enum.qualified_name == enum.qualified_name
        ]
        # A literal written as the member's name or its value, judged as SKF122 judges it.
        writes += [
            lit.node
            for lit in literals
            if lit.access == "write" and judge_literal(service, lit).member == monitored
        ]
        queries = queries_in(frame, inventory.builder, inventory.semantics)
        checked = _compares_status(frame.function, attribute)
        for node in writes:
            where = frame.source.position(node)
            query = next(
                (
                    q
                    for q in queries
                    if q.kind == "update"
                    and q.source is frame.source
                    and _inside(where, frame.source.position(q.outer))
                ),
                None,
            )
            if attribute in query.where_names if query is not None else checked:
                continue
            yield self.at(
                f"`{frame.name}` sets {enum.name}.{monitored} (picked up by {service.name}) "
                "without checking the row's current status: a row still Processing would "
                "be processed twice",
                frame.source,
                node,
                service=service.name,
                symbol=f"{frame.name}:{monitored}",
            )


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return (inner[0], inner[1]) >= (outer[0], outer[1]) and (inner[2], inner[3]) <= (
        outer[2],
        outer[3],
    )


def _compares_status(function: cst.FunctionDef, attribute: str) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Comparison(self, node: cst.Comparison) -> None:
            nonlocal found

            class Attributes(cst.CSTVisitor):
                def visit_Attribute(self, inner: cst.Attribute) -> None:
                    nonlocal found
                    found = found or inner.attr.value == attribute

            node.visit(Attributes())

    function.body.visit(Finder())
    return found
