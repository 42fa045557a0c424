"""SKF201 session-across-await: no session or transaction is held open while awaiting
non-database work."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import SERVICE, line_of
from skf.check.rules.run_not_logged import HAND_WRITTEN_SERVICE
from skf.project.flow import AwaitSite
from skf.project.inventory import Inventory
from skf.project.resolve import Frame
from skf.project.sessions import SessionBlock, is_database_call, session_blocks

_HELD = HAND_WRITTEN_SERVICE.replace(
    """        for row in rows:
            row.status = EmailStatus.Processing
    sent = 0
    for row in rows:
        try:
            await deliver(row.id, row.recipient, row.subject, row.body)
        except Exception:
            logger.exception("email_sender: message %s failed", row.id)
            status = EmailStatus.Error
        else:
            status = EmailStatus.Completed
            sent += 1
        async with get_background_session() as session:
            await session.merge(row)
            row.status = status
""",
    """        sent = 0
        for row in rows:
            try:
                await deliver(row.id, row.recipient, row.subject, row.body)
            except Exception:
                logger.exception("email_sender: message %s failed", row.id)
                row.status = EmailStatus.Error
            else:
                row.status = EmailStatus.Completed
                sent += 1
""",
)


class SessionAcrossAwait(Rule):
    code = "SKF201"
    name = "session-across-await"
    checklist_item: ClassVar[int | None] = None
    summary = "No session or transaction is held open across an await of non-database work."
    what_it_does = (
        "On the processing path, inside an `async with <session factory>() as session:` (or "
        "a transaction block), reports an `await` of something that is not database work: "
        "not a method of the session, not a call handed the session, not SQLAlchemy, and "
        "not a project helper that itself only awaits the database."
    )
    why_is_this_bad = (
        "The connection (and every row lock the claim took) stays checked out while the "
        "job waits for an HTTP call or a sleep: pools run dry, PostgreSQL reports 'idle in "
        "transaction', and slow calls drop connections mid-handoff. REAL_WORLD's rule was "
        "'quick DB, release, slow work, quick DB'; three jobs still broke it."
    )
    VALID = (Example(files={SERVICE: HAND_WRITTEN_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _HELD},
            focus=SERVICE,
            expected_lines=(line_of(_HELD, "await deliver("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            for frame in service.frames:
                blocks = session_blocks(frame, inventory.builder, inventory.semantics)
                if not blocks:
                    continue
                for site in inventory.builder.facts(frame).awaits:
                    block = _holding(site, blocks)
                    if block is None:
                        continue
                    culprit = _non_database(inventory, frame, site, block)
                    if culprit is None:
                        continue
                    yield self.at(
                        f"{service.name} awaits `{culprit}` while holding the session opened by "
                        f"`{block.opened_by}`: release it before slow work",
                        frame.source,
                        site.node,
                        service=service.name,
                        symbol=f"{frame.qualified_name}:{culprit}",
                    )


def _holding(site: AwaitSite, blocks: list[SessionBlock]) -> SessionBlock | None:
    items = {id(item) for item in site.context.withs}
    return next((b for b in blocks if id(b.site.item) in items), None)


def _non_database(
    inventory: Inventory, frame: Frame, site: AwaitSite, block: SessionBlock
) -> str | None:
    """What is awaited, when it is not database work (None when it is)."""
    expression = site.node.expression
    if not isinstance(expression, cst.Call):
        return None
    sessions = {block.name} if block.name else set()
    sessions |= {
        item.asname.name.value
        for item in site.context.withs
        if item.asname is not None and isinstance(item.asname.name, cst.Name)
    }
    if is_database_call(inventory.builder, inventory.semantics, frame, expression, sessions):
        return None
    return frame.source.code(expression.func)
