"""ChangeSet: dry-run diffs, idempotence, conflict detection and all-or-nothing writes."""

import re
from pathlib import Path

import pytest

from skf import changes
from skf.changes import ChangeSet
from skf.errors import ConflictError, UsageError


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "settings.py").write_text("A = 1\n")
    (tmp_path / "compose.yml").write_text("services: {}\n")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_later_edits_see_earlier_ones_and_the_net_change_is_reported(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.write("src/settings.py", "A = 1\nB = 2\n")
    assert change_set.read("src/settings.py") == "A = 1\nB = 2\n"
    change_set.write("src/settings.py", change_set.read("src/settings.py") + "C = 3\n")

    (change,) = change_set.changes()
    assert (change.path, change.kind) == ("src/settings.py", "modify")
    assert change.new == b"A = 1\nB = 2\nC = 3\n"


def test_an_edit_that_ends_where_it_started_is_nothing_to_do(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.write("src/settings.py", "A = 2\n")
    change_set.write("src/settings.py", "A = 1\n")
    assert change_set.is_empty
    assert change_set.diff() == ""


def test_diff_shows_creations_modifications_and_deletions_like_git(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.create("src/new.py", "X = 1\n")
    change_set.write("src/settings.py", "A = 2\n")
    change_set.delete("compose.yml")

    diff = change_set.diff()

    assert "--- a/compose.yml\n+++ /dev/null\n" in diff
    assert "--- /dev/null\n+++ b/src/new.py\n" in diff
    assert "-A = 1\n+A = 2\n" in diff
    assert snapshot(tree)["src/settings.py"] == b"A = 1\n"  # nothing written


def test_apply_writes_everything_and_creates_missing_directories(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.create("tests/services/test_x.py", "def test(): pass\n")
    change_set.write("src/settings.py", "A = 2\n")

    written = change_set.apply()

    assert [c.path for c in written] == ["src/settings.py", "tests/services/test_x.py"]
    assert (tree / "tests/services/test_x.py").read_text() == "def test(): pass\n"
    assert (tree / "src/settings.py").read_text() == "A = 2\n"
    assert not [p for p in tree.rglob("*.skf*")]  # no temporary files left


def test_directories_a_deletion_leaves_empty_are_removed_and_no_others(tree: Path) -> None:
    (tree / ".skf/services").mkdir(parents=True)
    (tree / ".skf/services/a.yml").write_text("a\n")
    (tree / ".skf/host.yml").write_text("h\n")
    (tree / "empty").mkdir()  # empty before: not the change's doing, left alone
    change_set = ChangeSet(tree)
    change_set.delete(".skf/services/a.yml")
    change_set.delete("src/settings.py")
    change_set.delete("compose.yml")

    change_set.apply()

    assert not (tree / ".skf/services").exists()
    assert (tree / ".skf/host.yml").read_text() == "h\n"  # .skf still holds a file
    assert not (tree / "src").exists()
    assert (tree / "empty").is_dir()
    assert tree.is_dir()  # the project root stays, even when emptied


def test_apply_keeps_the_file_mode(tree: Path) -> None:
    script = tree / "run.sh"
    script.write_text("echo 1\n")
    script.chmod(0o755)
    change_set = ChangeSet(tree)
    change_set.write("run.sh", "echo 2\n")
    change_set.apply()
    assert script.stat().st_mode & 0o777 == 0o755


@pytest.mark.parametrize("fail_on", [1, 2, 3])
def test_a_failure_at_any_step_leaves_every_file_as_it_was(
    tree: Path, monkeypatch: pytest.MonkeyPatch, fail_on: int
) -> None:
    before = snapshot(tree)
    change_set = ChangeSet(tree)
    change_set.write("src/settings.py", "A = 2\n")
    change_set.create("src/services/new_service.py", "X = 1\n")
    change_set.delete("compose.yml")
    change_set.create("tests/test_new.py", "Y = 1\n")
    calls = 0
    real_replace = changes._replace

    def flaky_replace(source: str, target: Path) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_on:
            raise OSError("disk full")
        real_replace(source, target)

    monkeypatch.setattr(changes, "_replace", flaky_replace)
    with pytest.raises(OSError, match="disk full"):
        change_set.apply()

    assert snapshot(tree) == before
    assert not (tree / "src/services").exists()
    assert not (tree / "tests").exists()


def test_a_file_changed_on_disk_since_it_was_read_is_a_conflict(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.write("src/settings.py", "A = 2\n")
    (tree / "src/settings.py").write_text("A = 99\n")

    with pytest.raises(ConflictError, match=re.escape("src/settings.py changed on disk")):
        change_set.apply()
    assert (tree / "src/settings.py").read_text() == "A = 99\n"


@pytest.mark.parametrize("path", ["../outside.py", "/etc/passwd", "src/../../x.py"])
def test_paths_outside_the_project_are_refused(tree: Path, path: str) -> None:
    with pytest.raises(UsageError, match="outside the project"):
        ChangeSet(tree).write(path, "x")


def test_create_refuses_an_existing_file(tree: Path) -> None:
    with pytest.raises(UsageError, match=re.escape("src/settings.py already exists")):
        ChangeSet(tree).create("src/settings.py", "x")


def test_merge_combines_change_sets(tree: Path) -> None:
    first, second = ChangeSet(tree), ChangeSet(tree)
    first.write("src/settings.py", "A = 2\n")
    second.create("src/other.py", "B = 1\n")
    first.merge(second)
    assert first.paths == ["src/other.py", "src/settings.py"]


def test_bytes_are_written_untouched(tree: Path) -> None:
    change_set = ChangeSet(tree)
    change_set.write("src/crlf.py", b"A = 1\r\nB = 2\r\n")
    change_set.apply()
    assert (tree / "src/crlf.py").read_bytes() == b"A = 1\r\nB = 2\r\n"
