"""`skf update --host`: the host files skf keeps current, for real. A host made by `skf init`
from template version 1, with a service generated into it, committed; its runtime module is
edited by hand, then updated to version 2 (whose runtime keeps longer error texts) and to
version 3 (a host-only change)."""

import shutil
from pathlib import Path

import pytest
from generate_support import import_app, one_line_error, snapshot
from git_repos import commit_all
from lifecycle_support import (
    DOCSTRING_V2,
    DOCSTRING_V3,
    ERROR_LIMIT_V1,
    ERROR_LIMIT_V2,
    HOST_RECORD,
    RECORD,
    RUNTIME,
    SERVICE,
    edit,
    skf,
    template_versions,
)

from skf.check.engine import run_check
from skf.generate import host_record, record

SESSION = "src/session/async_session.py"
FIXTURES = "tests/conftest.py"
HAND_EDIT = (
    "This module is part of the host application",
    "Our runbook: docs/queues.md.\n\nThis module is part of the host application",
)


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("templates")
    return {n: template_versions(root / f"v{n}", n) for n in (1, 2, 3)}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, versions: dict[int, Path]) -> Path:
    """A host made by `skf init` from version 1, with widget_pinger generated, committed."""
    host = tmp_path_factory.mktemp("made") / "host"
    host.mkdir()
    for args in (
        ("init",),
        ("new", "service", "widget_pinger", "--new-model", "Widget", "--defaults", "--no-check"),
    ):
        result = skf(*args, "--project", str(host), template=versions[1])
        assert result.exit_code == 0, result.output
    commit_all(host, "from template v1")
    return host


@pytest.fixture
def host(tmp_path: Path, made: Path) -> Path:
    copy = tmp_path / "host"
    shutil.copytree(made, copy, symlinks=True)
    return copy


def recorded(host: Path) -> dict[str, int]:
    return dict(host_record.load((host / HOST_RECORD).read_text()).files)


def update(host: Path, template: Path, *args: str) -> tuple[int, str]:
    result = skf("update", *args, "--project", str(host), template=template)
    return result.exit_code, result.output


def host_findings(host: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("SKF_TEMPLATE", str(template))
    findings = run_check(host, use_cache=False).findings
    return sorted(f"{f.code} {f.message}" for f in findings if f.code in ("SKF208", "SKF209"))


def test_init_records_the_files_it_created_at_its_version(made: Path) -> None:
    assert recorded(made) == {RUNTIME: 1, SESSION: 1, FIXTURES: 1}


def test_a_hand_edit_and_the_templates_change_are_both_kept(
    host: Path, versions: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(host / RUNTIME, *HAND_EDIT)
    commit_all(host, "our runbook")
    assert host_findings(host, versions[2], monkeypatch) == [
        "SKF208 service widget_pinger was generated from template v1; the current template "
        "is v2: run `skf update widget_pinger` to merge what changed",
        f"SKF209 {RUNTIME} (the host's runtime module) is template v1's, and template v2 "
        "changed it: run `skf update --host` to merge what changed",
    ]  # the session module and the fixtures are the same in both versions: not reported

    code, output = update(host, versions[2], "--host")
    assert code == 0, output
    assert output.splitlines() == [
        "updated the host's files: template v1 -> v2",
        f"  merged     {RUNTIME}",
    ]
    runtime = (host / RUNTIME).read_text()
    assert "Our runbook: docs/queues.md.\n" in runtime  # the hand edit
    assert ERROR_LIMIT_V2 in runtime
    assert ERROR_LIMIT_V1 not in runtime
    assert recorded(host) == {RUNTIME: 2, SESSION: 2, FIXTURES: 2}
    assert record.load((host / RECORD).read_text(), RECORD).template_version == 1  # --host only
    assert host_findings(host, versions[2], monkeypatch) == [
        "SKF208 service widget_pinger was generated from template v1; the current template "
        "is v2: run `skf update widget_pinger` to merge what changed",
    ]
    imported = import_app(host, "src.main")
    assert imported.returncode == 0, imported.stderr

    commit_all(host, "host updated")
    unchanged = snapshot(host)
    code, output = update(host, versions[2], "--host")
    assert (code, output) == (0, "nothing to do: the host's files are at template v2 (current)\n")
    assert snapshot(host) == unchanged


def test_the_same_line_changed_on_both_sides_gets_conflict_markers(
    host: Path, versions: dict[int, Path]
) -> None:
    edit(host / RUNTIME, ERROR_LIMIT_V1, "ERROR_TEXT_LIMIT = 3000\n")
    commit_all(host, "ours")
    code, output = update(host, versions[2], "--host")
    assert code == 1, output
    assert f"  conflict   {RUNTIME} (1 conflicting hunk)" in output
    assert output.rstrip().endswith(
        f"conflicts in {RUNTIME}: resolve the <<<<<<< markers, then run skf check"
    )
    assert (
        f"<<<<<<< current\nERROR_TEXT_LIMIT = 3000\n=======\n{ERROR_LIMIT_V2}>>>>>>> template v2\n"
    ) in (host / RUNTIME).read_text()
    assert recorded(host)[RUNTIME] == 2


def test_conflict_rej_keeps_the_file_and_writes_the_templates_hunk_beside_it(
    host: Path, versions: dict[int, Path]
) -> None:
    edit(host / RUNTIME, ERROR_LIMIT_V1, "ERROR_TEXT_LIMIT = 3000\n")
    edit(host / RUNTIME, *HAND_EDIT)
    commit_all(host, "ours")
    code, output = update(host, versions[2], "--host", "--conflict", "rej")
    assert code == 1, output
    runtime = (host / RUNTIME).read_text()
    assert "ERROR_TEXT_LIMIT = 3000\n" in runtime
    assert "<<<<<<<" not in runtime
    rej = (host / f"{RUNTIME}.rej").read_text()
    assert rej.startswith(f"--- {RUNTIME} (template v1)\n+++ {RUNTIME} (template v2)\n@@ -")
    assert f"-{ERROR_LIMIT_V1}+{ERROR_LIMIT_V2}" in rej


def test_uncommitted_changes_are_refused_and_a_dry_run_writes_nothing(
    host: Path, versions: dict[int, Path]
) -> None:
    edit(host / RUNTIME, *HAND_EDIT)
    before = snapshot(host)
    line = one_line_error(skf("update", "--host", "--project", str(host), template=versions[2]))
    assert line == (
        f"skf: error: uncommitted changes in {RUNTIME}, which skf update would change; commit "
        "them first (or pass --allow-dirty)"
    )
    assert snapshot(host) == before

    code, output = update(host, versions[2], "--host", "--dry-run")
    assert code == 0, output
    assert snapshot(host) == before
    assert f"-{ERROR_LIMIT_V1}+{ERROR_LIMIT_V2}" in output
    assert f"-  {RUNTIME}: 1\n" in output
    assert f"+  {RUNTIME}: 2\n" in output
    assert "would update the host's files: template v1 -> v2" in output


def test_update_all_takes_services_and_host_in_one_change(
    host: Path, versions: dict[int, Path]
) -> None:
    code, output = update(host, versions[2], "--all")
    assert code == 0, output
    assert "updated widget_pinger: template v1 -> v2" in output
    assert "updated the host's files: template v1 -> v2" in output
    assert recorded(host) == {RUNTIME: 2, SESSION: 2, FIXTURES: 2}
    assert record.load((host / RECORD).read_text(), RECORD).template_version == 2


def test_a_host_only_version_leaves_services_current(
    host: Path, versions: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Version 3 changes the runtime and a question's help text only: services at version 2
    are not reported behind; the host is."""
    assert update(host, versions[2], "--all")[0] == 0
    commit_all(host, "at v2")
    service = (host / SERVICE).read_bytes()
    assert host_findings(host, versions[3], monkeypatch) == [
        f"SKF209 {RUNTIME} (the host's runtime module) is template v2's, and template v3 "
        "changed it: run `skf update --host` to merge what changed",
    ]
    code, output = update(host, versions[3], "--all")
    assert code == 0, output
    assert "updated the host's files: template v2 -> v3" in output
    assert DOCSTRING_V3 in (host / RUNTIME).read_text()
    assert DOCSTRING_V2 not in (host / RUNTIME).read_text()
    assert (host / SERVICE).read_bytes() == service
    assert host_findings(host, versions[3], monkeypatch) == []


def test_a_deleted_file_stays_deleted_and_leaves_the_record(
    host: Path, versions: dict[int, Path]
) -> None:
    (host / RUNTIME).unlink()
    commit_all(host, "our own runtime, elsewhere")
    code, output = update(host, versions[2], "--host")
    assert code == 0, output
    assert f"  kept deleted {RUNTIME}" in output
    assert f"note: {RUNTIME} was deleted: skf no longer keeps it current" in output
    assert not (host / RUNTIME).exists()
    assert recorded(host) == {SESSION: 2, FIXTURES: 2}


def test_a_host_without_a_record_is_told_how_to_adopt(
    host: Path, versions: dict[int, Path]
) -> None:
    (host / HOST_RECORD).unlink()
    commit_all(host, "no host record")
    before = snapshot(host)
    line = one_line_error(skf("update", "--host", "--project", str(host), template=versions[2]))
    assert line.startswith(
        f"skf: error: the host has no record ({HOST_RECORD}) of the files skf keeps current: "
        "run `skf init`"
    )
    assert snapshot(host) == before
    code, output = update(host, versions[2], "--all")
    assert code == 0, output
    assert f"note: the host's files were not updated: it has no record ({HOST_RECORD})" in output


def test_init_adopts_files_that_are_a_released_versions_render(
    host: Path, versions: dict[int, Path]
) -> None:
    """Each file at the newest version whose render it is, byte for byte; a file no version
    renders is left to the host, with what differs."""
    (host / HOST_RECORD).unlink()
    edit(host / FIXTURES, "import pytest\n", "import pytest  # ours\n")
    commit_all(host, "no host record, our fixtures")
    result = skf("init", "--project", str(host), template=versions[2])
    assert result.exit_code == 0, result.output
    assert f"owned    {RUNTIME}: template v1's render, kept current by skf update" in result.output
    assert f"owned    {SESSION}: template v2's render" in result.output  # v1's is the same
    assert (
        f"note: {FIXTURES} is not the test fixtures of any template version (closest: v2, 1 "
        "lines differ), so skf does not keep it current"
    ) in result.output
    assert recorded(host) == {RUNTIME: 1, SESSION: 2}

    commit_all(host, "adopted")
    code, output = update(host, versions[2], "--host")
    assert code == 0, output
    assert ERROR_LIMIT_V2 in (host / RUNTIME).read_text()
    assert recorded(host) == {RUNTIME: 2, SESSION: 2}
    again = skf("init", "--project", str(host), template=versions[2])
    assert "nothing to do" in again.output  # the record is update's from here
