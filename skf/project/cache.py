"""An on-disk cache of what skf computed from a project's files, keyed by content hashes.

Entries are JSON (never pickle: the cache directory lives inside the project, and a checked-in
or planted pickle would run code on the machine that runs `skf check`). Every key includes
the skf build (its version and a hash of its own source), so a different skf never reads
another's entries. The cache is an optimisation only: any failure to read or write it is
ignored and the value is computed again.

Location: `<project>/.skf-cache/` (with a `.gitignore` of `*` so it is never committed), or,
when the project is not writable, a directory per project under the user's cache directory.
"""

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import skf

CACHE_DIR = ".skf-cache"
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n# skf cache; see https://bford.info/cachedir/\n"
)


def digest(data: bytes) -> str:
    """The content hash skf keys files by."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@cache
def skf_build() -> str:
    """skf's version plus a hash of its own source: a changed checker never trusts old results."""
    package = Path(skf.__file__).parent
    hasher = hashlib.blake2b(skf.__version__.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        hasher.update(path.relative_to(package).as_posix().encode())
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _user_cache_dir(root: Path) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    project = hashlib.blake2b(str(root).encode(), digest_size=8).hexdigest()
    return Path(base) / "skf" / project


class Cache:
    """Namespaced JSON entries; `enabled=False` makes every lookup miss and every store a no-op."""

    def __init__(self, root: Path, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._root = root
        self._directory: Path | None = None

    def _dir(self) -> Path | None:
        if self._directory is not None:
            return self._directory
        for candidate in (self._root / CACHE_DIR, _user_cache_dir(self._root)):
            try:
                candidate.mkdir(parents=True, exist_ok=True)
                ignore = candidate / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# Created by skf\n*\n")
                    (candidate / "CACHEDIR.TAG").write_text(_TAG)
                probe = candidate / ".probe"
                probe.write_bytes(b"")
                probe.unlink()
            except OSError:
                continue
            self._directory = candidate
            return candidate
        self.enabled = False
        return None

    def _file(self, namespace: str, key: str) -> Path | None:
        directory = self._dir()
        return None if directory is None else directory / namespace / f"{key}.json"

    def get(self, namespace: str, key: str) -> Any:
        """The stored value, or None when absent or unreadable."""
        if not self.enabled:
            return None
        file = self._file(namespace, key)
        if file is None:
            return None
        try:
            with file.open(encoding="utf-8") as handle:
                entry = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("build") != skf_build():
            return None
        return entry.get("value")

    def put(self, namespace: str, key: str, value: Any) -> None:
        if not self.enabled:
            return
        file = self._file(namespace, key)
        if file is None:
            return
        text = json.dumps({"build": skf_build(), "value": value})
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(temporary, file)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
        except OSError:
            return
