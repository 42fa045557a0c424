"""How `skf update` treats one rendered file, for every combination of what the old version
rendered (base), what the new one renders (theirs) and what is on disk (ours)."""

from pathlib import Path

import pytest
from example_hosts import write_files

from skf.changes import ChangeSet
from skf.lifecycle.merge_files import merge_file

LABELS = ("template v1", "template v2")
BASE = "a\nb\nc\nd\ne\n"


def merged(
    tmp_path: Path, base: str | None, theirs: str | None, ours: str | None, style: str = "merge"
) -> tuple[str | None, ChangeSet, str | None]:
    if ours is not None:
        write_files(tmp_path, {"f.py": ours})
    changes = ChangeSet(tmp_path)
    outcome = merge_file(
        changes,
        "f.py",
        None if base is None else base.encode(),
        None if theirs is None else theirs.encode(),
        LABELS,
        "rej" if style == "rej" else "merge",
    )
    return (None if outcome is None else outcome.action), changes, changes.read("f.py")


def test_unchanged_on_both_sides_is_left_alone(tmp_path: Path) -> None:
    action, changes, _text = merged(tmp_path, BASE, BASE, BASE)
    assert action is None
    assert changes.is_empty


def test_a_change_of_the_template_applies(tmp_path: Path) -> None:
    action, _changes, text = merged(tmp_path, BASE, BASE.replace("e", "E"), BASE)
    assert (action, text) == ("merged", BASE.replace("e", "E"))


def test_a_file_new_in_the_template_is_created(tmp_path: Path) -> None:
    action, _changes, text = merged(tmp_path, None, BASE, None)
    assert (action, text) == ("created", BASE)


def test_a_file_new_in_the_template_that_exists_already_conflicts_whole(tmp_path: Path) -> None:
    action, _changes, text = merged(tmp_path, None, BASE, "mine\n")
    assert action == "conflict"
    assert text == f"<<<<<<< current\nmine\n=======\n{BASE}>>>>>>> template v2\n"


def test_a_file_the_developer_deleted_stays_deleted(tmp_path: Path) -> None:
    action, changes, text = merged(tmp_path, BASE, BASE.replace("e", "E"), None)
    assert (action, text) == ("kept deleted", None)
    assert changes.is_empty


def test_a_file_the_template_dropped_goes_when_unchanged(tmp_path: Path) -> None:
    action, changes, text = merged(tmp_path, BASE, None, BASE)
    assert (action, text) == ("deleted", None)
    assert [c.kind for c in changes.changes()] == ["delete"]


def test_a_file_the_template_dropped_stays_when_changed_and_is_reported(tmp_path: Path) -> None:
    action, changes, text = merged(tmp_path, BASE, None, BASE + "mine\n")
    assert (action, text) == ("kept (dropped by template)", BASE + "mine\n")
    assert changes.is_empty


@pytest.mark.parametrize("style", ["merge", "rej"])
def test_a_conflict_in_either_style(tmp_path: Path, style: str) -> None:
    action, changes, text = merged(
        tmp_path, BASE, BASE.replace("c", "C (template)"), BASE.replace("c", "C (mine)"), style
    )
    assert action == "conflict"
    if style == "merge":
        assert "<<<<<<< current\nC (mine)\n=======\nC (template)\n>>>>>>> template v2\n" in (
            text or ""
        )
        assert changes.read("f.py.rej") is None
    else:
        assert text == BASE.replace("c", "C (mine)")
        assert changes.read("f.py.rej") == (
            "--- f.py (template v1)\n+++ f.py (template v2)\n@@ -3,1 +3,1 @@\n-c\n+C (template)\n"
        )
