"""Git repositories for tests: run git as a fixed test author, commit a whole tree."""

import subprocess
from pathlib import Path

AUTHOR = ("-c", "user.email=test@example.com", "-c", "user.name=test")


def git(root: Path, *args: str) -> str:
    """`git -C root ARGS` as the test author; its output, stripped. Fails the test if git does."""
    return subprocess.run(
        ["git", "-C", str(root), *AUTHOR, *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def commit_all(root: Path, message: str = "work") -> None:
    """Commit everything under `root` (on branch main, created on first use)."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
