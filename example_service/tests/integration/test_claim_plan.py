"""The claim uses the partial index on Queued rows, even under a generic plan.

Domain tables keep their Completed rows, so the claim must cost the same whatever the table's
size. A partial index (`WHERE status = 'Queued'`) does that only if the planner can prove the
claim's condition implies the index's predicate: with the status sent as a bind parameter, a
generic plan (what a prepared statement switches to after five executions, or always with
`plan_cache_mode = force_generic_plan`, or behind PgBouncer-style poolers) cannot, and falls
back to scanning every row. The claim adds the monitored status as an SQL literal
(`StatusQueue._queued_literal`) for exactly this reason; this test checks the SQL the claim
really sends.
"""

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from integration_support import bulk_queue, queue_emails
from sqlalchemy import Row, event
from src.services import email_sender_scheduler as service
from src.session.async_session import get_engine

pytestmark = pytest.mark.postgres

PARTIAL_INDEX = "ix_email_messages_queued_due"


def sql_literal(value: Any) -> str:
    """A parameter as an SQL literal for `EXECUTE name(...)` (the values are ours, not input)."""
    if isinstance(value, bool | int | float):
        return str(value)
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, UUID):
        value = str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def capture_claim(monkeypatch: pytest.MonkeyPatch) -> tuple[str, tuple[Any, ...]]:
    """Run the real job once and return the claim statement and parameters it sent."""
    sent: list[tuple[str, tuple[Any, ...]]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        if "FOR UPDATE SKIP LOCKED" in statement and "'Queued'" in statement:
            sent.append((statement, tuple(parameters)))

    async def no_op(message: Row[Any]) -> None:
        return None

    monkeypatch.setattr(service, "send_email_message", no_op)
    engine = get_engine().sync_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        await queue_emails(1)
        await service.process_pending_email_messages()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) == 1, "the job sent no claim (or several)"
    return sent[0]


async def generic_plan(
    admin: asyncpg.Connection, statement: str, parameters: tuple[Any, ...]
) -> str:
    await admin.execute("SET plan_cache_mode = force_generic_plan")
    await admin.execute(f"PREPARE claim AS {statement}")
    try:
        arguments = ", ".join(sql_literal(value) for value in parameters)
        rows = await admin.fetch(f"EXPLAIN EXECUTE claim({arguments})")
    finally:
        await admin.execute("DEALLOCATE claim")
        await admin.execute("RESET plan_cache_mode")
    return "\n".join(row[0] for row in rows)


async def test_the_claim_uses_the_partial_index_under_a_generic_plan(
    admin: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    statement, parameters = await capture_claim(monkeypatch)
    assert "email_messages.status = 'Queued'" in statement  # inlined, not a parameter
    # A table that kept its history: many Completed rows, a few Queued ones.
    await bulk_queue(admin, 50_000, status="Completed")
    await bulk_queue(admin, 20)
    await admin.execute("ANALYZE email_messages")

    plan = await generic_plan(admin, statement, parameters)

    assert PARTIAL_INDEX in plan, plan
    assert "Seq Scan" not in plan, plan

    # Control: the same claim with the status as a parameter cannot use the partial index
    # under a generic plan. This is what the inlining prevents, and it shows the check above
    # can fail.
    placeholders = [int(n) for n in re.findall(r"\$(\d+)", statement)]
    status_parameter = f"${max(placeholders) + 1}::email_status"
    parametrized = statement.replace("'Queued'", status_parameter, 1)
    control = await generic_plan(admin, parametrized, (*parameters, "Queued"))

    assert PARTIAL_INDEX not in control, control
