"""Shared mechanics of status-driven background services.

A background service watches a status column, claims the rows in its monitored status, works
on each one, and records the outcome. Every service needs the same careful mechanics, so they
live here once instead of being copied into each job:

- claim: one short transaction (a single UPDATE) marks due rows Processing with a claim token,
  the claim time and the attempt number (`FOR UPDATE SKIP LOCKED`, so concurrent workers
  never share a row);
- process: handlers run with no session and no lock held, a bounded number at once, each with
  a timeout; a heartbeat keeps the claim of a long batch fresh;
- finish: guarded updates (`WHERE id = :id AND status = Processing AND claim_token = :token`)
  so a late or rescued worker can never overwrite a row someone else now owns; the successes
  of a batch are finished in one statement, each statement committing on its own, while the
  next batch is being claimed;
- retry: a failed row goes back to the monitored status with `available_at` pushed out by
  exponential backoff with jitter, and the claim only selects due rows; Error only once the
  attempts are spent, with the error text kept;
- rescue: rows left in Processing past the lease (a crashed worker) are put back in the queue,
  or in Error when their attempts are spent, and each rescue is logged and counted;
- report: every run logs its start, and its end with counts and duration;
- wake-up (PostgreSQL): a NOTIFY when a row becomes due lets the job run at once instead of
  waiting for its interval.

This module is part of the host application (skf adds it once and keeps it current); it does
not depend on skf.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import math
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, Protocol

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Dialect,
    Enum,
    Select,
    TypeDecorator,
    Update,
    any_,
    bindparam,
    case,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.engine import Row, make_url
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
    from sqlalchemy.orm import InstrumentedAttribute

logger = logging.getLogger("src.status_queue")

Handler = Callable[[Row[Any]], Awaitable[Mapping[str, Any] | None]]
"""Works on one claimed row (a read-only snapshot). Returns column values to store with the
done status, or None. Raising marks the row failed (retried, or Error once attempts are spent)."""

ERROR_TEXT_LIMIT = 2000


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        if dialect.name == "postgresql":
            # `timestamp with time zone` arrives timezone-aware: `process_result_value` would
            # return every value as it is, at a call per value of every row a claim returns.
            return self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)


def status_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """The column type for a status enum: stores the members' values (the spelling the
    architecture doc lists), as a native enum type on PostgreSQL."""
    return Enum(
        enum_class,
        name=name,
        native_enum=True,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        length=max(len(member.value) for member in enum_class),
    )


def _inline_status_values(statement: Any) -> Any:
    """Render status comparisons as SQL literals instead of bind parameters.

    PostgreSQL can only use a partial index (`WHERE status = 'Queued'`) when the planner sees
    the value; a bind parameter lets it switch to a generic plan that cannot.
    """

    def replace(element: Any) -> Any:
        if isinstance(element, BindParameter) and isinstance(element.value, enum.Enum):
            return element.render_literal_execute()
        return None

    return visitors.replacement_traverse(statement, {}, replace)


@dataclass(frozen=True)
class QueuePolicy:
    """How a queue processes its rows; every figure comes from settings."""

    concurrency: int
    item_timeout_s: float
    lease_s: float
    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float
    drain_s: float = 0.0

    def __post_init__(self) -> None:
        for name in ("concurrency", "item_timeout_s", "lease_s", "max_attempts"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        if not 0 < self.backoff_base_s <= self.backoff_max_s:
            raise ValueError("backoff must satisfy 0 < backoff_base_s <= backoff_max_s")
        if self.drain_s < 0:
            raise ValueError("drain_s must not be negative")

    def backoff_s(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based): exponential, capped, with jitter.

        Half the delay is fixed and half random ("equal jitter"): retries of rows that failed
        together spread out, yet none comes back immediately.
        """
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (max(attempt, 1) - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    @property
    def heartbeat_s(self) -> float:
        return self.lease_s / 3


@dataclass
class RunSummary:
    """What one run of a job did; logged at the end of every run."""

    job_id: str
    claimed: int = 0
    completed: int = 0
    retried: int = 0
    failed: int = 0
    rescued: int = 0
    lost: int = 0
    batches: int = 0
    duration_s: float = 0.0

    def describe(self) -> str:
        return (
            f"claimed={self.claimed} completed={self.completed} retried={self.retried} "
            f"failed={self.failed} rescued={self.rescued} lost={self.lost} "
            f"batches={self.batches} duration={self.duration_s:.3f}s"
        )


@dataclass(frozen=True)
class Claim:
    """A batch of rows claimed together under one token."""

    token: uuid.UUID
    rows: Sequence[Row[Any]]


class _Outcome(NamedTuple):  # one per handled row: the cheapest record Python has
    row: Row[Any]
    values: Mapping[str, Any] | None = None
    error: BaseException | None = None


class _Worker:
    """A worker of a batch as the batch's guard sees it: its timeout, and when the row in its
    hand is due (infinity between rows)."""

    __slots__ = ("armed", "due", "timeout")

    def __init__(self, timeout: asyncio.Timeout) -> None:
        self.timeout = timeout
        self.due = math.inf
        self.armed = False  # the guard has set the timeout off


class SessionFactory(Protocol):
    def __call__(self) -> contextlib.AbstractAsyncContextManager[AsyncSession]: ...


class StatusQueue:
    """The rows of one table whose status column one background service watches.

    The bookkeeping columns are `available_at`, `claim_token`, `claimed_at`, `attempts`,
    `last_error` and (optional) `completed_at`, each prefixed with `column_prefix` so that
    several services can watch different status columns of the same table independently.
    """

    registry: ClassVar[dict[str, StatusQueue]] = {}
    """Every queue of the process by job id (the status endpoint and shutdown use it)."""

    def __init__(
        self,
        *,
        job_id: str,
        status: InstrumentedAttribute[Any],
        queued: enum.Enum,
        processing: enum.Enum,
        completed: enum.Enum,
        error: enum.Enum,
        policy: QueuePolicy,
        session_factory: SessionFactory,
        column_prefix: str = "",
    ) -> None:
        self.job_id = job_id
        self.policy = policy
        self.table = status.property.parent.local_table
        self.status = self.table.c[status.key]
        self.queued, self.processing, self.completed, self.error = (
            queued,
            processing,
            completed,
            error,
        )
        enum_class = type(queued)
        for member in (processing, completed, error):
            if not isinstance(member, enum_class):
                raise TypeError(f"{member!r} is not a member of {enum_class.__name__}")
        self._session_factory = session_factory
        columns = self.table.c
        primary_key = list(self.table.primary_key.columns)
        if len(primary_key) != 1:
            raise ValueError(f"{self.table.name}: a status queue needs a single-column key")
        self.id = primary_key[0]
        # Where the key sits in a claimed row (the claim returns every column in table
        # order): a row's key by position costs a twentieth of a lookup by name.
        self._id_position = next(i for i, column in enumerate(self.table.c) if column is self.id)
        try:
            self.available_at = columns[f"{column_prefix}available_at"]
            self.claim_token = columns[f"{column_prefix}claim_token"]
            self.claimed_at = columns[f"{column_prefix}claimed_at"]
            self.attempts = columns[f"{column_prefix}attempts"]
            self.last_error = columns[f"{column_prefix}last_error"]
        except KeyError as missing:
            raise ValueError(
                f"{self.table.name} lacks the queue column {missing.args[0]!r}"
            ) from None
        self.completed_at = columns.get(f"{column_prefix}completed_at")
        self._running = 0
        self._wake_pending = False
        self._waker: Callable[[], None] | None = None
        self._complete_statements: dict[str, Update] = {}
        # `status = 'Queued'` with the value rendered in the SQL: added to the claim's `due`,
        # it lets PostgreSQL use the partial index on the monitored status even under a
        # generic plan (the job's own `status == Queued` travels as a bind parameter). It is
        # what `_inline_status_values` achieves by rewriting a statement, at a fraction of
        # the cost: that rewrite was the largest single CPU cost of a claim.
        self._queued_literal = self.status == literal(
            self.queued, self.status.type, literal_execute=True
        )
        # The claim's UPDATE but for its WHERE (the job's `due`), built once: every claim
        # pays for building and hashing a statement otherwise.
        self._claim_update = (
            update(self.table)
            .values(
                {
                    self.status: self.processing,
                    self.claim_token: bindparam(
                        "status_queue_claim_token", type_=self.claim_token.type
                    ),
                    self.claimed_at: bindparam(
                        "status_queue_claimed_at", type_=self.claimed_at.type
                    ),
                    self.attempts: self.attempts + 1,
                }
            )
            .returning(*self.table.c)
        )
        StatusQueue.registry[job_id] = self

    @property
    def running(self) -> bool:
        return self._running > 0

    # -- claim ---------------------------------------------------------------------------

    async def claim(self, session: AsyncSession, due: Select[Any]) -> Claim:
        """Mark the rows `due` selects as Processing: one atomic UPDATE ... RETURNING.

        `due` selects the key of due rows in the monitored status (`queued`), with
        `.with_for_update(skip_locked=True)` and a limit. On a session that has not begun a
        transaction (the job's `async with get_background_session() as session:` block),
        the claim commits as soon as the statement completes, and the session's commit has
        nothing left to do; on a session already in a transaction, the claim joins it and
        the caller commits.
        """
        token = uuid.uuid4()
        statement = self._claim_update.where(
            self.id.in_(due.where(self._queued_literal).scalar_subquery())
        )
        # Core execution on the session's connection: the ORM layer of Session.execute adds
        # nothing to a plain UPDATE ... RETURNING but CPU time. Autocommit when nothing else
        # is in the transaction: the claim is atomic by itself, and BEGIN and COMMIT were
        # two of the six round trips every batch costs.
        if session.in_transaction():
            connection = await session.connection()
        else:
            connection = await session.connection(
                execution_options={"isolation_level": "AUTOCOMMIT"}
            )
        claimed = await connection.execute(
            statement, {"status_queue_claim_token": token, "status_queue_claimed_at": utcnow()}
        )
        return Claim(token, claimed.all())

    # -- run -----------------------------------------------------------------------------

    async def run(self, claim_due: Callable[[], Awaitable[Claim]], handler: Handler) -> RunSummary:
        """One run of the job: rescue stale rows, then claim and process batches.

        Without a drain budget a run processes one batch; with one, it keeps claiming until
        the queue is empty or the budget is spent, so a backlog does not wait an interval
        per batch.
        """
        summary = RunSummary(self.job_id)
        started = time.monotonic()
        self._running += 1
        logger.info("%s: run started", self.job_id)
        try:
            summary.rescued = await self.rescue_stale()
            await self._drain(claim_due, handler, summary, deadline=started + self.policy.drain_s)
        except Exception:
            logger.exception("%s: run aborted", self.job_id)
            raise
        finally:
            self._running -= 1
            summary.duration_s = time.monotonic() - started
            logger.info("%s: run finished: %s", self.job_id, summary.describe())
        return summary

    async def _drain(
        self,
        claim_due: Callable[[], Awaitable[Claim]],
        handler: Handler,
        summary: RunSummary,
        deadline: float,
    ) -> None:
        """Claim and process batches until the queue is empty or the deadline has passed.

        A batch's finish is written while the next batch is being claimed: two short
        transactions on two connections, neither waiting for the other (they touch
        different rows), so a backlog does not pay both round trips per batch. A failed
        finish still ends the run, after the batch claimed alongside it has been processed
        and finished, so that batch does not wait for the rescue.
        """
        finishing: Coroutine[Any, Any, None] | None = None
        failure: BaseException | None = None
        try:
            while True:
                self._wake_pending = False
                previous, finishing = finishing, None
                claim, failure = await self._claim_alongside(claim_due, previous)
                if claim.rows:
                    summary.batches += 1
                    summary.claimed += len(claim.rows)
                    outcomes = await self._work(claim, handler)
                    finishing = self._finish(claim.token, outcomes, summary)
                elif not self._wake_pending:
                    break
                if failure is not None:
                    break
                if time.monotonic() >= deadline and not self._wake_pending:
                    break
        finally:
            if finishing is not None:
                try:
                    await finishing
                except Exception:
                    if failure is None:
                        raise
                    # The run raises the first failure below; keep this one in the log.
                    logger.exception("%s: finish failed", self.job_id)
        if failure is not None:
            raise failure

    async def _claim_alongside(
        self,
        claim_due: Callable[[], Awaitable[Claim]],
        finishing: Coroutine[Any, Any, None] | None,
    ) -> tuple[Claim, BaseException | None]:
        """Claim the next batch while the previous one's finish is written; returns the claim
        and the finish's failure, if any. A failed claim raises."""
        if finishing is None:
            return await claim_due(), None
        claimed, finished = await asyncio.gather(claim_due(), finishing, return_exceptions=True)
        if isinstance(claimed, BaseException):
            if isinstance(finished, BaseException):
                logger.error("%s: finish failed", self.job_id, exc_info=finished)
            raise claimed
        return claimed, finished

    async def _work(self, claim: Claim, handler: Handler) -> list[_Outcome]:
        """Run the handler on every claimed row, at most `concurrency` at once, with no
        session held.

        The run's own task works through the rows. The other workers, and the batch's guard
        (item timeouts, heartbeat), start on the event loop's next turn, that is once a handler
        waits: a handler that never waits has done the whole batch by then, and the tasks it
        did not need are never created.
        """
        pending = list(claim.rows)
        outcomes: list[_Outcome] = []
        workers: list[_Worker] = []
        loop = asyncio.get_running_loop()
        started: list[asyncio.Task[None]] = []  # the guard, then the other workers

        async def worker() -> None:
            while pending:
                await self._handle_rows(pending, handler, outcomes, workers)

        def start_the_rest() -> None:
            started.append(loop.create_task(self._guard(claim, workers)))
            for _ in range(min(self.policy.concurrency - 1, len(pending))):
                started.append(loop.create_task(worker()))

        starting = loop.call_soon(start_the_rest)
        try:
            await worker()
            if len(started) > 1:
                await asyncio.gather(*started[1:])
        finally:
            starting.cancel()
            if started:
                # Whatever ended the batch, nothing of it runs on after it: the guard may be
                # in the middle of a beat, and a worker in a handler.
                for task in started:
                    task.cancel()
                await asyncio.gather(*started, return_exceptions=True)
        return outcomes

    async def _handle_rows(
        self,
        pending: list[Row[Any]],
        handler: Handler,
        outcomes: list[_Outcome],
        workers: list[_Worker],
    ) -> None:
        """Handle rows from `pending` one after the other until none is left, or until one
        times out (the worker then calls again, for a fresh timeout).

        One timeout serves every row in turn and has no timer of its own: the batch's guard
        arms it when the row in hand is overdue. A timer per row was a sixth of a batch's
        CPU time, and a timeout per row a tenth.
        """
        loop = asyncio.get_running_loop()
        row: Row[Any] | None = None
        try:
            async with asyncio.timeout(None) as timeout:
                me = _Worker(timeout)
                workers.append(me)
                try:
                    while pending:
                        row = pending.pop()
                        me.due = loop.time() + self.policy.item_timeout_s
                        try:
                            values = await handler(row)
                        except Exception as exc:  # recorded on its row, never swallowed
                            outcomes.append(self._failed(row, exc))
                        else:
                            outcomes.append(_Outcome(row, values))
                        row, me.due = None, math.inf
                        if me.armed:
                            if timeout.expired():
                                break  # the handler swallowed its cancellation: start afresh
                            # Overdue, but done before its timeout fired: that is no failure.
                            timeout.reschedule(None)
                            me.armed = False
                finally:
                    workers.remove(me)
        except TimeoutError as exc:
            if row is None:
                raise  # not a row's: cannot happen, and must not be hidden if it does
            outcomes.append(self._failed(row, exc))

    def _failed(self, row: Row[Any], error: BaseException) -> _Outcome:
        logger.error(
            "%s: row %s failed on attempt %d/%d",
            self.job_id,
            row._mapping[self.id.key],
            row._mapping[self.attempts.key],
            self.policy.max_attempts,
            exc_info=error,
        )
        return _Outcome(row, error=error)

    async def _guard(self, claim: Claim, workers: list[_Worker]) -> None:
        """While a batch's handlers run: time out the rows in hand past their deadline, and
        keep the claim fresh (a beat every third of the lease) so the rescue never takes it
        from a live worker. Cancelled when the batch's last handler returns."""
        loop = asyncio.get_running_loop()
        policy = self.policy
        beat_at = loop.time() + policy.heartbeat_s  # most batches end before this
        beating: asyncio.Task[None] | None = None
        try:
            while True:
                now = loop.time()
                if now >= beat_at:
                    # In a task of its own: a slow beat must not hold back a row's timeout.
                    if beating is None or beating.done():
                        beating = loop.create_task(self._beat(claim))
                    beat_at = now + policy.heartbeat_s
                # A row taken up later is due no sooner than `now + item_timeout_s`.
                wake = min(beat_at, now + policy.item_timeout_s)
                for worker in workers:
                    if worker.armed:
                        continue
                    if worker.due <= now:
                        worker.armed = True
                        worker.timeout.reschedule(worker.due)  # its handler gets TimeoutError
                    elif worker.due < wake:
                        wake = worker.due
                await asyncio.sleep(wake - now)
        finally:
            if beating is not None:
                beating.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beating

    async def _beat(self, claim: Claim) -> None:
        ids = [row[self._id_position] for row in claim.rows]
        try:
            async with self._autocommit() as connection:
                await connection.execute(
                    update(self.table)
                    .where(self._owned(claim.token), self.id.in_(ids))
                    .values({self.claimed_at: utcnow()})
                )
        except Exception:
            # One lost beat must not throw away the batch's work: the next beat (a third of
            # the lease later) retries, and if the lease runs out meanwhile, the guarded
            # finish keeps the rescuer's result.
            logger.warning("%s: heartbeat failed", self.job_id, exc_info=True)

    # -- finish --------------------------------------------------------------------------

    def _owned(self, token: uuid.UUID) -> ColumnElement[bool]:
        return (self.status == self.processing) & (self.claim_token == token)

    @contextlib.asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A connection of the session factory on which every statement commits by itself.

        The queue's own writes (finish, rescue, heartbeat) are guarded single statements that
        need no transaction around them: autocommit saves the BEGIN and COMMIT round trips,
        and a failure midway keeps the finishes already written instead of undoing them.
        """
        async with self._session_factory() as session:
            yield await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    def _complete_statement(self, dialect: str) -> Update:
        """The guarded update that completes a batch's plain successes, built once.

        On PostgreSQL the ids travel as one array parameter (`id = ANY(:ids)`); elsewhere as
        an expanding IN list.
        """
        statement = self._complete_statements.get(dialect)
        if statement is None:
            if dialect == "postgresql":
                in_batch = self.id == any_(bindparam("ids", type_=ARRAY(self.id.type)))
            else:
                in_batch = self.id.in_(bindparam("ids", expanding=True))
            done: dict[Any, Any] = {
                self.status: self.completed,
                self.claim_token: None,
                self.last_error: None,
            }
            if self.completed_at is not None:
                done[self.completed_at] = bindparam("now", type_=self.completed_at.type)
            owned = (self.status == self.processing) & (
                self.claim_token == bindparam("token", type_=self.claim_token.type)
            )
            statement = update(self.table).where(in_batch, owned).values(done).returning(self.id)
            self._complete_statements[dialect] = statement
        return statement

    async def _finish(
        self, token: uuid.UUID, outcomes: Sequence[_Outcome], summary: RunSummary
    ) -> None:
        now = utcnow()
        done: dict[str, Any] = {self.status.key: self.completed, self.claim_token.key: None}
        done[self.last_error.key] = None
        if self.completed_at is not None:
            done[self.completed_at.key] = now
        at = self._id_position
        plain = [o.row[at] for o in outcomes if o.error is None and not o.values]
        lost = 0
        async with self._autocommit() as connection:
            if plain:
                finished = await connection.execute(
                    self._complete_statement(connection.dialect.name),
                    {"ids": plain, "token": token, "now": now},
                )
                completed = len(finished.all())
                summary.completed += completed
                lost += len(plain) - completed
            for outcome in outcomes:
                if outcome.error is None and not outcome.values:
                    continue
                values = {**done, **outcome.values} if outcome.error is None else None
                key = outcome.row._mapping[self.id.key]
                if values is None:
                    values, retried = self._failure_values(outcome, now)
                finished = await connection.execute(
                    update(self.table)
                    .where(self.id == key, self._owned(token))
                    .values(values)
                    .returning(self.id)
                )
                if finished.first() is None:
                    lost += 1
                elif outcome.error is None:
                    summary.completed += 1
                elif retried:
                    summary.retried += 1
                else:
                    summary.failed += 1
        if lost:
            summary.lost += lost
            logger.warning(
                "%s: %d finished rows were no longer ours (rescued after the lease)",
                self.job_id,
                lost,
            )

    def _failure_values(self, outcome: _Outcome, now: datetime) -> tuple[dict[str, Any], bool]:
        attempt = outcome.row._mapping[self.attempts.key]
        error_text = f"{type(outcome.error).__name__}: {outcome.error}"[:ERROR_TEXT_LIMIT]
        values: dict[str, Any] = {self.claim_token.key: None, self.last_error.key: error_text}
        if attempt < self.policy.max_attempts:
            values[self.status.key] = self.queued
            values[self.available_at.key] = now + timedelta(seconds=self.policy.backoff_s(attempt))
            return values, True
        values[self.status.key] = self.error
        return values, False

    # -- rescue --------------------------------------------------------------------------

    async def rescue_stale(self) -> int:
        """Requeue rows left in Processing past the lease (their worker is gone).

        Rows whose attempts are spent go to Error instead, so a row that crashes its worker
        every time cannot loop forever. A row locked by a live worker's finish is skipped.
        """
        now = utcnow()
        stale = _inline_status_values(
            select(self.id)
            .where(
                self.status == self.processing,
                self.claimed_at < now - timedelta(seconds=self.policy.lease_s),
            )
            .with_for_update(skip_locked=True)
        )
        exhausted = self.attempts >= self.policy.max_attempts
        message = f"lease of {self.policy.lease_s:g}s expired: the worker was lost"
        statement = (
            update(self.table)
            .where(self.id.in_(stale.scalar_subquery()))
            .values(
                {
                    self.status: case(
                        (exhausted, literal(self.error, self.status.type)),
                        else_=literal(self.queued, self.status.type),
                    ),
                    self.claim_token: None,
                    self.available_at: now,
                    self.last_error: message,
                }
            )
            .returning(self.id, self.attempts, self.status)
        )
        async with self._autocommit() as connection:
            rescued = (await connection.execute(statement)).all()
        for key, attempts, status in rescued:
            logger.warning(
                "%s: rescued row %s stuck in %s (attempt %d) -> %s",
                self.job_id,
                key,
                self.processing.value,
                attempts,
                status.value,
            )
        return len(rescued)

    # -- observability -------------------------------------------------------------------

    async def snapshot(self) -> dict[str, Any]:
        """Queue depth per status, the oldest due row's age, and rows stuck past the lease."""
        now = utcnow()
        async with self._session_factory() as session:
            # Rows unpack as tuples (`Result.tuples()` is deprecated since SQLAlchemy 2.1).
            counts = {
                status: count
                for status, count in await session.execute(
                    select(self.status, func.count()).group_by(self.status)
                )
            }
            oldest = await session.scalar(
                _inline_status_values(
                    select(func.min(self.available_at)).where(
                        self.status == self.queued, self.available_at <= now
                    )
                )
            )
            stuck = await session.scalar(
                _inline_status_values(
                    select(func.count()).where(
                        self.status == self.processing,
                        self.claimed_at < now - timedelta(seconds=self.policy.lease_s),
                    )
                )
            )
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return {
            "job_id": self.job_id,
            "counts": {member.value: counts.get(member, 0) for member in type(self.queued)},
            "oldest_queued_age_s": (now - oldest).total_seconds() if oldest else None,
            "stuck_processing": stuck or 0,
        }

    # -- wake-up -------------------------------------------------------------------------

    def attach_waker(self, waker: Callable[[], None]) -> None:
        """`waker` asks the scheduler to run this queue's job now (see `WakeupListener`)."""
        self._waker = waker

    def wake(self) -> None:
        """A row became due: run now, or make the running run claim once more before ending."""
        if self._running:
            self._wake_pending = True
        elif self._waker is not None:
            self._waker()

    def notify_channel(self) -> str:
        return f"{self.table.name}_{self.status.key}_due"

    def notify_trigger_ddl(self) -> list[str]:
        """PostgreSQL statements that make the table NOTIFY when a row becomes due."""
        channel = self.notify_channel()
        function = f"{channel}_notify"
        status = self.status.name
        queued = self.queued.value.replace("'", "''")
        return [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {function} ON {self.table.name}",
            f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OF {status} "
            f"ON {self.table.name} FOR EACH ROW "
            f"WHEN (NEW.{status} = '{queued}' AND NEW.{self.available_at.name} <= now()) "
            f"EXECUTE FUNCTION {function}()",
        ]


async def wait_until_idle(timeout_s: float) -> bool:
    """Wait for every running queue run to end (graceful shutdown); False on timeout.

    Rows a run still holds when the process exits anyway are rescued after their lease.
    """
    deadline = time.monotonic() + timeout_s
    while any(queue.running for queue in StatusQueue.registry.values()):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.05)
    return True


class WakeupListener:
    """LISTENs (PostgreSQL) for the NOTIFYs of registered queues and wakes their jobs.

    The job's interval stays the safety net: a lost connection only delays pickup until the
    listener is back (it reconnects with backoff and logs each loss). On other databases it
    does nothing.
    """

    def __init__(self, *, reconnect_max_s: float = 30.0, keepalive_s: float = 30.0) -> None:
        self._queues: dict[str, StatusQueue] = {}
        self._reconnect_max_s = reconnect_max_s
        self._keepalive_s = keepalive_s
        self._task: asyncio.Task[None] | None = None
        self._dsn = ""
        self.connected = asyncio.Event()
        self.connections = 0

    def register(self, queue: StatusQueue, scheduler: Any) -> None:
        """Wake `queue`'s job (registered on `scheduler` under `queue.job_id`) on NOTIFY."""

        def run_now() -> None:
            job = scheduler.get_job(queue.job_id)
            if job is not None:
                # The scheduler still applies the job's max_instances to this run.
                job.modify(next_run_time=utcnow())

        queue.attach_waker(run_now)
        self._queues[queue.notify_channel()] = queue

    async def start(self, database_url: str) -> bool:
        """Install the NOTIFY triggers and start listening; False when there is nothing to do."""
        url = make_url(database_url)
        if url.get_backend_name() != "postgresql" or not self._queues or self._task:
            return False
        self._dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        await self._install_triggers()
        self.connected = asyncio.Event()
        self._task = asyncio.create_task(self._listen_forever(), name="wakeup-listener")
        return True

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self.connected.clear()

    async def _install_triggers(self) -> None:
        import asyncpg  # only needed on PostgreSQL

        connection = await asyncpg.connect(self._dsn)
        try:
            async with connection.transaction():
                # Several replicas may start at once; CREATE OR REPLACE FUNCTION races itself.
                await connection.execute("SELECT pg_advisory_xact_lock(hashtext('skf-wakeup'))")
                for queue in self._queues.values():
                    for statement in queue.notify_trigger_ddl():
                        await connection.execute(statement)
        finally:
            await connection.close()

    def _on_notify(self, _connection: Any, _pid: int, channel: str, _payload: str) -> None:
        queue = self._queues.get(channel)
        if queue is not None:
            queue.wake()

    async def _listen_forever(self) -> None:
        import asyncpg

        delay = 0.5
        while True:
            try:
                await self._listen_once(asyncpg)
                delay = 0.5
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("wake-up listener: %s; reconnecting in %.1fs", exc, delay)
            finally:
                self.connected.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._reconnect_max_s)

    async def _listen_once(self, asyncpg: Any) -> None:
        lost = asyncio.Event()
        connection = await asyncpg.connect(self._dsn)
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            for channel in self._queues:
                await connection.add_listener(channel, self._on_notify)
            self.connections += 1
            self.connected.set()
            logger.info("wake-up listener on %s", ", ".join(self._queues))
            for queue in self._queues.values():
                queue.wake()  # catch up on rows queued while nobody listened
            while not lost.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), self._keepalive_s)
                if not lost.is_set():
                    # A half-open TCP connection never reports itself lost; a query does.
                    await connection.fetchval("SELECT 1")
            logger.warning("wake-up listener lost its connection")
        finally:
            if not connection.is_closed():
                connection.terminate()


wakeup_listener = WakeupListener()
"""The process's one listener; services register on it when their wake-up setting is on."""
