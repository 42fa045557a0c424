"""`skf init`: the shared pieces a codebase lacks, and nothing it already has."""

import tomllib
from pathlib import Path

import pytest
from example_hosts import copy_example, write_files
from generate_support import (
    CHECKER,
    assert_generated_tests_pass,
    cli,
    import_app,
    run_skf_check,
    snapshot,
)

from skf.config import load_layout

PIECES = (
    "src/config/settings.py",
    "src/scheduler_instance.py",
    "src/session/async_session.py",
    "src/status_queue.py",
    "src/main.py",
    "src/models/__init__.py",
    "src/models/base.py",
    "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md",
    "docker-compose.yml",
    "tests/conftest.py",
    "pyproject.toml",
    ".skf/host.yml",
)


@pytest.mark.slow
def test_a_minimal_host_made_by_init_runs_a_generated_service(tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    for path in PIECES:
        assert f"created  {path}" in result.output
    for package in ("src", "src/config", "src/session", "src/services"):
        assert (host / package / "__init__.py").is_file()
    assert not (host / "tests/__init__.py").exists()
    # The runtime is example_service's, byte for byte.
    assert (host / "src/status_queue.py").read_bytes() == (
        Path(__file__).resolve().parents[2] / "example_service/src/status_queue.py"
    ).read_bytes()

    again = cli("init", "--project", str(host))
    assert again.output.rstrip().endswith(
        "nothing to do: the project has every piece the pattern assumes"
    )

    generated = cli(
        "new", "service", "widget_pinger", "--new-model", "Widget", "--defaults",
        "--project", str(host),
    )  # fmt: skip
    assert generated.exit_code == 0, generated.output
    imported = import_app(host, "src.main")
    assert imported.returncode == 0, imported.stderr
    assert_generated_tests_pass(host, "tests/services/test_widget_pinger.py", expected=14)
    if CHECKER:
        checked = run_skf_check(host)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_on_example_service_init_has_nothing_to_do(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    before = snapshot(host)
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "nothing to do: the project has every piece the pattern assumes"
    )
    assert "found    test fixtures: tests/conftest.py" in result.output
    assert snapshot(host) == before


def test_pieces_found_elsewhere_are_reused_and_recorded_in_tool_skf(tmp_path: Path) -> None:
    host = write_files(
        tmp_path / "host",
        {
            "pyproject.toml": (
                '[project]\nname = "shop"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n'
            ),
            "app/__init__.py": "",
            "app/jobs.py": (
                "from apscheduler.schedulers.asyncio import AsyncIOScheduler as Scheduler\n\n"
                "shared = Scheduler()\n"
            ),
            "app/conf.py": (
                "from pydantic_settings import BaseSettings\n\n\n"
                "class AppSettings(BaseSettings):\n    DEBUG: bool = False\n\n\n"
                "config = AppSettings()\n"
            ),
            "docs/BACKGROUND_SERVICES_ARCHITECTURE.md": "# Ours\n",
        },
    )
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    layout = load_layout(host)
    assert (layout.scheduler_module, layout.scheduler_name) == ("app/jobs.py", "shared")
    assert (layout.settings_module, layout.settings_class, layout.settings_instance) == (
        "app/conf.py",
        "AppSettings",
        "config",
    )
    assert layout.architecture_doc == "docs/BACKGROUND_SERVICES_ARCHITECTURE.md"
    assert not (host / "src/scheduler_instance.py").exists()
    assert (host / "docs/BACKGROUND_SERVICES_ARCHITECTURE.md").read_text() == "# Ours\n"
    pyproject = (host / "pyproject.toml").read_text()
    assert tomllib.loads(pyproject)["tool"]["pytest"]["ini_options"] == {"addopts": "-q"}
    # The session and startup modules skf added read the fields it added to AppSettings.
    conf = (host / "app/conf.py").read_text()
    assert '    DATABASE_URL: str = "sqlite+aiosqlite:///./app.db"\n' in conf
    assert "from app.conf import config" in (host / "src/session/async_session.py").read_text()
    main = (host / "src/main.py").read_text()
    assert "from app.jobs import shared" in main
    assert "    shared.start()\n" in main
    compile(main, "src/main.py", "exec")


def test_a_pyproject_without_pytest_configuration_gains_it(tmp_path: Path) -> None:
    host = write_files(tmp_path / "host", {"pyproject.toml": '[project]\nname = "shop"\n'})
    assert cli("init", "--project", str(host)).exit_code == 0
    pytest_options = tomllib.loads((host / "pyproject.toml").read_text())["tool"]["pytest"]
    assert pytest_options["ini_options"]["asyncio_mode"] == "auto"
    assert (host / "pyproject.toml").read_text().startswith('[project]\nname = "shop"\n\n')


def test_a_conftest_without_the_fixtures_is_kept_and_reported(tmp_path: Path) -> None:
    host = write_files(tmp_path / "host", {"tests/conftest.py": "import pytest\n"})
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert (host / "tests/conftest.py").read_text() == "import pytest\n"
    assert "lacks the fixtures postgres_url, database, postgres_database, insert_rows" in (
        result.output
    )


def without_startup_function(tmp_path: Path, *, imported: bool) -> Path:
    """example_service whose main.py no longer defines `background_services`; with
    `imported`, it imports one from another module instead."""
    host = copy_example(tmp_path / "host")
    main = host / "src/main.py"
    text = main.read_text().replace("def background_services", "def services")
    if imported:
        write_files(host, {"src/startup.py": "def background_services() -> None:\n    pass\n"})
        text = "from src.startup import background_services\n" + text
    main.write_text(text)
    return host


def test_a_reused_module_without_its_anchor_is_reported(tmp_path: Path) -> None:
    host = without_startup_function(tmp_path, imported=False)
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert (
        "note: src/main.py defines no `background_services` (the startup function generated "
        "services use)" in result.output
    )


def test_a_reused_module_that_imports_its_anchor_is_not_reported(tmp_path: Path) -> None:
    host = without_startup_function(tmp_path, imported=True)
    result = cli("init", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert "defines no" not in result.output


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    result = cli("init", "--dry-run", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert "+++ b/src/status_queue.py" in result.output
    assert list(host.iterdir()) == []


def test_a_project_that_is_not_a_directory_is_refused(tmp_path: Path) -> None:
    result = cli("init", "--project", str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "is not a directory" in result.output
