"""Demo: queue emails, let the email_sender service drain them, print the status counts.

    python -m src.demo [--messages N] [--invalid K]

Runs on the default embedded SQLite database (or `DATABASE_URL`), with the real scheduler,
the real job and the real settings, tuned through environment variables for a quick demo:
a 1 s interval, a drain budget and short retry backoff unless you set them yourself.
"""

import argparse
import asyncio
import logging
import os

DEMO_DEFAULTS = {
    "EMAIL_SENDER_INTERVAL_SECONDS": "1",
    "EMAIL_SENDER_BATCH_SIZE": "25",
    "EMAIL_SENDER_MAX_ATTEMPTS": "3",
    "EMAIL_SENDER_BACKOFF_BASE_SECONDS": "0.2",
    "EMAIL_SENDER_BACKOFF_MAX_SECONDS": "1",
    "EMAIL_SENDER_DRAIN_SECONDS": "5",
    "DATABASE_URL": "sqlite+aiosqlite:///./example_service.db",
}
for _name, _value in DEMO_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

from sqlalchemy import delete  # noqa: E402  (settings must see the demo environment first)

from src.config.settings import settings  # noqa: E402
from src.main import LOG_FORMAT, background_services  # noqa: E402
from src.models.email_message import EmailMessage, EmailStatus  # noqa: E402
from src.schema import create_schema  # noqa: E402
from src.services.email_sender_scheduler import EMAIL_QUEUE  # noqa: E402
from src.session.async_session import dispose_database, get_background_session  # noqa: E402


async def seed(messages: int, invalid: int) -> None:
    async with get_background_session() as session:
        await session.execute(delete(EmailMessage))
        session.add_all(
            EmailMessage(
                recipient=f"user{n}@example.com" if n >= invalid else f"broken-address-{n}",
                subject=f"Welcome #{n}",
                body="Hello from example_service.",
            )
            for n in range(messages)
        )


class _OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(logging.makeLogRecord({**record.__dict__, "exc_info": None}))
        if record.exc_info and record.exc_info[1] is not None:
            line += f" ({record.exc_info[1]!r})"
        return line


def _line(counts: dict[str, int]) -> str:
    return "  ".join(f"{name}={count}" for name, count in counts.items())


async def main(messages: int, invalid: int, timeout_s: float) -> int:
    await create_schema()
    await seed(messages, invalid)
    print(f"queued {messages} emails ({invalid} undeliverable) on {settings.DATABASE_URL}")
    unfinished = {EmailStatus.Queued.value, EmailStatus.Processing.value}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    async with background_services():
        while True:
            snapshot = await EMAIL_QUEUE.snapshot()
            counts = snapshot["counts"]
            print(f"  {_line(counts)}")
            if not any(counts[name] for name in unfinished) or loop.time() > deadline:
                break
            await asyncio.sleep(1)
    await dispose_database()
    print(f"final: {_line(counts)}")
    return 0 if not any(counts[name] for name in unfinished) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--invalid", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    # One line per failure here; the service itself logs full tracebacks.
    logging.getLogger().handlers[0].setFormatter(_OneLineFormatter(LOG_FORMAT))
    raise SystemExit(asyncio.run(main(arguments.messages, arguments.invalid, arguments.timeout)))
