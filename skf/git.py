"""Running git: one way to call it, to read the NUL-separated names it prints (`-z`), and to
turn its failure into one line."""

import subprocess
from pathlib import Path


def run(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """`git -C root ARGS`, output captured; None when git is not installed."""
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        return None


def first_line(error: bytes) -> str:
    """The first line of what git printed on failure: enough for a one-line error."""
    lines = error.decode(errors="replace").strip().splitlines()
    return lines[0] if lines else "git failed"


def z_items(output: bytes) -> list[str]:
    """The names of a `-z` output. Undecodable bytes survive as surrogates (as `os.fsdecode`
    gives them), so a name still matches the path on disk."""
    return [item.decode("utf-8", errors="surrogateescape") for item in output.split(b"\0") if item]
