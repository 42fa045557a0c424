"""What the CLI tests share: running skf in process, and editing a host copy."""

from pathlib import Path

from typer.testing import CliRunner, Result

from skf.cli import app


def skf(*args: str) -> Result:
    """The skf command line, in process."""
    return CliRunner().invoke(app, list(args))


def edit(root: Path, path: str, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in `path`; returns the line it was on."""
    file = root / path
    text = file.read_text()
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    file.write_text(text.replace(old, new))
    return text[: text.index(old)].count("\n") + 1
