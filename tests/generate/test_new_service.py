"""`skf new service` end to end, on copies of example_service."""

import subprocess
from pathlib import Path

import pytest
from example_hosts import write_files
from generate_support import (
    CHECKER,
    LEAD,
    assert_generated_tests_pass,
    cli,
    import_app,
    one_line_error,
    run_skf,
    run_skf_check,
    snapshot,
)

import skf.changes
from skf.archdoc import ArchitectureDoc

DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
WIDGET = ("new", "service", "widget_pinger", "--new-model", "Widget", "--table", "widgets")


@pytest.mark.slow
def test_a_new_model_service_is_complete_checked_and_its_tests_pass(host: Path) -> None:
    result = cli(*WIDGET, "--defaults", "--project", str(host))
    assert result.exit_code == 0, result.output
    for path in (
        "src/models/widget.py",
        "src/services/widget_pinger_scheduler.py",
        "tests/services/test_widget_pinger.py",
        ".skf/services/widget_pinger.yml",
    ):
        assert f"created  {path}" in result.output
        assert (host / path).is_file()
    for path in ("src/config/settings.py", "src/main.py", "docker-compose.yml", DOC):
        assert f"modified {path}" in result.output
    assert result.output.count("- [x] ") == 8
    assert "- [ ]" not in result.output
    assert (
        "from src.models.widget import Widget, WidgetStatus"
        in (host / "src/models/__init__.py").read_text()
    )
    doc = ArchitectureDoc((host / DOC).read_text())
    assert doc.enums()["WidgetStatus"].values == ("Queued", "Processing", "Completed", "Error")
    assert doc.services()["widget_pinger"].managed

    imported = import_app(host, "src.main")
    assert imported.returncode == 0, imported.stderr
    assert_generated_tests_pass(host, "tests/services/test_widget_pinger.py", expected=14)
    if CHECKER:
        checked = run_skf_check(host)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_running_the_same_command_twice_has_nothing_to_do(host: Path) -> None:
    first = cli(*WIDGET, "--defaults", "--project", str(host))
    assert first.exit_code == 0, first.output
    before = snapshot(host)
    second = cli(*WIDGET, "--defaults", "--project", str(host))
    assert second.exit_code == 0, second.output
    assert second.output.startswith("nothing to do: service widget_pinger is already generated")
    assert snapshot(host) == before


def test_the_sitemap_command_has_nothing_to_do_on_example_service(host: Path) -> None:
    """example_service's sitemap_scanner came from this exact command."""
    before = snapshot(host)
    result = cli(
        "new", "service", "sitemap_scanner", "--model", "src.models.domain:Domain",
        "--status-column", "sitemap_status", "--defaults", "--project", str(host),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nothing to do" in result.output
    assert snapshot(host) == before


def test_the_installed_command_generates_and_refuses_with_its_renderer_forked_first(
    host: Path,
) -> None:
    """Through `python -m skf` (the console script's path): the renderer forked before the
    command's imports renders the service; a refused command releases it and exits 2."""

    def skf(*args: str) -> subprocess.CompletedProcess[str]:
        return run_skf(host, *args, "--project", str(host))

    before = snapshot(host)
    refused = skf("new", "service", "Not-A-Name", "--defaults")
    assert refused.returncode == 2
    assert refused.stderr.startswith("skf: error: "), refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert snapshot(host) == before
    generated = skf(*WIDGET, "--defaults", "--no-check")
    assert generated.returncode == 0, generated.stderr
    assert "created  src/services/widget_pinger_scheduler.py" in generated.stdout
    module = (host / "src/services/widget_pinger_scheduler.py").read_text()
    assert "def setup_widget_pinger_scheduler(" in module


def test_a_dry_run_prints_every_diff_and_writes_nothing(host: Path) -> None:
    before = snapshot(host)
    result = cli(*WIDGET, "--defaults", "--dry-run", "--project", str(host))
    assert result.exit_code == 0, result.output
    assert snapshot(host) == before
    for path in (
        "src/models/widget.py",
        "src/services/widget_pinger_scheduler.py",
        "tests/services/test_widget_pinger.py",
        ".skf/services/widget_pinger.yml",
        "src/models/__init__.py",
        "src/config/settings.py",
        "src/main.py",
        "docker-compose.yml",
        DOC,
    ):
        assert f"+++ b/{path}\n" in result.output, path
    assert result.output.rstrip().endswith("(dry run: 9 files would change; nothing written)")


@pytest.mark.parametrize("failing", [1, 4, 9])
def test_a_failure_while_writing_leaves_every_file_as_it_was(
    host: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    before = snapshot(host)
    real = skf.changes._replace
    calls = 0

    def replace_or_fail(source: str, target: Path) -> None:
        nonlocal calls
        calls += 1
        if calls == failing:
            raise OSError("disk full")
        real(source, target)

    monkeypatch.setattr(skf.changes, "_replace", replace_or_fail)
    result = cli(*WIDGET, "--defaults", "--project", str(host))
    assert result.exit_code != 0
    assert calls == failing
    assert snapshot(host) == before  # same files, same bytes, no new file or directory


def _setup(host: Path, what: str) -> None:
    """Break or prepare the host copy for one refusal case."""
    if what == "no settings class":
        path = host / "src/config/settings.py"
        path.write_text(path.read_text().replace("class Settings(", "class AppSettings("))
    elif what == "no startup function":
        path = host / "src/main.py"
        path.write_text(path.read_text().replace("def background_services", "def services"))
    elif what == "existing test file":
        write_files(host, {"tests/services/test_widget_pinger.py": "# mine\n"})


REFUSALS = [
    (("new", "service", "WidgetPinger", "--new-model", "Widget"), "", "snake_case"),
    (("new", "service", "class", "--new-model", "Widget"), "", "keyword"),
    (("new", "service", "a/b", "--new-model", "Widget"), "", "path separators"),
    (("new", "service", "..", "--new-model", "Widget"), "", "path separators"),
    (("new", "service", "x", "--new-model", "Widget", "--table", "../t"), "", "path separators"),
    (("new", "service", "email_sender", "--new-model", "Widget"), "", "already exists"),
    (WIDGET, "existing test file", "tests/services/test_widget_pinger.py already exists"),
    (("new", "service", "x", "--new-model", "Domain", "--table", "sites"), "",
     "class Domain already exists"),
    (("new", "service", "x", "--new-model", "Thing", "--table", "domains"), "", "table 'domains'"),
    (("new", "service", "x", "--model", "src.models.nope:Nope"), "", "not found"),
    (("new", "service", "x", "--model", "src.models.domain:Domain", "--status-column", "hostname"),
     "", "hostname is mapped as something other than an enum"),
    (("new", "service", "x", "--model", "src.models.domain:Domain", "--status-column", "state"),
     "", "has no column 'state'; its status enum columns: sitemap_status"),
    (("new", "service", "x", "--model", "src.models.domain:Domain"), "",
     "already monitored by service sitemap_scanner"),
    (("new", "service", "x", "--new-model", "Widget", "--statuses", "Pending,Processing,Done"),
     "", "give four"),
    (WIDGET, "no settings class", "no class Settings (the anchor"),
    (WIDGET, "no startup function", "no function background_services() (the anchor"),
    (("new", "service", "x", "--new-model", "Widget", "--data", "colour=red"), "",
     "unknown answer(s) colour"),
    (("new", "service", "x", "--new-model", "Widget", "--data", "batch_size=0"), "",
     "greater than 0"),
    (("new", "service", "x", "--new-model", "Widget", "--data", "batch_size=ten"), "",
     "whole number"),
    (("new", "service", "x", "--new-model", "Widget", "--data", 'summary=a"""b'), "",
     "letters, digits"),
    (("new", "service", "x", "--new-model", "M" + "m" * 31), "",
     f"new_model 'M{'m' * 31}': must be at most 26 characters (its status enum, "
     f"M{'m' * 31}Status, must fit in 32)"),
    (("new", "service", "x", "--new-model", "AbCdEfGhIjKlMnOpQrStUv"), "",
     "new_model 'AbCdEfGhIjKlMnOpQrStUv': its snake_case form 'ab_cd_ef_gh_ij_kl_mn_op_qr_st_uv'"
     " (which names the table, the module and the enum type) must be at most 31 characters"),
    (("new", "service", "x", "--new-model", "Widget", "--table", "t" * 30, "--status-column",
      "c" * 20 + "_status"),
     "", "(from the table and the status column) is longer than PostgreSQL's 63 characters: "
     "give a shorter table or status column"),
    (("new", "service", "x"), "", "missing --model MODULE:CLASS"),
    (("new", "service", "x", "--model", "a:B", "--new-model", "C"), "", "not both"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "setup", "reason"), REFUSALS)
def test_refusals_are_one_line_exit_2_and_write_nothing(
    host: Path, args: tuple[str, ...], setup: str, reason: str
) -> None:
    _setup(host, setup)
    before = snapshot(host)
    line = one_line_error(cli(*args, "--defaults", "--project", str(host)))
    assert reason in line, line
    assert snapshot(host) == before


def test_a_status_not_in_the_enum_lists_its_members(host: Path) -> None:
    write_files(host, {"src/models/lead.py": LEAD})
    line = one_line_error(
        cli(
            "new", "service", "lead_router", "--model", "src.models.lead:Lead",
            "--status-column", "status", "--statuses", "Queued,Working,Done,Failed",
            "--defaults", "--project", str(host),
        )
    )  # fmt: skip
    assert line == (
        "skf: error: status 'Queued' is not a member of LeadStatus (members: New, Working, "
        "Done, Failed); pass --add-status to add it"
    )


@pytest.mark.slow
def test_add_status_extends_the_enum_and_the_docs(host: Path) -> None:
    write_files(host, {"src/models/lead.py": LEAD})
    models = host / "src/models/__init__.py"
    models.write_text(models.read_text().replace(
        "from src.models.email_message", "from src.models.lead import Lead, LeadStatus\n"
        "from src.models.email_message",
    ))  # fmt: skip
    result = cli(
        "new", "service", "lead_router", "--model", "src.models.lead:Lead",
        "--status-column", "status", "--statuses", "Queued,Working,Done,Not a Fit",
        "--add-status", "--defaults", "--project", str(host),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lead = (host / "src/models/lead.py").read_text()
    assert '    Failed = "Failed"\n    Queued = "Queued"\n    Not_a_Fit = "Not a Fit"\n' in lead
    assert "ALTER TYPE lead_status ADD VALUE" in result.output
    entry = ArchitectureDoc((host / DOC).read_text()).enums()["LeadStatus"]
    assert entry.values == ("New", "Working", "Done", "Failed", "Queued", "Not a Fit")
    service = (host / "src/services/lead_router_scheduler.py").read_text()
    assert "error=LeadStatus.Not_a_Fit," in service
    assert_generated_tests_pass(host, "tests/services/test_lead_router.py", expected=14)


def test_missing_answers_are_asked_for_on_a_terminal(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skf.cli.new

    monkeypatch.setattr(skf.cli.new, "interactive_terminal", lambda: True)
    from typer.testing import CliRunner

    from skf.cli import app

    answers = [
        "Bad-Name",  # refused, asked again
        "widget_pinger",
        "Widget",  # a new model
        "",  # table: the default
        "",
        "",
        "",
        "Failed",  # statuses: defaults but for the error status
        "",
        "25",  # batch size
        *[""] * 11,
    ]
    result = CliRunner().invoke(
        app, ["new", "service", "--project", str(host)], input="\n".join(answers) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "must be a snake_case Python identifier" in result.output
    settings = (host / "src/config/settings.py").read_text()
    assert "WIDGET_PINGER_BATCH_SIZE: PositiveInt = 25" in settings
    assert '    Failed = "Failed"\n' in (host / "src/models/widget.py").read_text()


def test_an_answers_file_and_data_options(host: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text("new_model: Widget\ntable: widgets\nbatch_size: 20\ninterval_seconds: 5\n")
    result = cli(
        "new", "service", "widget_pinger", "--answers-file", str(answers),
        "--data", "batch_size=30", "--data", "summary=pings every queued widget.",
        "--project", str(host),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    settings = (host / "src/config/settings.py").read_text()
    assert "WIDGET_PINGER_BATCH_SIZE: PositiveInt = 30" in settings  # --data wins
    assert "WIDGET_PINGER_INTERVAL_SECONDS: PositiveInt = 5" in settings
    compose = (host / "docker-compose.yml").read_text()
    assert 'WIDGET_PINGER_INTERVAL_SECONDS: "5"' in compose
    module = (host / "src/services/widget_pinger_scheduler.py").read_text()
    assert module.startswith('"""widget_pinger: pings every queued widget.\n')
