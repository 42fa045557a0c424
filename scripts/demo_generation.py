"""The generation half of `make demo`: generate a service into a fresh copy of example_service,
check it, run its tests on SQLite, then run it on SQLite and print its queue as it drains.

    python scripts/demo_generation.py [--keep]

The copy is made in a temporary directory (removed at the end unless `--keep`); the
repository's example_service is not touched.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "example_service"
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", "outbox", ".pytest_cache")
SERVICE = ["widget_pinger", "--new-model", "Widget", "--table", "widgets", "--defaults"]

# Runs inside the copy: queue widgets, start the app's background services (the new one among
# them), print the new queue's counts until every widget is done.
RUN = """
import asyncio, os
os.environ.update(DATABASE_URL="sqlite+aiosqlite:///./demo.db", WIDGET_PINGER_INTERVAL_SECONDS="1",
                  WIDGET_PINGER_BATCH_SIZE="10")
from src.main import background_services
from src.models.widget import Widget
from src.schema import create_schema
from src.services.widget_pinger_scheduler import WIDGET_PINGER_QUEUE
from src.session.async_session import dispose_database, get_background_session

async def main():
    await create_schema()
    async with get_background_session() as session:
        session.add_all(Widget() for _ in range(30))
    print("queued 30 widgets on", os.environ["DATABASE_URL"])
    async with background_services():
        for _ in range(30):
            counts = (await WIDGET_PINGER_QUEUE.snapshot())["counts"]
            print("  " + "  ".join(f"{name}={count}" for name, count in counts.items()))
            if counts["Completed"] == 30:
                break
            await asyncio.sleep(1)
    await dispose_database()
    return 0 if counts["Completed"] == 30 else 1

raise SystemExit(asyncio.run(main()))
"""


def step(title: str, command: list[str], cwd: Path) -> None:
    print(f"\n$ {title}", flush=True)
    process = subprocess.run(command, cwd=cwd, check=False)
    if process.returncode != 0:
        raise SystemExit(f"demo step failed ({process.returncode}): {title}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the copy (its path is printed)")
    arguments = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="skf-demo-"))
    host = directory / "example_service"
    shutil.copytree(EXAMPLE, host, ignore=JUNK)
    print(f"fresh copy of example_service: {host}")
    python = sys.executable
    skf = [python, "-m", "skf"]
    try:
        step("skf new service " + " ".join(SERVICE), [*skf, "new", "service", *SERVICE], host)
        step("skf check", [*skf, "check"], host)
        tests = "tests/services/test_widget_pinger.py"
        step(
            f"pytest {tests} (SQLite)",
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not postgres", tests],
            host,
        )
        step("run widget_pinger on SQLite", [python, "-c", RUN], host)
    finally:
        if arguments.keep:
            print(f"\nkept {host}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.pop("DATABASE_URL", None)
    sys.exit(main())
