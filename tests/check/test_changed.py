"""`--changed-since REV`: committed since the merge-base, staged, unstaged and untracked
files, relative to the project root (which may be a subdirectory of the repository)."""

from pathlib import Path

import pytest
from git_repos import commit_all, git

from skf.check.changed import changed_files
from skf.errors import UsageError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: host/a.py, host/b.py, host/c.py, other.txt; branch `feature` checked out."""
    host = tmp_path / "host"
    host.mkdir()
    for name in ("a.py", "b.py", "c.py", "d.py"):
        (host / name).write_text(f"# {name}\n")
    (tmp_path / "other.txt").write_text("x\n")
    (tmp_path / ".gitignore").write_text("*.log\n")
    commit_all(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    return tmp_path


def test_every_kind_of_change_since_the_merge_base(repo: Path) -> None:
    host = repo / "host"
    # main moves on after the branch left it: its own changes are not the branch's.
    git(repo, "checkout", "-q", "main")
    (host / "main_only.py").write_text("# on main\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "main moves")
    git(repo, "checkout", "-q", "feature")
    (host / "a.py").write_text("# committed on the branch\n")
    git(repo, "commit", "-qam", "a")
    (host / "b.py").write_text("# staged\n")
    git(repo, "add", "host/b.py")
    (host / "c.py").write_text("# unstaged\n")
    (host / "new dir").mkdir()
    (host / "new dir" / "e.py").write_text("# untracked\n")
    (host / "debug.log").write_text("ignored\n")
    git(repo, "rm", "-q", "host/d.py")
    (repo / "other.txt").write_text("outside the project root\n")

    assert changed_files(host, "main") == {"a.py", "b.py", "c.py", "d.py", "new dir/e.py"}
    assert changed_files(repo, "main") == {
        "host/a.py",
        "host/b.py",
        "host/c.py",
        "host/d.py",
        "host/new dir/e.py",
        "other.txt",
    }


def test_nothing_changed(repo: Path) -> None:
    assert changed_files(repo / "host", "HEAD") == frozenset()


def test_a_bad_revision_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(UsageError, match="unknown git revision 'no-such-branch'"):
        changed_files(repo, "no-such-branch")
    with pytest.raises(UsageError, match="is not a git revision"):
        changed_files(repo, "--output=/tmp/x")


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="needs a git repository"):
        changed_files(tmp_path, "main")
