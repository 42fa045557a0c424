"""`skf template test`: the template rendered with representative answer sets, each generated
service checked by `skf check` and its own tests run, on SQLite and PostgreSQL.

A template change that would generate a non-compliant or broken service for some answers
(a new model or an existing one, an optional feature on or off, a name at its maximum length
or one that looks like Python) fails here, before it reaches anyone's project. Services are
generated with the library (what `skf new service` runs) into two kinds of host, built in
temporary directories:
- `example`: a copy of example_service (the reference host), plus a `Ticket` model with two
  status columns, one a native enum stored by value, one a plain enum stored by name;
- `init`: an empty project given the shared pieces by `skf init`.
All combinations of one host share it (their names differ), so each host is checked once and
its generated tests run in two pytest processes (SQLite: `-m "not postgres"`; PostgreSQL:
`-m postgres`), all hosts in parallel. PostgreSQL tests skip when the server is unreachable,
except under CI=true, where the host's fixtures make that a failure.

The release discipline (`skf.generate.versions.history_problems`) is checked first, when the
template tested is the one in skf's source tree.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skf.check.engine import run_check
from skf.check.findings import plural
from skf.config import load_layout
from skf.errors import SkfError, UsageError
from skf.generate.host import plan_init
from skf.generate.service import plan_service
from skf.generate.spec import resolve
from skf.generate.versions import (
    ENV_VAR,
    HISTORY_DIR,
    TEMPLATE_DIR,
    TemplateSource,
    TemplateVersion,
    history_problems,
)

EXAMPLE_DIR = TEMPLATE_DIR.resolve().parent / "example_service"
"""example_service next to the template in skf's source tree (absent from an installed skf)."""

TICKET_MODEL = '''\
"""Support tickets (added by `skf template test`: one model, two kinds of status column)."""

import enum

from sqlalchemy import Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from src.models.base import Base
from src.status_queue import status_enum


class TicketStatus(enum.Enum):
    Queued = "Queued"
    Processing = "Processing"
    Completed = "Completed"
    Error = "Error"


class ReviewState(enum.Enum):
    waiting = "Waiting for review"
    in_review = "In review"
    approved = "Approved"


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[TicketStatus] = mapped_column(
        status_enum(TicketStatus, "ticket_status"), default=TicketStatus.Queued
    )
    review_state: Mapped[ReviewState | None] = mapped_column(
        Enum(ReviewState, name="review_state", native_enum=False, length=32), default=None
    )
'''


@dataclass(frozen=True)
class Combination:
    name: str
    host: str
    """"example" or "init"."""
    answers: dict[str, Any]
    """`skf new service` answers (skf.generate.spec.ANSWERS)."""
    covers: str
    quick: bool = False

    @property
    def service(self) -> str:
        return str(self.answers["service_name"])


MATRIX: tuple[Combination, ...] = (
    Combination(
        "new-model",
        "init",
        {"service_name": "widget_pinger", "new_model": "Widget"},
        "new model, every default",
        quick=True,
    ),
    Combination(
        "new-model-features",
        "example",
        {
            "service_name": "invoice_sender",
            "new_model": "Invoice",
            "statuses": "Pending,Sending,Sent,Failed",
            "wakeup_enabled": "true",
            "drain_seconds": "5",
            "coalesce": "false",
            "interval_seconds": "5",
            "batch_size": "7",
        },
        "new model, own statuses, wakeup and drain on, coalesce off",
    ),
    Combination(
        "existing-model",
        "example",
        {
            "service_name": "ticket_router",
            "model": "src.models.ticket:Ticket",
            "status_column": "status",
        },
        "existing model, native enum by value, status column `status`",
    ),
    Combination(
        "existing-model-add-status",
        "example",
        {
            "service_name": "ticket_reviewer",
            "model": "src.models.ticket:Ticket",
            "status_column": "review_state",
            "statuses": "Waiting for review,In review,Approved,Needs work",
            "add_status": "true",
            "wakeup_enabled": "true",
        },
        "existing model, plain enum by name, --add-status, prefixed columns, wakeup on",
        quick=True,
    ),
    Combination(
        "longest-names",
        "init",
        {
            "service_name": "nightly_invoice_reconciliation",
            # As long as a new model's class may be: everything derived from it (status
            # enum, table, enum type, entity, handler) fits its own limit.
            "new_model": "ReconciliationBatchAttempt",
            "statuses": "Queued for nightly reconcile run,Reconciling,Reconciled,"
            "Could-not-reconcile",
        },
        "30-character service, 26-character model (32-character status enum, derived), "
        "32-character status, spaces and hyphens in statuses",
    ),
    Combination(
        "python-like-names",
        "init",
        {"service_name": "print", "new_model": "Match", "entity": "match"},
        "service `print` (a builtin), model `Match` (a soft keyword, capitalised)",
    ),
)


@dataclass
class Row:
    combination: Combination
    generated: str = "not run"
    checked: str = "not run"
    sqlite: str = "not run"
    postgresql: str = "not run"
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class MatrixReport:
    version: int
    origin: str
    discipline: list[str]
    """Release discipline problems (empty: fine, or not applicable)."""
    rows: list[Row]
    host_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.discipline and not self.host_problems and all(r.ok for r in self.rows)


def select(quick: bool, names: Sequence[str] = ()) -> list[Combination]:
    if names:
        known = {c.name: c for c in MATRIX}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise UsageError(f"no combination {', '.join(unknown)}; known: {', '.join(known)}")
        return [known[name] for name in names]
    return [c for c in MATRIX if c.quick or not quick]


@contextlib.contextmanager
def _template_env(directory: Path | None) -> Iterator[None]:
    """Render (and judge SKF208 against) `directory` for the duration."""
    if directory is None:
        yield
        return
    previous = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(directory)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = previous


def run_matrix(
    combinations: Sequence[Combination],
    *,
    template: Path | None = None,
    example: Path | None = None,
) -> MatrixReport:
    source = TemplateSource.given(template)
    explicit = template is not None or bool(os.environ.get(ENV_VAR))
    discipline = [] if explicit else history_problems(TEMPLATE_DIR, HISTORY_DIR)
    report = MatrixReport(source.current, source.origin, discipline, [])
    example = example or EXAMPLE_DIR
    with (
        tempfile.TemporaryDirectory(prefix="skf-template-test-") as scratch,
        source.open(source.current) as version,
        _template_env(version.directory if explicit else None),
    ):
        hosts: dict[str, tuple[Path, list[Row]]] = {}
        for kind in dict.fromkeys(c.host for c in combinations):
            rows = [Row(c) for c in combinations if c.host == kind]
            report.rows.extend(rows)
            try:
                root = _host(kind, Path(scratch) / kind, example)
            except (SkfError, OSError) as error:
                for row in rows:
                    row.generated = "host failed"
                    row.problems.append(f"building the {kind} host: {error}")
                continue
            hosts[kind] = (root, rows)
            for row in rows:
                _generate(root, version, row)
            _check(root, rows, report)
        _run_tests(hosts)
    return report


def _host(kind: str, root: Path, example: Path) -> Path:
    if kind == "example":
        if not (example / "pyproject.toml").is_file():
            raise UsageError(f"no example_service at {example} (give --example DIR)")
        ignore = shutil.ignore_patterns(
            "__pycache__", "*.pyc", "*.db", "*.db-*", "outbox", ".pytest_cache", ".skf-cache"
        )
        shutil.copytree(example, root, ignore=ignore)
        (root / "src/models/ticket.py").write_text(TICKET_MODEL, encoding="utf-8")
        return root
    root.mkdir(parents=True)
    plan_init(load_layout(root)).changes.apply()
    return root


def _generate(root: Path, version: TemplateVersion, row: Row) -> None:
    try:
        layout = load_layout(root)
        spec = resolve(layout, row.combination.answers)
        plan_service(layout, spec, template=version).changes.apply()
    except SkfError as error:
        row.generated = "failed"
        row.problems.append(f"generating: {error}")
        return
    row.generated = "ok"


def _check(root: Path, rows: list[Row], report: MatrixReport) -> None:
    result = run_check(root, use_cache=False)
    generated = {row.combination.service: row for row in rows if row.generated == "ok"}
    for row in generated.values():
        row.checked = "clean"
    for finding in result.findings:
        owner = generated.get(finding.service or "")
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        text = f"{finding.code} {where}: {finding.message}"
        if owner is not None:
            owner.problems.append(text)
            count = sum(1 for p in owner.problems if p.startswith("SKF"))
            owner.checked = plural(count, "finding")
        elif finding.code != "SKF208":  # the host's own services may be behind: not tested
            report.host_problems.append(f"{root.name} host: {text}")


def _run_tests(hosts: dict[str, tuple[Path, list[Row]]]) -> None:
    """Every host's generated tests, SQLite and PostgreSQL runs in parallel processes."""
    runs: list[tuple[str, list[Row], subprocess.Popen[str], Path]] = []
    for root, rows in hosts.values():
        tests = [
            f"tests/services/test_{row.combination.service}.py"
            for row in rows
            if row.generated == "ok"
            and (root / f"tests/services/test_{row.combination.service}.py").is_file()
        ]
        if not tests:
            continue
        for backend, marks in (("sqlite", "not postgres"), ("postgresql", "postgres")):
            junit = root / f".junit-{backend}.xml"
            process = subprocess.Popen(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "-m", marks, f"--junitxml={junit}", *tests],
                cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
            runs.append((backend, rows, process, junit))
    for backend, rows, process, junit in runs:
        output, _ = process.communicate(timeout=1200)
        results, failures = _junit(junit)
        for row in rows:
            if row.generated != "ok":
                continue
            module = f"test_{row.combination.service}"
            counts = results.get(module, {})
            setattr(row, backend, _summary(counts))
            if counts.get("failed"):
                row.problems.append(f"{backend}: failed {', '.join(failures[module])}")
            elif not counts and process.returncode not in (0, 5):
                tail = output.strip().splitlines()[-1:] or ["no output"]
                row.problems.append(f"{backend}: pytest failed ({tail[0]})")
            elif backend == "sqlite" and not counts.get("passed"):
                row.problems.append("sqlite: no test ran")


def _junit(path: Path) -> tuple[dict[str, dict[str, int]], dict[str, list[str]]]:
    """Outcome counts per test module (by its file stem), and the failed tests' names."""
    counts: dict[str, dict[str, int]] = {}
    failures: dict[str, list[str]] = {}
    try:
        tree = ElementTree.parse(path)
    except (OSError, ElementTree.ParseError):
        return counts, failures
    for case in tree.iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
            failures.setdefault(module, []).append(case.get("name", "?"))
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        per_module = counts.setdefault(module, {})
        per_module[outcome] = per_module.get(outcome, 0) + 1
    return counts, failures


def _summary(counts: dict[str, int]) -> str:
    if not counts:
        return "none"
    return ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "skipped") if counts.get(k))
