"""Host trees built per test (Copier style): a copy of example_service, the compliant
reference host, without what running it leaves behind, with files written over it."""

import shutil
from collections.abc import Mapping
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "example_service"
# What running example_service or its tests leaves in it: never part of a host under test.
JUNK = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.db", "*.db-*", "outbox", ".pytest_cache", ".skf-cache"
)


def copy_example(destination: Path) -> Path:
    """A fresh copy of example_service at `destination`."""
    shutil.copytree(EXAMPLE, destination, ignore=JUNK)
    return destination


def write_files(root: Path, files: Mapping[str, str]) -> Path:
    """Write `files` (relative path: text, byte for byte) under `root`."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="")
    return root
