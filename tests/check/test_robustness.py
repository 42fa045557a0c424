"""The checker on code it was never written for: the whole standard library, a large part of
site-packages, files that are not Python at all, and generated programs (hypothesmith).

Whatever the input, `skf check` must finish with exit code 0 or 1, print no traceback, and
report every file it could not parse as an SKF001 finding with a path and a line.
"""

import ast
import json
import shutil
import subprocess
import sys
import sysconfig
import warnings
from pathlib import Path
from typing import Any

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skf.check.engine import run_check
from skf.check.findings import CheckResult
from skf.check.output import FORMATS, RenderContext, render
from skf.check.report import Report
from skf.check.rules import ALL_RULES

EXAMPLE = Path(__file__).resolve().parents[2] / "example_service"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
SITE_PACKAGES_LINE_BUDGET = 400_000
"""Enough of site-packages to meet most of what is in it, in a bounded time."""
NO_EXCLUSIONS = "[tool.skf]\nexclude = []\n"
"""Check every directory of the copied tree (the defaults skip `build`, `venv`, ...)."""

# Files with the markers the engine looks for, that no parser accepts.
BROKEN = {
    "planted/broken_scheduler.py": "def setup_broken_scheduler(:\n    scheduler.add_job(f)\n",
    "planted/nul_scheduler.py": "scheduler.add_job(f)\n\0\0\0",
    "planted/latin1_scheduler.py": "# -*- coding: ascii -*-\nx = 'caf\xe9'\nscheduler.add_job(x)\n",
    "planted/tabs_scheduler.py": "if True:\n\tscheduler.add_job(f)\n        add_job(g)\n",
}
MARKER = b"\n# scheduler.add_job: makes the checker read this file\n"
"""The engine parses only files its text prefilter picks; this comment makes it pick a file."""
SAMPLE_LINE_BUDGET = 5_000
"""Lines of valid code (a deterministic sample) made to be read in full: every read file is
parsed and name-resolved, which costs about a millisecond a line."""


def copy_python_files(source: Path, destination: Path, budget: int | None = None) -> list[Path]:
    """Copy the .py files under `source` (top-level entries in name order, whole entries
    until `budget` lines); returns the copies."""
    copies: list[Path] = []
    lines = 0
    for entry in sorted(source.iterdir()):
        if entry.name in {"site-packages", "dist-packages", "__pycache__"}:
            continue
        files = [entry] if entry.suffix == ".py" else sorted(entry.rglob("*.py"))
        for file in files:
            if not file.is_file() or "__pycache__" in file.parts:
                continue
            target = destination / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
            copies.append(target)
            lines += file.read_bytes().count(b"\n")
        if budget is not None and lines >= budget:
            break
    return copies


def parses(file: Path) -> bool:
    """Whether Python's own parser accepts the file (its coding cookie honoured)."""
    with warnings.catch_warnings():
        # Warnings are errors under pytest, and the compiler turns an erroring
        # SyntaxWarning (an invalid escape sequence) into a SyntaxError.
        warnings.simplefilter("ignore")
        try:
            ast.parse(file.read_bytes(), str(file))
        except (SyntaxError, ValueError):
            return False
    return True


def mark_for_reading(tree: Path, copies: list[Path]) -> set[str]:
    """Make the checker read every file Python cannot compile, and a sample of the others,
    as if each held a service; plant broken files of our own. Returns the unparsable files
    (relative POSIX) that must be reported."""
    unparsable = [file for file in copies if not parses(file)]
    sample: list[Path] = []
    lines = 0
    for file in copies[::7]:  # every seventh file, in path order, within the budget
        size = file.read_bytes().count(b"\n")
        if file not in unparsable and lines + size <= SAMPLE_LINE_BUDGET:
            sample.append(file)
            lines += size
    for file in [*unparsable, *sample]:
        file.write_bytes(file.read_bytes() + MARKER)
    for relative, text in BROKEN.items():
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("latin-1"))
    (tree / "pyproject.toml").write_text(NO_EXCLUSIONS)
    return {file.relative_to(tree).as_posix() for file in unparsable} | set(BROKEN)


def skf_check_json(tree: Path) -> dict[str, Any]:
    """`skf check TREE --format json` through the CLI: no traceback, exit 0 or 1."""
    process = subprocess.run(
        [sys.executable, "-m", "skf", "check", str(tree), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in process.stderr, process.stderr[-3000:]
    assert process.returncode in (0, 1), process.stderr
    document: dict[str, Any] = json.loads(process.stdout)
    return document


def assert_reported_cleanly(tree: Path, document: dict[str, Any], unparsable: set[str]) -> None:
    for finding in document["findings"]:
        assert (tree / finding["path"]).is_file(), finding
        assert finding["line"] is None or finding["line"] >= 1, finding
        assert finding["message"], finding
        assert "\n" not in finding["message"], finding
    syntax = {f["path"]: f for f in document["findings"] if f["code"] == "SKF001"}
    missing = sorted(unparsable - set(syntax))
    assert not missing, f"unparsable files not reported: {missing}"
    assert all(syntax[path]["line"] is not None for path in unparsable)


def check_tree(source: Path, tree: Path, budget: int | None = None) -> None:
    copies = copy_python_files(source, tree, budget)
    if budget is not None:
        assert sum(file.read_bytes().count(b"\n") for file in copies) >= budget
    unparsable = mark_for_reading(tree, copies)
    document = skf_check_json(tree)
    assert document["summary"]["files_scanned"] == len(copies) + len(BROKEN)
    assert_reported_cleanly(tree, document, unparsable)


@pytest.mark.slow
def test_the_standard_library(tmp_path: Path) -> None:
    check_tree(STDLIB, tmp_path / "stdlib")


@pytest.mark.slow
def test_a_large_part_of_site_packages(tmp_path: Path) -> None:
    check_tree(SITE_PACKAGES, tmp_path / "site", SITE_PACKAGES_LINE_BUDGET)


@pytest.fixture(scope="module")
def fuzz_host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """example_service without its tests and API modules: the service's own context (models,
    settings, scheduler, compose, docs) at a fraction of the analysis time per example."""
    host = tmp_path_factory.mktemp("fuzz") / "host"
    shutil.copytree(
        EXAMPLE,
        host,
        ignore=shutil.ignore_patterns("__pycache__", "*.db", "outbox", ".skf-cache", "api"),
    )
    shutil.rmtree(host / "tests")
    return host


SERVICE = (EXAMPLE / "src" / "services" / "email_sender_scheduler.py").read_text()
SETUP = (
    "\n\ndef setup_fuzz_scheduler():\n"
    "    scheduler.add_job(process_pending_fuzz, 'interval', seconds=60, id='fuzz')\n"
)


def as_service_modules(generated: str) -> list[str]:
    """Ways a generated program can sit in a service module: alone with a registration
    after it, and in front of the whole reference service."""
    return [generated + SETUP, generated + "\n" + SERVICE]


def render_all(result: CheckResult) -> None:
    context = RenderContext(rules=ALL_RULES)
    for output_format in FORMATS:
        render(Report(result), output_format, context)


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(source=st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node()))
def test_generated_programs_never_crash_the_checker(fuzz_host: Path, source: str) -> None:
    service = fuzz_host / "src" / "services" / "fuzz_scheduler.py"
    for module in as_service_modules(source):
        service.write_bytes(module.encode("utf-8", "surrogatepass"))
        # The cache keeps what the unchanged host files gave; the fuzzed file is new each time.
        result = run_check(fuzz_host)
        for finding in result.findings:
            assert (fuzz_host / finding.path).is_file(), finding
            assert finding.line is None or finding.line >= 1, finding
        render_all(result)
