"""How fast the reference service drains a backlog, against a hand-written ceiling measured in
the same run, on PostgreSQL.

Measured on databases of the script's own (created, and dropped at the end):
- throughput: a backlog of `--rows` due Queued rows (20,000 by default) drained by the
  reference service (`process_pending_email_messages` with a drain budget, a no-op handler)
  at concurrency 1 and 10, in this process and with `--processes` worker processes; and the
  same backlog drained by the ceiling: a minimal hand-written asyncpg loop that claims a
  batch (`UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT n) RETURNING *`),
  calls a no-op handler on each row and marks the batch Completed, in one process and with
  as many processes. Same batch size for both. The service keeps every guarantee the ceiling
  drops: the rescue of stale rows, the claim token and guarded finish, the heartbeat, the
  per-item timeout and bounded concurrency, retries;
- pickup latency: with the wake-up listener on and an interval of 60 s, the time from a row
  being inserted as Queued to its handler starting;
- claim cost against table size: the service's claim (rolled back, so every repetition sees
  the same table) on 1,000 Queued rows alone, and on 1,000 Queued among 1,000,000 Completed
  (a second database, so the two take turns).

Every figure is the median of `--repeat` rounds in which the service and the ceiling take
turns; `load_average_1m` says how busy the machine was (the service is CPU-bound on a small
machine, so a busy one lowers `ratio`).

Targets: `ratio` (service / ceiling, in-process, concurrency 10) at least 0.5; `claim_ms_large`
within 1.5x of `claim_ms_small`. The last line printed is one JSON object with the figures.

    python benchmarks/service_throughput.py            # the full run (a few minutes)
    python benchmarks/service_throughput.py --quick    # small sizes: a smoke test

`BENCH_POSTGRES_URL` (default `postgresql+asyncpg://postgres@127.0.0.1:5432/test`) names the
server and the database to connect to while creating and dropping the benchmark's own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

REPOSITORY = Path(__file__).resolve().parents[1]
APP_ROOT = REPOSITORY / "example_service"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
CONCURRENCIES = (1, 10)
HEADLINE_CONCURRENCY = 10  # the service's default EMAIL_SENDER_CONCURRENCY
CLAIM_QUEUED_ROWS = 1_000
CLAIM_REPEATS = 50

# The ceiling: the least a correct SKIP LOCKED worker can do per batch (two statements).
CEILING_CLAIM = """
    UPDATE email_messages
       SET status = 'Processing', claim_token = $1, claimed_at = now(), attempts = attempts + 1
     WHERE id IN (SELECT id FROM email_messages
                   WHERE status = 'Queued' AND available_at <= now()
                   ORDER BY available_at LIMIT $2
                   FOR UPDATE SKIP LOCKED)
 RETURNING *
"""
CEILING_COMPLETE = """
    UPDATE email_messages
       SET status = 'Completed', claim_token = NULL, completed_at = now()
     WHERE id = ANY($1::integer[])
"""
FILL = """
    INSERT INTO email_messages
        (recipient, subject, body, status, created_at, available_at, attempts)
    SELECT 'user' || n || '@example.com', 'hello ' || n, 'body', $2::email_status,
           now(), now() - interval '1 second', 0
      FROM generate_series(1, $1::integer) AS n
"""


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def no_op(row: Any) -> None:
    """The handler of every measurement: the cost measured is the queue's, not the work's."""
    return None


# -- the application, imported once its settings are in the environment -----------------


@dataclass
class App:
    settings: Any
    service: ModuleType
    session: ModuleType
    main: ModuleType
    status_queue: ModuleType


def load_app(database_url: str, batch_size: int, concurrency: int) -> App:
    """Import example_service configured through its environment, as production does."""
    os.environ.update(
        {
            "DATABASE_URL": database_url,
            "EMAIL_SENDER_BATCH_SIZE": str(batch_size),
            "EMAIL_SENDER_CONCURRENCY": str(concurrency),
            # One run drains the whole backlog instead of one batch per interval.
            "EMAIL_SENDER_DRAIN_SECONDS": "3600",
            "EMAIL_SENDER_INTERVAL_SECONDS": "60",
            "EMAIL_SENDER_MAX_INSTANCES": "1",
        }
    )
    if str(APP_ROOT) not in sys.path:
        sys.path.insert(0, str(APP_ROOT))
    from src import main, status_queue
    from src.config.settings import settings
    from src.services import email_sender_scheduler as service
    from src.session import async_session

    service.send_email_message = no_op  # looked up at call time by the job
    return App(settings, service, async_session, main, status_queue)


def set_concurrency(app: App, concurrency: int) -> None:
    queue = app.service.EMAIL_QUEUE
    queue.policy = replace(queue.policy, concurrency=concurrency)


# -- database ----------------------------------------------------------------------------


async def refill(admin: asyncpg.Connection, queued: int, completed: int = 0) -> None:
    """An empty table, then `completed` Completed rows and `queued` due Queued rows, vacuumed
    and analyzed so every measurement starts from the same state."""
    await admin.execute("TRUNCATE email_messages RESTART IDENTITY")
    if completed:
        await admin.execute(FILL, completed, "Completed")
    await admin.execute(FILL, queued, "Queued")
    await admin.execute("VACUUM ANALYZE email_messages")


async def count(admin: asyncpg.Connection, status: str) -> int:
    result: int = await admin.fetchval(
        "SELECT count(*) FROM email_messages WHERE status = $1::email_status", status
    )
    return result


# -- the drains --------------------------------------------------------------------------


async def ceiling_drain(dsn: str, batch_size: int, start: asyncio.Event | None = None) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        if start is not None:
            await start.wait()
        handled = 0
        while rows := await connection.fetch(CEILING_CLAIM, uuid.uuid4(), batch_size):
            for row in rows:
                await no_op(row)
            await connection.execute(CEILING_COMPLETE, [row["id"] for row in rows])
            handled += len(rows)
        return handled
    finally:
        await connection.close()


async def service_drain(app: App, batch_size: int) -> int:
    summary = await app.service.process_pending_email_messages(limit=batch_size)
    if summary.lost or summary.failed or summary.retried:
        raise RuntimeError(f"the service did not complete every row: {summary.describe()}")
    completed: int = summary.completed
    return completed


async def timed(admin: asyncpg.Connection, rows: int, drain: Callable[[], Awaitable[Any]]) -> float:
    """Rows per second of one drain of a fresh backlog of `rows`; checks nothing was left."""
    await refill(admin, rows)
    started = time.perf_counter()
    await drain()
    elapsed = time.perf_counter() - started
    completed = await count(admin, "Completed")
    if completed != rows:
        raise RuntimeError(f"drained {completed} of {rows} rows")
    return rows / elapsed


async def processes_drain(
    database_url: str, kind: str, processes: int, batch_size: int, concurrency: int
) -> float:
    """Drain with `processes` worker processes of this script; returns the seconds from the
    moment every process has imported, connected and reported ready until the last one
    reports its drain done. Neither start-up nor teardown is measured: a process that imports
    the whole application takes longer to exit than one that imports asyncpg, and that is
    not draining."""
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--worker-process",
            kind,
            "--batch-size",
            str(batch_size),
            "--concurrency",
            str(concurrency),
            env={**os.environ, "DATABASE_URL": database_url},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 60)
            if line.strip() != b"ready":
                raise RuntimeError(f"a {kind} worker process failed to start: {line!r}")
        started = time.perf_counter()
        for child in children:
            assert child.stdin is not None
            child.stdin.write(b"go\n")
            await child.stdin.drain()
        for child in children:
            assert child.stdout is not None
            line = await asyncio.wait_for(child.stdout.readline(), 600)
            if line.strip() != b"done":
                raise RuntimeError(f"a {kind} worker process failed to drain: {line!r}")
        elapsed = time.perf_counter() - started
        for child in children:
            if await asyncio.wait_for(child.wait(), 60) != 0:
                raise RuntimeError(f"a {kind} worker process exited with {child.returncode}")
        return elapsed
    finally:
        for child in children:
            if child.returncode is None:
                child.kill()
                await child.wait()


async def timed_processes(
    admin: asyncpg.Connection,
    database_url: str,
    rows: int,
    kind: str,
    processes: int,
    batch_size: int,
    concurrency: int,
) -> float:
    await refill(admin, rows)
    elapsed = await processes_drain(database_url, kind, processes, batch_size, concurrency)
    completed = await count(admin, "Completed")
    if completed != rows:
        raise RuntimeError(f"{kind} processes drained {completed} of {rows} rows")
    return rows / elapsed


async def worker_process(kind: str, batch_size: int, concurrency: int) -> None:
    """One worker process of `processes_drain`: connect, report ready, drain on "go", report
    done."""
    database_url = os.environ["DATABASE_URL"]
    if kind == "ceiling":
        start = asyncio.Event()
        drain = asyncio.create_task(ceiling_drain(asyncpg_dsn(database_url), batch_size, start))
    else:
        app = load_app(database_url, batch_size, concurrency)
        await warm_up(app)
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    if kind == "ceiling":
        start.set()
        await drain
        print("done", flush=True)
        return
    try:
        await service_drain(app, batch_size)
        print("done", flush=True)
    finally:
        await app.session.dispose_database()


async def warm_up(app: App) -> None:
    """Open the pool's first connection, as a long-running worker has it open already."""
    from sqlalchemy import text

    async with app.session.get_background_session() as session:
        await session.execute(text("SELECT 1"))


# -- pickup latency ----------------------------------------------------------------------


async def pickup_latencies_ms(app: App, admin: asyncpg.Connection, samples: int) -> list[float]:
    """Insert rows one at a time while the job is idle; time each until its handler starts.

    Runs the application's own `background_services()` (shared scheduler, interval 60 s,
    wake-up listener on): each pickup within milliseconds comes from the NOTIFY.
    """
    await admin.execute("TRUNCATE email_messages RESTART IDENTITY")
    app.settings.EMAIL_SENDER_WAKEUP_ENABLED = True
    app.settings.EMAIL_SENDER_INTERVAL_SECONDS = 60
    queue = app.service.EMAIL_QUEUE
    started_at: dict[int, float] = {}
    handled = asyncio.Event()

    async def record(row: Any) -> None:
        started_at[row.id] = time.perf_counter()
        handled.set()

    app.service.send_email_message = record
    latencies: list[float] = []
    try:
        async with app.main.background_services():
            listener = app.status_queue.wakeup_listener
            await asyncio.wait_for(listener.connected.wait(), 30)
            for _ in range(samples):
                # Arrivals while the job is idle (the catch-up run after connecting, and the
                # run of the previous sample, are over).
                while queue.running:
                    await asyncio.sleep(0.005)
                await asyncio.sleep(0.02)
                handled.clear()
                queued_at = time.perf_counter()
                row_id = await admin.fetchval(
                    "INSERT INTO email_messages"
                    " (recipient, subject, body, status, created_at, available_at, attempts)"
                    " VALUES ('pickup@example.com', 'pickup', '', 'Queued', now(),"
                    " now() - interval '1 second', 0) RETURNING id"
                )
                await asyncio.wait_for(handled.wait(), 30)
                latencies.append((started_at[row_id] - queued_at) * 1000)
    finally:
        app.service.send_email_message = no_op
        app.settings.EMAIL_SENDER_WAKEUP_ENABLED = False
    return latencies


# -- claim cost against table size -------------------------------------------------------


async def claim_ms(
    app: App, urls: dict[str, str], batch_size: int, repeats: int
) -> dict[str, float]:
    """Median time of the service's claim of one batch on each database of `urls`.

    Each claim is rolled back, so every repetition sees the same table (and PostgreSQL's
    plan cache sees the same statement: after five executions it may switch the prepared
    claim to a generic plan). The databases take turns, so a machine getting busier
    meanwhile does not favour either.
    """
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
    from src.models.email_message import EmailMessage, EmailStatus

    queue = app.service.EMAIL_QUEUE
    engines = {name: create_async_engine(url) for name, url in urls.items()}
    timings: dict[str, list[float]] = {name: [] for name in urls}
    try:
        for round_ in range(repeats + 5):
            for name, engine in engines.items():
                async with AsyncSession(engine) as session:
                    # The same query as process_pending_email_messages' claim_due.
                    due = (
                        select(EmailMessage.id)
                        .where(
                            EmailMessage.status == EmailStatus.Queued,
                            EmailMessage.available_at <= app.status_queue.utcnow(),
                        )
                        .order_by(EmailMessage.available_at)
                        .limit(batch_size)
                        .with_for_update(skip_locked=True)
                    )
                    await session.connection()  # the pool checkout is not the claim
                    started = time.perf_counter()
                    claim = await queue.claim(session, due)
                    elapsed_ms = (time.perf_counter() - started) * 1000
                    await session.rollback()
                if len(claim.rows) != batch_size:
                    raise RuntimeError(f"claimed {len(claim.rows)} rows, not {batch_size}")
                if round_ >= 5:  # the first rounds prepare statements and warm caches
                    timings[name].append(elapsed_ms)
    finally:
        for engine in engines.values():
            await engine.dispose()
    return {name: statistics.median(values) for name, values in timings.items()}


async def claim_tables(admin: asyncpg.Connection, large_url: str, large_completed: int) -> None:
    """The benchmark's database with only Queued rows, and a second one where the same
    Queued rows sit among `large_completed` Completed ones."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from src.schema import create_schema

    await refill(admin, CLAIM_QUEUED_ROWS)
    engine = create_async_engine(large_url)
    try:
        await create_schema(engine)
    finally:
        await engine.dispose()
    large = await asyncpg.connect(asyncpg_dsn(large_url))
    try:
        await refill(large, CLAIM_QUEUED_ROWS, completed=large_completed)
    finally:
        await large.close()


# -- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    rows: int
    batch_size: int
    processes: int
    repeat: int
    pickup_samples: int
    claim_large_rows: int


def options(arguments: argparse.Namespace) -> Options:
    if arguments.quick:
        return Options(
            rows=arguments.rows or 1_000,
            batch_size=arguments.batch_size,
            processes=2,
            repeat=1,
            pickup_samples=5,
            claim_large_rows=20_000,
        )
    return Options(
        rows=arguments.rows or 20_000,
        batch_size=arguments.batch_size,
        processes=arguments.processes,
        repeat=arguments.repeat,
        pickup_samples=50,
        claim_large_rows=1_000_000,
    )


async def interleaved(
    repeat: int, measures: dict[str, Callable[[], Awaitable[float]]]
) -> dict[str, float]:
    """The median of `repeat` rounds of every measure, the measures taking turns within each
    round, so that a machine getting busier or quieter meanwhile skews none of them."""
    rates: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(repeat):
        for name, measure in measures.items():
            rates[name].append(await measure())
    return {name: statistics.median(values) for name, values in rates.items()}


async def benchmark(database_url: str, large_url: str, opts: Options) -> dict[str, Any]:
    app = load_app(database_url, opts.batch_size, HEADLINE_CONCURRENCY)
    logging.getLogger("src").setLevel(logging.WARNING)
    from src.schema import create_schema

    await create_schema()
    admin = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await warm_up(app)
        dsn = asyncpg_dsn(database_url)
        rows, batch = opts.rows, opts.batch_size
        figures: dict[str, Any] = {
            "rows": rows,
            "batch_size": batch,
            "repeat": opts.repeat,
            # How busy the machine was: every figure here is CPU-bound on a small machine.
            "cpus": os.cpu_count(),
            "load_average_1m": os.getloadavg()[0],
        }

        async def ceiling() -> float:
            return await timed(admin, rows, lambda: ceiling_drain(dsn, batch))

        def service(concurrency: int) -> Callable[[], Awaitable[float]]:
            async def measure() -> float:
                set_concurrency(app, concurrency)
                return await timed(admin, rows, lambda: service_drain(app, batch))

            return measure

        in_process: dict[str, Callable[[], Awaitable[float]]] = {"ceiling_rows_per_s": ceiling}
        for concurrency in CONCURRENCIES:
            in_process[f"service_c{concurrency}_rows_per_s"] = service(concurrency)
        figures.update(await interleaved(opts.repeat, in_process))
        figures["service_rows_per_s"] = figures[f"service_c{HEADLINE_CONCURRENCY}_rows_per_s"]
        figures["ratio"] = figures["service_rows_per_s"] / figures["ceiling_rows_per_s"]
        report(f"in-process, batch {batch}", figures)

        figures["processes"] = opts.processes

        def in_processes(kind: str, concurrency: int) -> Callable[[], Awaitable[float]]:
            async def measure() -> float:
                return await timed_processes(
                    admin, database_url, rows, kind, opts.processes, batch, concurrency
                )

            return measure

        processes: dict[str, Callable[[], Awaitable[float]]] = {
            "ceiling_processes_rows_per_s": in_processes("ceiling", 1)
        }
        for concurrency in CONCURRENCIES:
            key = f"service_processes_c{concurrency}_rows_per_s"
            processes[key] = in_processes("service", concurrency)
        figures.update(await interleaved(opts.repeat, processes))
        figures["processes_ratio"] = (
            figures[f"service_processes_c{HEADLINE_CONCURRENCY}_rows_per_s"]
            / figures["ceiling_processes_rows_per_s"]
        )
        report(f"{opts.processes} processes, batch {batch}", figures, "processes_")

        set_concurrency(app, HEADLINE_CONCURRENCY)
        await claim_tables(admin, large_url, opts.claim_large_rows)
        claims = await claim_ms(
            app, {"small": database_url, "large": large_url}, batch, CLAIM_REPEATS
        )
        figures["claim_ms_small"], figures["claim_ms_large"] = claims["small"], claims["large"]
        figures["claim_large_completed_rows"] = opts.claim_large_rows
        figures["claim_ratio"] = figures["claim_ms_large"] / figures["claim_ms_small"]
        print(
            f"claim of {batch} among {CLAIM_QUEUED_ROWS:,} Queued:"
            f" {figures['claim_ms_small']:.2f} ms alone,"
            f" {figures['claim_ms_large']:.2f} ms with {opts.claim_large_rows:,} Completed"
            f" ({figures['claim_ratio']:.2f}x)",
            flush=True,
        )

        latencies = await pickup_latencies_ms(app, admin, opts.pickup_samples)
        figures["pickup_samples"] = len(latencies)
        figures["pickup_latency_ms_p50"] = statistics.median(latencies)
        figures["pickup_latency_ms_p95"] = statistics.quantiles(latencies, n=20)[-1]
        figures["pickup_latency_ms_max"] = max(latencies)
        print(
            f"pickup latency (wake-up on, interval 60 s, {len(latencies)} rows):"
            f" p50 {figures['pickup_latency_ms_p50']:.1f} ms,"
            f" p95 {figures['pickup_latency_ms_p95']:.1f} ms",
            flush=True,
        )
        return {
            key: round(value, 3) if isinstance(value, float) else value
            for key, value in figures.items()
        }
    finally:
        await admin.close()
        await app.session.dispose_database()


def report(title: str, figures: dict[str, Any], prefix: str = "") -> None:
    ceiling = figures[f"ceiling_{prefix}rows_per_s"]
    lines = [f"{title}: ceiling {ceiling:,.0f} rows/s"]
    for concurrency in CONCURRENCIES:
        rate = figures[f"service_{prefix}c{concurrency}_rows_per_s"]
        lines.append(f"service c={concurrency} {rate:,.0f} rows/s ({rate / ceiling:.2f}x)")
    print("; ".join(lines), flush=True)


async def with_databases(base_url: str, opts: Options) -> dict[str, Any]:
    """Create the benchmark's own databases (the main one, and one for the large claim
    table), run, and drop them whatever happened."""
    base = make_url(base_url)
    name = f"skf_bench_{uuid.uuid4().hex[:10]}"
    names = (name, f"{name}_large")
    admin = await asyncpg.connect(asyncpg_dsn(base_url))
    try:
        try:
            for database in names:
                await admin.execute(f'CREATE DATABASE "{database}"')
            main, large = (
                base.set(database=database).render_as_string(hide_password=False)
                for database in names
            )
            return await benchmark(main, large, opts)
        finally:
            for database in names:
                await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=0, help="backlog size (default 20,000)")
    parser.add_argument("--batch-size", type=int, default=50, help="rows per claim (both sides)")
    parser.add_argument("--processes", type=int, default=4, help="worker processes")
    parser.add_argument("--repeat", type=int, default=3, help="drains per figure (median)")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--worker-process", choices=["service", "ceiling"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--concurrency", type=int, default=HEADLINE_CONCURRENCY, help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if arguments.worker_process:
        asyncio.run(
            worker_process(arguments.worker_process, arguments.batch_size, arguments.concurrency)
        )
        return
    base_url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_URL)
    figures = asyncio.run(with_databases(base_url, options(arguments)))
    print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
