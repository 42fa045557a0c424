"""Helpers of the generator tests: host trees in tmp dirs, snapshots, running skf and pytest."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from ci_requirements import reachable, under_ci
from typer.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parents[2]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (by content) and directory (None) under `root`."""
    return {
        path.relative_to(root).as_posix(): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def cli(*args: str) -> Result:
    """Run the skf CLI in-process (stdin is not a terminal: nothing is asked)."""
    from skf.cli import app

    return CliRunner().invoke(app, list(args))


def one_line_error(result: Result) -> str:
    """The single `skf: error: ...` line of a refused command (asserts exit code 2)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("skf: error: "), lines[0]
    return lines[0]


def postgres_expected() -> bool:
    """Whether the PostgreSQL tests must run (and not skip)."""
    return under_ci() or reachable("127.0.0.1", 5432)


def run_pytest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest in a subprocess, in the host at `root` (its own configuration and conftest)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def assert_generated_tests_pass(root: Path, test_file: str, expected: int) -> None:
    """The generated tests pass in the host, on SQLite and (unless unreachable locally)
    PostgreSQL: `expected` tests in all."""
    process = run_pytest(root, test_file)
    summary = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else ""
    assert process.returncode == 0, process.stdout[-4000:] + process.stderr[-2000:]
    if postgres_expected():
        assert summary.startswith(f"{expected} passed"), summary
        assert "skipped" not in summary, summary
    else:
        assert "passed" in summary, summary


def import_app(root: Path, module: str) -> subprocess.CompletedProcess[str]:
    """Import the host's application module in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


# Whether skf's checker is part of this installation (generation works without it).
CHECKER = importlib.util.find_spec("skf.check.engine") is not None


def run_skf(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`skf ARGS` in a process of its own, in the project at `root`, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "skf", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def run_skf_check(root: Path) -> subprocess.CompletedProcess[str]:
    """`skf check` on the project at `root`, as a user runs it."""
    return run_skf(root, "check")


# Compose entries the compose patch tests add, and a compose file in the list form.
COMPOSE_ENTRIES = [("PINGER_BATCH_SIZE", "50"), ("PINGER_WAKEUP_ENABLED", "false")]
COMPOSE_LIST_FORM = """services:
  app:
    image: app   # the application
    environment:
      - DATABASE_URL=postgresql://db/app
      # tuned for staging
      - "LOG_LEVEL=INFO"
    ports: ["8000:8000"]
  db:
    image: postgres
"""

# An existing model for the tests' services on one (a status enum without `Queued`).
LEAD = '''"""Sales leads."""

import enum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from src.models.base import Base
from src.status_queue import status_enum


class LeadStatus(enum.Enum):
    New = "New"
    Working = "Working"
    Done = "Done"
    Failed = "Failed"


class Lead(Base):
    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    status: Mapped[LeadStatus] = mapped_column(
        status_enum(LeadStatus, "lead_status"), default=LeadStatus.New
    )
'''
