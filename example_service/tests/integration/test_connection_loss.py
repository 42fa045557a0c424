"""Database connections dropped mid-run (`pg_terminate_backend`), on the real server.

The drop is injected at an exact point of the run: a SQLAlchemy cursor event on the
application's engine terminates the backend of the connection running the claim (after the
claim UPDATE, before its commit) or the finish (before the finish UPDATE), and waits until the
server has really ended it.
"""

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from integration_support import queue_emails, status_counts, terminate_backend, wait_for
from sqlalchemy import Row, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.util import await_only
from src.services import email_sender_scheduler as service
from src.session.async_session import get_engine
from src.status_queue import utcnow

pytestmark = pytest.mark.postgres

LEASE_S = 2.0


@dataclass(frozen=True)
class Call:
    message_id: int
    attempt: int
    claimed_at: datetime
    started_at: datetime


@pytest.fixture
def handled(monkeypatch: pytest.MonkeyPatch) -> list[Call]:
    calls: list[Call] = []

    async def record(message: Row[Any]) -> None:
        calls.append(Call(message.id, message.attempts, message.claimed_at, utcnow()))

    monkeypatch.setattr(service, "send_email_message", record)
    monkeypatch.setattr(
        service.EMAIL_QUEUE, "policy", replace(service.EMAIL_QUEUE.policy, lease_s=LEASE_S)
    )
    return calls


def is_claim(statement: str) -> bool:
    return "FOR UPDATE SKIP LOCKED" in statement and "status = 'Queued'" in statement


def is_finish(statement: str) -> bool:
    # The claim also starts this way, but only the finish sets `completed_at`.
    return (
        statement.startswith("UPDATE email_messages SET status=$") and "completed_at=" in statement
    )


@pytest.fixture
def drop_connection(admin: asyncpg.Connection) -> Iterator[Callable[[str, Any], list[int]]]:
    """`drop_connection(event_name, matches)`: on the first statement `matches` accepts, drop
    the connection running it; returns the list the dropped backend's pid is put in."""
    engine = get_engine().sync_engine
    hooks: list[tuple[str, Any]] = []

    def install(event_name: str, matches: Callable[[str], bool]) -> list[int]:
        dropped: list[int] = []

        def hook(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if dropped or not matches(statement):
                return
            pid = connection.connection.driver_connection.get_server_pid()
            # Cursor events are synchronous; the async engine runs them in a greenlet that
            # may await on the event loop.
            await_only(terminate_backend(admin, pid))
            dropped.append(pid)

        event.listen(engine, event_name, hook)
        hooks.append((event_name, hook))
        return dropped

    yield install
    for event_name, hook in hooks:
        event.remove(engine, event_name, hook)


def aborted_runs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.getMessage() == f"{service.JOB_ID}: run aborted" and r.exc_info is not None
    ]


async def test_connection_dropped_during_the_claim_loses_no_row(
    admin: asyncpg.Connection,
    handled: list[Call],
    drop_connection: Callable[[str, Any], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await queue_emails(20)
    dropped = drop_connection("before_cursor_execute", is_claim)

    with pytest.raises(DBAPIError):
        await service.process_pending_email_messages()

    assert dropped, "the claim never ran"
    assert len(aborted_runs(caplog)) == 1
    # The claim never happened: every row is still Queued and unclaimed, none was handled.
    assert handled == []
    assert await status_counts(admin) == {"Queued": 20, "Processing": 0, "Completed": 0, "Error": 0}
    assert await admin.fetchval("SELECT count(*) FROM email_messages WHERE attempts <> 0") == 0

    summary = await service.process_pending_email_messages()

    assert (summary.claimed, summary.completed) == (20, 20)
    assert sorted(call.message_id for call in handled) == ids
    assert (await status_counts(admin))["Completed"] == 20


async def test_connection_dropped_right_after_the_claim_does_not_stop_the_run(
    admin: asyncpg.Connection,
    handled: list[Call],
    drop_connection: Callable[[str, Any], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await queue_emails(20)
    # The claim's UPDATE has committed and returned its rows when the connection goes.
    dropped = drop_connection("after_cursor_execute", is_claim)

    summary = await service.process_pending_email_messages()

    assert dropped, "the claim never ran"
    assert aborted_runs(caplog) == []
    assert (summary.claimed, summary.completed) == (20, 20)
    assert sorted(call.message_id for call in handled) == ids
    assert (await status_counts(admin))["Completed"] == 20


async def test_connection_dropped_during_the_finish_is_rescued_after_the_lease(
    admin: asyncpg.Connection,
    handled: list[Call],
    drop_connection: Callable[[str, Any], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await queue_emails(20)
    dropped = drop_connection("before_cursor_execute", is_finish)

    with pytest.raises(DBAPIError):
        await service.process_pending_email_messages()

    assert dropped, "the finish never ran"
    assert len(aborted_runs(caplog)) == 1
    # Handled, but the outcome was not recorded: the rows stay claimed by the dead run.
    assert sorted(call.message_id for call in handled) == ids
    assert (await status_counts(admin))["Processing"] == 20

    # Within the lease nobody may take them (their worker might still be alive).
    early = await service.process_pending_email_messages()
    assert (early.rescued, early.claimed) == (0, 0)

    summaries = []

    async def all_completed() -> bool:
        summaries.append(await service.process_pending_email_messages())
        return (await status_counts(admin))["Completed"] == 20

    await wait_for(all_completed, 15, "the rescue after the lease", every_s=0.2)
    assert sum(s.rescued for s in summaries) == 20
    assert sum(s.completed for s in summaries) == 20
    by_message: dict[int, list[Call]] = {}
    for call in handled:
        by_message.setdefault(call.message_id, []).append(call)
    assert sorted(by_message) == ids
    for first, second in by_message.values():
        assert (first.attempt, second.attempt) == (1, 2)
        assert second.started_at >= first.claimed_at + timedelta(seconds=LEASE_S)


async def test_connections_dropped_between_runs_are_replaced_without_an_error(
    admin: asyncpg.Connection, handled: list[Call], caplog: pytest.LogCaptureFixture
) -> None:
    await queue_emails(5)
    await service.process_pending_email_messages()  # the pool now holds live connections
    # A failover or an idle-connection reaper ends every application connection.
    pids = await admin.fetch(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    assert pids
    for row in pids:
        await terminate_backend(admin, row["pid"])
    await queue_emails(5)

    summary = await service.process_pending_email_messages()

    assert summary.completed == 5
    assert aborted_runs(caplog) == []
    assert (await status_counts(admin))["Completed"] == 10


def nth(matches: Callable[[str], bool], n: int) -> Callable[[str], bool]:
    """A matcher that accepts only the `n`-th statement `matches` accepts."""
    seen = 0

    def matcher(statement: str) -> bool:
        nonlocal seen
        if matches(statement):
            seen += 1
            return seen == n
        return False

    return matcher


def is_heartbeat(statement: str) -> bool:
    return statement.startswith("UPDATE email_messages SET claimed_at=")


@pytest.fixture
def draining(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs drain the queue batch after batch (a batch's finish overlaps the next claim)."""
    monkeypatch.setattr(
        service.EMAIL_QUEUE, "policy", replace(service.EMAIL_QUEUE.policy, drain_s=60.0)
    )


async def test_a_claim_dropped_alongside_the_previous_finish_keeps_that_finish(
    admin: asyncpg.Connection,
    handled: list[Call],
    draining: None,
    drop_connection: Callable[[str, Any], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await queue_emails(20)
    dropped = drop_connection("before_cursor_execute", nth(is_claim, 2))

    with pytest.raises(DBAPIError):
        await service.process_pending_email_messages(limit=10)

    assert dropped, "the second claim never ran"
    assert len(aborted_runs(caplog)) == 1
    first_batch = sorted(call.message_id for call in handled)
    assert len(first_batch) == 10
    rows = {r["id"]: r for r in await admin.fetch("SELECT * FROM email_messages")}
    # The first batch's finish, written while the second claim failed, was kept ...
    assert {i for i in ids if rows[i]["status"] == "Completed"} == set(first_batch)
    # ... and the failed claim changed nothing: the rest is untouched and still due.
    rest = set(ids) - set(first_batch)
    assert {rows[i]["status"] for i in rest} == {"Queued"}
    assert {rows[i]["attempts"] for i in rest} == {0}

    summary = await service.process_pending_email_messages(limit=10)

    assert summary.completed == 10
    assert sorted(call.message_id for call in handled) == ids


async def test_a_finish_dropped_alongside_the_next_claim_still_processes_that_batch(
    admin: asyncpg.Connection,
    handled: list[Call],
    draining: None,
    drop_connection: Callable[[str, Any], list[int]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    ids = await queue_emails(20)
    dropped = drop_connection("before_cursor_execute", nth(is_finish, 1))

    with pytest.raises(DBAPIError):
        await service.process_pending_email_messages(limit=10)

    assert dropped, "the first finish never ran"
    assert len(aborted_runs(caplog)) == 1
    assert len(handled) == 20
    first_batch = {call.message_id for call in handled[:10]}
    second_batch = {call.message_id for call in handled[10:]}
    rows = {r["id"]: r for r in await admin.fetch("SELECT * FROM email_messages")}
    # The batch claimed alongside the failed finish was processed and finished before the
    # run gave up; only the batch whose finish was lost waits for the rescue.
    assert {rows[i]["status"] for i in second_batch} == {"Completed"}
    assert {rows[i]["status"] for i in first_batch} == {"Processing"}

    async def all_completed() -> bool:
        await service.process_pending_email_messages(limit=10)
        return (await status_counts(admin))["Completed"] == 20

    await wait_for(all_completed, 15, "the rescue after the lease", every_s=0.2)
    calls: dict[int, list[Call]] = {}
    for call in handled:
        calls.setdefault(call.message_id, []).append(call)
    assert sorted(calls) == ids
    assert {i for i, made in calls.items() if len(made) == 2} == first_batch
    for message in first_batch:
        first, second = calls[message]
        assert second.started_at >= first.claimed_at + timedelta(seconds=LEASE_S)


async def test_a_failed_heartbeat_does_not_throw_the_batch_away(
    admin: asyncpg.Connection,
    drop_connection: Callable[[str, Any], list[int]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lease_s = 1.5  # a beat every 0.5 s
    monkeypatch.setattr(
        service.EMAIL_QUEUE, "policy", replace(service.EMAIL_QUEUE.policy, lease_s=lease_s)
    )
    calls: list[int] = []

    async def slow(message: Row[Any]) -> None:
        calls.append(message.id)
        await asyncio.sleep(1.2)  # long enough for two beats

    monkeypatch.setattr(service, "send_email_message", slow)
    ids = await queue_emails(5)
    dropped = drop_connection("before_cursor_execute", nth(is_heartbeat, 1))

    summary = await service.process_pending_email_messages()

    assert dropped, "no heartbeat ran"
    assert (summary.completed, summary.lost) == (5, 0)
    assert sorted(calls) == ids
    assert aborted_runs(caplog) == []
    assert any(r.getMessage().endswith("heartbeat failed") for r in caplog.records)
    assert await status_counts(admin) == {"Queued": 0, "Processing": 0, "Completed": 5, "Error": 0}
