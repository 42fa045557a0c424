"""`skf update` for real: a service generated from template version 1 into a git-tracked copy
of example_service, edited by hand, then updated to version 2 (tests/fixtures/templates/2:
a new setting, a changed service module and changed tests)."""

import shutil
from pathlib import Path

import pytest
from example_hosts import copy_example, write_files
from generate_support import LEAD, assert_generated_tests_pass, one_line_error, snapshot
from git_repos import commit_all
from lifecycle_support import (
    COMPOSE,
    DOC,
    JITTER,
    RECORD,
    SERVICE,
    SETTINGS,
    TESTS,
    edit,
    skf,
    template_versions,
)

from skf.archdoc import ArchitectureDoc
from skf.check.engine import run_check
from skf.generate import record
from skf.generate.template import template_version
from skf.lifecycle.merge_files import HANDLER

HAND_EDIT = "logger = logging.getLogger(__name__)\n"
HANDLER_EDIT = (
    '    """\n    return None\n',
    '    """\n    logger.debug("pinging widget %s", row.id)\n    return None\n',
)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Template sources: version 1 alone, and versions 1 and 2."""
    root = tmp_path_factory.mktemp("templates")
    return template_versions(root / "v1", 1), template_versions(root / "v2", 2)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, versions: tuple[Path, Path]) -> Path:
    """example_service with two services generated from version 1 (widget_pinger on a new
    model, lead_router on an existing one), committed. example_service's own records are
    dropped: its services follow skf's real template, not these fixture versions."""
    host = copy_example(tmp_path_factory.mktemp("generated") / "host")
    shutil.rmtree(host / ".skf")
    write_files(host, {"src/models/lead.py": LEAD})
    for args in (
        ("widget_pinger", "--new-model", "Widget"),
        ("lead_router", "--model", "src.models.lead:Lead", "--statuses",
         "Queued,Working,Done,Failed", "--add-status"),
    ):  # fmt: skip
        result = skf(
            "new", "service", *args, "--defaults", "--no-check", "--project", str(host),
            template=versions[0],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    commit_all(host, "widget_pinger and lead_router from template v1")
    return host


@pytest.fixture
def host(tmp_path: Path, generated: Path) -> Path:
    copy = tmp_path / "host"
    shutil.copytree(generated, copy, symlinks=True)
    return copy


@pytest.fixture
def v2(versions: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Version 2 is the current template (for skf check too)."""
    monkeypatch.setenv("SKF_TEMPLATE", str(versions[1]))
    return versions[1]


def update(host: Path, *args: str) -> tuple[int, str]:
    result = skf("update", *args, "--project", str(host))
    return result.exit_code, result.output


@pytest.mark.slow
def test_hand_edits_and_the_templates_change_both_survive_and_the_service_stays_clean(
    host: Path, v2: Path
) -> None:
    assert record.load((host / RECORD).read_text(), RECORD).template_version == 1
    before = run_check(host, use_cache=False)
    outdated = [f for f in before.findings if f.code == "SKF208"]
    assert {f.service for f in outdated} == {"lead_router", "widget_pinger"}
    assert any("run `skf update widget_pinger`" in f.message for f in outdated)

    edit(host / SERVICE, HAND_EDIT, HAND_EDIT + "# Widgets are pinged in id order.\n")
    edit(host / SERVICE, *HANDLER_EDIT)
    commit_all(host, "hand edits")

    code, output = update(host, "widget_pinger")
    assert code == 0, output
    assert "updated widget_pinger: template v1 -> v2" in output
    assert f"merged     {SERVICE}" in output
    module = (host / SERVICE).read_text()
    assert "# Widgets are pinged in id order.\n" in module  # the hand edit
    assert 'logger.debug("pinging widget %s", row.id)' in module  # the handler
    assert JITTER in module  # the template's change
    assert "on the shared scheduler, its runs jittered." in module
    assert (
        "job.trigger.jitter == settings.WIDGET_PINGER_JITTER_SECONDS" in (host / TESTS).read_text()
    )
    # The new setting, through the shared-file patches, next to the service's others.
    settings = (host / SETTINGS).read_text()
    assert (
        "    WIDGET_PINGER_WAKEUP_ENABLED: bool = False\n"
        "    WIDGET_PINGER_JITTER_SECONDS: NonNegativeInt = 5\n"
    ) in settings
    compose = (host / COMPOSE).read_text()
    assert (
        '      WIDGET_PINGER_WAKEUP_ENABLED: "false"\n      WIDGET_PINGER_JITTER_SECONDS: "5"\n'
    ) in compose
    assert compose.count("# widget_pinger background service") == 1
    section = ArchitectureDoc((host / DOC).read_text()).services()["widget_pinger"]
    assert "WIDGET_PINGER_JITTER_SECONDS" in section.env_vars
    updated = record.load((host / RECORD).read_text(), RECORD)
    assert updated.template_version == 2
    assert updated.settings["jitter_seconds"] == 5

    after = run_check(host, use_cache=False)
    assert [f.message for f in after.findings if f.service == "widget_pinger"] == []
    assert_generated_tests_pass(host, TESTS, expected=14)

    commit_all(host, "update")
    unchanged = snapshot(host)
    code, output = update(host, "widget_pinger")
    assert (code, output) == (0, "nothing to do: widget_pinger is at template v2 (current)\n")
    assert snapshot(host) == unchanged


APP_HANDLER = """\
# skf:begin handler -- ours now.
async def handle_lead(row: Row[Any]) -> Mapping[str, Any] | None:
    \"\"\"Route the lead to its owner.\"\"\"
    logger.info("routing lead %s", row.id)
    return None


# skf:end handler
"""


@pytest.mark.slow
def test_update_all_keeps_each_handler_region_as_it_is(host: Path, v2: Path) -> None:
    """Version 2 rewords the handler stub: a region the developer wrote, and a stub nobody
    touched, are both left alone (the region is the developer's)."""
    lead = "src/services/lead_router_scheduler.py"
    text = (host / lead).read_text()
    stub = HANDLER.search(text)
    assert stub is not None
    (host / lead).write_text(text.replace(stub.group(0), APP_HANDLER))
    commit_all(host, "the lead handler")

    code, output = update(host, "--all")
    assert code == 0, output
    for name in ("lead_router", "widget_pinger"):
        assert f"updated {name}: template v1 -> v2" in output
    routed = (host / lead).read_text()
    assert APP_HANDLER in routed
    assert "jitter=settings.LEAD_ROUTER_JITTER_SECONDS," in routed
    words = " ".join((host / SERVICE).read_text().split())
    assert "completes unchanged." in words  # the v1 stub, kept
    assert "completes as it is." not in words
    lead_model = (host / "src/models/lead.py").read_text()
    assert lead_model.count("available_at: Mapped") == 1  # the patches add nothing twice
    assert run_check(host, use_cache=False).findings == []
    assert_generated_tests_pass(host, "tests/services/test_lead_router.py", expected=14)


def test_the_same_line_changed_on_both_sides_gets_conflict_markers_and_exit_1(
    host: Path, v2: Path
) -> None:
    edit(host / SERVICE, "        replace_existing=True,\n", "        replace_existing=False,\n")
    commit_all(host, "ours")
    code, output = update(host, "widget_pinger")
    assert code == 1, output
    assert f"conflict   {SERVICE} (1 conflicting hunk)" in output
    assert output.rstrip().endswith(
        f"conflicts in {SERVICE}: resolve the <<<<<<< markers, then run skf check"
    )
    module = (host / SERVICE).read_text()
    assert (
        "<<<<<<< current\n"
        "        replace_existing=False,\n"
        "=======\n"
        f"{JITTER}"
        "        replace_existing=True,\n"
        ">>>>>>> template v2\n"
    ) in module
    assert "on the shared scheduler, its runs jittered." in module  # the clean hunk applied
    assert "WIDGET_PINGER_JITTER_SECONDS: NonNegativeInt = 5" in (host / SETTINGS).read_text()
    assert record.load((host / RECORD).read_text(), RECORD).template_version == 2


def test_conflict_rej_keeps_the_file_and_writes_the_templates_hunk_beside_it(
    host: Path, v2: Path
) -> None:
    edit(host / SERVICE, "        replace_existing=True,\n", "        replace_existing=False,\n")
    commit_all(host, "ours")
    code, output = update(host, "widget_pinger", "--conflict", "rej")
    assert code == 1, output
    assert f"the template's hunks in {SERVICE}.rej" in output
    module = (host / SERVICE).read_text()
    assert "<<<<<<<" not in module
    assert "        replace_existing=False,\n" in module
    assert JITTER not in module
    assert "on the shared scheduler, its runs jittered." in module
    rej = (host / f"{SERVICE}.rej").read_text()
    assert rej.startswith(f"--- {SERVICE} (template v1)\n+++ {SERVICE} (template v2)\n@@ -")
    assert f"+{JITTER}" in rej


def test_uncommitted_changes_in_files_it_would_touch_are_refused(host: Path, v2: Path) -> None:
    edit(host / SERVICE, HAND_EDIT, HAND_EDIT + "# not committed\n")
    (host / "notes.txt").write_text("untracked, but not a file update touches\n")
    before = snapshot(host)
    line = one_line_error(skf("update", "widget_pinger", "--project", str(host)))
    assert line == (
        f"skf: error: uncommitted changes in {SERVICE}, which skf update would change; "
        "commit them first (or pass --allow-dirty)"
    )
    assert snapshot(host) == before
    code, output = update(host, "widget_pinger", "--allow-dirty")
    assert code == 0, output
    assert "# not committed\n" in (host / SERVICE).read_text()
    assert JITTER in (host / SERVICE).read_text()


def test_a_dry_run_shows_the_merge_as_a_diff_and_writes_nothing(host: Path, v2: Path) -> None:
    edit(host / SERVICE, HAND_EDIT, HAND_EDIT + "# dirty is fine for a dry run\n")
    before = snapshot(host)
    code, output = update(host, "widget_pinger", "--dry-run")
    assert code == 0, output
    assert snapshot(host) == before
    assert f"+++ b/{SERVICE}\n" in output
    assert f"+{JITTER}" in output
    assert "+    WIDGET_PINGER_JITTER_SECONDS: NonNegativeInt = 5\n" in output
    assert "-template_version: 1\n+template_version: 2\n" in output
    assert "would update widget_pinger: template v1 -> v2" in output
    assert output.rstrip().endswith("files would change; nothing written)")


def test_a_file_the_developer_deleted_stays_deleted(host: Path, v2: Path) -> None:
    (host / TESTS).unlink()
    commit_all(host, "no generated tests for us")
    code, output = update(host, "widget_pinger")
    assert code == 0, output
    assert f"kept deleted {TESTS}" in output
    assert not (host / TESTS).exists()
    updated = record.load((host / RECORD).read_text(), RECORD)
    assert TESTS not in updated.created
    assert SERVICE in updated.created


def test_a_git_repository_is_not_required(host: Path, v2: Path) -> None:
    shutil.rmtree(host / ".git")
    code, output = update(host, "widget_pinger")
    assert code == 0, output
    assert JITTER in (host / SERVICE).read_text()


REFUSALS = [
    (("update",), "", "give the services to update (skf update NAME ...), --all, or --host"),
    (("update", "widget_pinger", "--all"), "", "or --all, not both"),
    (("update", "nope"), "", "no record .skf/services/nope.yml"),
    (("update", "widget_pinger"), "module gone", "src/services/widget_pinger_scheduler.py is gone"),
    (("update", "widget_pinger"), "newer record", "generated from template v3, newer than"),
    (("update", "widget_pinger"), "renamed model", "no longer matches its record"),
    (("update", "widget_pinger", "--template", "/nonexistent"), "", "not a directory"),
]


@pytest.mark.parametrize(("args", "setup", "reason"), REFUSALS)
def test_refusals_are_one_line_exit_2_and_write_nothing(
    host: Path, v2: Path, args: tuple[str, ...], setup: str, reason: str
) -> None:
    if setup == "module gone":
        (host / SERVICE).unlink()
    elif setup == "newer record":
        edit(host / RECORD, "template_version: 1\n", "template_version: 3\n")
    elif setup == "renamed model":
        edit(host / RECORD, "model_class: Widget\n", "model_class: Gadget\n")
    if setup:
        commit_all(host, setup)
    before = snapshot(host)
    line = one_line_error(skf(*args, "--project", str(host)))
    assert reason in line, line
    assert snapshot(host) == before


def test_an_explicit_template_option_overrides_the_environment(
    host: Path, versions: tuple[Path, Path]
) -> None:
    result = skf("update", "widget_pinger", "--project", str(host), "--template", str(versions[1]))
    assert result.exit_code == 0, result.output
    assert "updated widget_pinger: template v1 -> v2" in result.output


def test_a_project_in_a_subdirectory_of_the_repository(
    tmp_path: Path, generated: Path, v2: Path
) -> None:
    """Paths git reports from the repository's top are matched to the project's."""
    repository = tmp_path / "repo"
    shutil.copytree(generated, repository / "services" / "host", symlinks=True)
    shutil.rmtree(repository / "services" / "host" / ".git")
    commit_all(repository, "monorepo")
    host = repository / "services" / "host"
    edit(host / SERVICE, HAND_EDIT, HAND_EDIT + "# not committed\n")
    line = one_line_error(skf("update", "--all", "--project", str(host)))
    assert f"uncommitted changes in {SERVICE}, which" in line


def test_services_from_the_first_released_version_follow_skfs_own_template(host: Path) -> None:
    """No fixture: version 1 from skf's frozen history, merged up to the installed template."""
    current = template_version()
    code, output = update(host, "--all")
    assert code == 0, output
    for name in ("lead_router", "widget_pinger"):
        recorded = record.load((host / f".skf/services/{name}.yml").read_text(), name)
        assert recorded.template_version == current
    assert run_check(host, use_cache=False).findings == []
