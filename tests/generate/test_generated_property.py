"""Property tests over many valid answer sets.

- Every generated service compiles, is laid out as ruff lays it out (lint and format clean at
  100 columns, whatever the length of the names), and its tests are collected by pytest in the
  host: the module, the settings, the model and the fixtures they import all exist.
- Two generated services share no mechanics: a six-line duplicate-code comparison between
  them finds only lines the pattern itself mandates (imports, the module logger, closing
  brackets and quotes). Retry, rescue, finish and logging live in the runtime module.
"""

import ast
import keyword
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from generate_support import ROOT, cli
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from skf.config import load_layout
from skf.errors import UsageError
from skf.generate import names
from skf.generate.service import plan_service
from skf.generate.spec import _MODULE_NAMES, resolve

RUFF = [sys.executable, "-m", "ruff"]
_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(__builtins__))


def _snake(max_length: int) -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z][a-z0-9]{0,7}(_[a-z0-9]{1,7}){0,4}", fullmatch=True).filter(
        lambda name: len(name) <= max_length and name not in _RESERVED
    )


def _valid_class(name: str) -> bool:
    try:
        names.model_class("new_model", name)
    except UsageError:
        return False
    return name not in _MODULE_NAMES


# Up to the longest classes a new model may have (names.MAX_MODEL_CLASS characters, its
# snake_case form names.MAX_MODEL_SNAKE), every name derived from them.
CLASS = st.from_regex(r"[A-Z][a-z0-9]{1,9}([A-Z][a-z0-9]{0,9}){0,4}", fullmatch=True).filter(
    _valid_class
)
STATUS = st.from_regex(r"[A-Z][a-z]{1,8}(_[a-z]{1,6}| [A-Z][a-z]{1,6})?", fullmatch=True)


@st.composite
def answer_sets(draw: st.DrawFn, explicit_table: bool = False) -> dict[str, Any]:
    statuses = draw(st.lists(STATUS, min_size=4, max_size=4, unique_by=names.member_for_value))
    answers: dict[str, Any] = {
        "service_name": draw(_snake(names.MAX_SERVICE)),
        "new_model": draw(CLASS),
        "statuses": ",".join(statuses),
        "batch_size": draw(st.integers(1, 10_000)),
        "lease_seconds": draw(st.floats(0.5, 86_400, allow_nan=False)),
        "coalesce": draw(st.booleans()),
    }
    if explicit_table or draw(st.booleans()):  # else derived from the class
        answers["table"] = draw(_snake(20))
        if draw(st.booleans()):  # index names stay within PostgreSQL's 63 characters
            answers["status_column"] = draw(_snake(16)) + "_status"
    return answers


LONGEST_STATUSES = ",".join(f"{letter}{'a' * (names.MAX_STATUS - 1)}" for letter in "QPCE")
LONGEST = {
    "service_name": "s" * names.MAX_SERVICE,
    "new_model": "M" + "m" * (names.MAX_MODEL_CLASS - 1),
    "table": "t" * 20,
    "status_column": "c" * 20 + "_status",  # ix_<table>_<stem>_processing_claimed: 63
    "statuses": LONGEST_STATUSES,
}
# The longest class whose every name is derived from it: 26 characters, 31 in snake_case
# (table, entity, enum type, handler and job function at or near their own limits).
LONGEST_CLASS = "AbcdeFghijKlmnoPqrstUvwxYz"
LONGEST_DERIVED = {
    "service_name": "s" * names.MAX_SERVICE,
    "new_model": LONGEST_CLASS,
    "statuses": LONGEST_STATUSES,
}


def test_the_longest_class_is_as_long_as_validation_allows() -> None:
    assert len(LONGEST_CLASS) == names.MAX_MODEL_CLASS
    assert len(names.snake_case(LONGEST_CLASS)) == names.MAX_MODEL_SNAKE
    assert _valid_class(LONGEST_CLASS)


@pytest.fixture(scope="module")
def init_host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    host = tmp_path_factory.mktemp("property") / "host"
    host.mkdir()
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    return host


def generate(host: Path, answers: dict[str, Any]) -> list[str]:
    layout = load_layout(host)
    plan = plan_service(layout, resolve(layout, answers))
    plan.changes.apply()
    return [path for path in plan.created if path.endswith(".py")]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Each example generates into a host and runs ruff and pytest: report a failing example
    # as found rather than spend minutes shrinking it.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@example(LONGEST)
@example(LONGEST_DERIVED)
@given(answer_sets())
def test_every_generated_service_compiles_is_ruff_clean_and_its_tests_collect(
    init_host: Path, answers: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        host = Path(directory) / "host"
        shutil.copytree(init_host, host)
        created = generate(host, answers)
        for path in created:
            compile((host / path).read_text(), path, "exec")
        # Ruff with skf's own configuration, run from skf's root as `make lint` does.
        paths = [str(host / path) for path in created]
        lint = run([*RUFF, "check", "--config", str(ROOT / "pyproject.toml"), *paths], ROOT)
        assert lint.returncode == 0, lint.stdout
        style = run([*RUFF, "format", "--check", "--diff", *paths], ROOT)
        assert style.returncode == 0, style.stdout + style.stderr
        test = next(path for path in created if path.startswith("tests/"))
        collected = run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--collect-only",
                "-q",
                "-p",
                "no:cacheprovider",
                test,
            ],
            host,
        )
        assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr[-3000:]
        assert "14 tests collected" in collected.stdout


# -- the duplicate-code comparison ------------------------------------------------------------

WINDOW = 6
# Compared as duplicate-code checkers compare (pylint's similarities): whitespace normalised,
# docstrings, comments and blank lines left out. What the pattern itself puts in every
# service may repeat: its imports (the skeleton imports the shared scheduler, the session
# factory, the settings and the model), the module logger ("log job start, end, errors"),
# the job function's return annotation, the handler stub's `return None`, closing brackets.
MANDATED = {
    ")",
    "),",
    "logger = logging.getLogger(__name__)",
    ") -> RunSummary:",
    "return None",
}


def import_lines(text: str) -> set[str]:
    lines = text.splitlines()
    found: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            assert node.end_lineno is not None
            found.update(line.strip() for line in lines[node.lineno - 1 : node.end_lineno])
    return found


def normalised(text: str) -> list[str]:
    """The code lines of `text`, stripped, without docstrings, comments and blank lines."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                assert first.end_lineno is not None
                docstrings.update(range(first.lineno, first.end_lineno + 1))
    return [
        line.strip()
        for number, line in enumerate(text.splitlines(), start=1)
        if number not in docstrings and line.strip() and not line.strip().startswith("#")
    ]


def duplicated_lines(first: str, second: str) -> set[str]:
    """Lines of every run of WINDOW consecutive lines (normalised) that both share."""
    a, b = normalised(first), normalised(second)
    windows = {tuple(a[i : i + WINDOW]) for i in range(len(a) - WINDOW + 1)}
    shared: set[str] = set()
    for i in range(len(b) - WINDOW + 1):
        window = tuple(b[i : i + WINDOW])
        if window in windows:
            shared.update(window)
    return shared


def test_the_comparison_finds_copied_mechanics() -> None:
    mechanics = "\n".join(f"    retry_step_{n}()  # step {n}" for n in range(WINDOW))
    first = f'import os\n\n\ndef a():\n    """A."""\n{mechanics}\n'
    second = f'import os\n\n\ndef b():\n    """B."""\n\n{mechanics}\n'
    assert duplicated_lines(first, second) == {
        f"retry_step_{n}()  # step {n}" for n in range(WINDOW)
    }
    assert duplicated_lines(first, second.replace("retry_step_3", "other")) == set()


def render_module(answers: dict[str, Any]) -> str:
    from generate_reference import EXAMPLE, render_service

    spec = resolve(load_layout(EXAMPLE), answers)
    return render_service(EXAMPLE, spec)[f"src/services/{spec.service_name}_scheduler.py"]


@settings(max_examples=15, deadline=None)
@given(answer_sets(explicit_table=True), answer_sets(explicit_table=True))
def test_two_generated_services_share_only_what_the_pattern_mandates(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    # Two services: different names, models and statuses (lines naming the same model or
    # status in both would be equal without being mechanics).
    assume(first["service_name"] != second["service_name"])
    assume(first["new_model"] != second["new_model"] and first["table"] != second["table"])
    assume(not set(first["statuses"].split(",")) & set(second["statuses"].split(",")))
    one, other = render_module(first), render_module(second)
    allowed = MANDATED | import_lines(one) | import_lines(other)
    assert duplicated_lines(one, other) <= allowed, duplicated_lines(one, other) - allowed


# -- every class validation accepts gives valid derived names ---------------------------------


@settings(max_examples=300, deadline=None)
@example("M" * names.MAX_NAME)  # a 32-character class, what the generic class limit allows
@example(LONGEST_CLASS)
@example("AbCdEfGhIjKlMnOpQrStUv")  # 22 characters, 31 + 1 in snake_case
@example("Pas")  # its table would be `pass`
@example("Match")  # its module is `match`, a soft keyword: importable
@given(st.from_regex(r"[A-Z][A-Za-z0-9]{0,35}", fullmatch=True))
def test_a_new_models_class_is_refused_in_one_line_or_every_derived_name_fits(name: str) -> None:
    """`skf new service --new-model CLASS` with nothing else given: either the class is
    refused, in one line naming the answer, or every name derived from it is valid and
    within its limit (nothing derived is refused later)."""
    from generate_reference import EXAMPLE

    answers = {"service_name": "widget_pinger", "new_model": name}
    try:
        names.model_class("new_model", name)
    except UsageError as refused:
        message = str(refused)
        assert message.startswith(f"new_model {name!r}: "), message
        assert "\n" not in message
        with pytest.raises(UsageError, match=f"^new_model {name!r}: "):
            resolve(load_layout(EXAMPLE), answers)
        return
    assume(name not in _MODULE_NAMES)
    spec = resolve(load_layout(EXAMPLE), answers)
    snake = names.snake_case(name)
    assert (spec.status_enum, spec.table, spec.enum_type_name) == (
        f"{name}Status",
        f"{snake}s",
        f"{snake}_status",
    )
    assert len(spec.status_enum) <= names.MAX_NAME
    assert len(spec.table) <= names.MAX_NAME
    assert spec.enum_type_name is not None
    assert len(spec.enum_type_name) <= names.MAX_ENUM_TYPE
    assert spec.entity == snake.replace("_", " ")  # whole: a new model's always fits
    assert len(spec.entity) <= names.MAX_NAME
    assert spec.handler_function == f"handle_{snake}"
    assert len(spec.job_function) <= names.MAX_FUNCTION
