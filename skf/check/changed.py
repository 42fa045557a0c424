"""`--changed-since REV`: the files a pull request touches.

Everything that differs between the merge-base of REV and HEAD and the working tree:
commits on this branch since it left REV, staged and unstaged edits, and untracked files
(not ignored). Deleted and renamed-away paths are included too: removing a service's test
module is a change to that service. Paths are relative to the project root, which may be
a subdirectory of the repository; changes outside it are dropped.
"""

import subprocess
from pathlib import Path, PurePosixPath

from skf import git
from skf.errors import UsageError


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    result = git.run(root, *args)
    if result is None:
        raise UsageError("--changed-since needs git, and git is not installed")
    return result


def changed_files(root: Path, revision: str) -> frozenset[str]:
    """Files (relative POSIX, under `root`) changed since `revision`; UsageError when `root`
    is not in a git repository or `revision` is not a commit."""
    root = root.resolve()
    toplevel = _git(root, "rev-parse", "--show-toplevel")
    if toplevel.returncode != 0:
        raise UsageError(f"--changed-since needs a git repository; {root} is not in one")
    top = Path(toplevel.stdout.decode().strip()).resolve()
    if revision.startswith("-"):
        raise UsageError(f"--changed-since: {revision!r} is not a git revision")
    commit = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if commit.returncode != 0:
        raise UsageError(f"--changed-since: unknown git revision {revision!r}")
    base = _git(root, "merge-base", commit.stdout.decode().strip(), "HEAD")
    if base.returncode != 0:
        raise UsageError(
            f"--changed-since: no common ancestor of {revision!r} and HEAD "
            f"({git.first_line(base.stderr)})"
        )
    merge_base = base.stdout.decode().strip()
    # Against the working tree: commits since the merge-base plus staged and unstaged edits.
    diff = _git(root, "diff", "--name-only", "-z", "--no-renames", merge_base, "--", ".")
    untracked = _git(
        root, "ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", "."
    )
    for step in (diff, untracked):
        if step.returncode != 0:
            raise UsageError(f"--changed-since: git failed: {git.first_line(step.stderr)}")
    # `git diff` names paths from the top of the repository, as does `ls-files --full-name`.
    prefix = PurePosixPath(root.relative_to(top).as_posix()) if root != top else None
    files: set[str] = set()
    for name in (*git.z_items(diff.stdout), *git.z_items(untracked.stdout)):
        path = PurePosixPath(name)
        if prefix is not None:
            if prefix not in path.parents:
                continue
            path = path.relative_to(prefix)
        files.add(path.as_posix())
    return frozenset(files)
