"""A ChangeSet: every file edit a command wants, computed in memory, applied all-or-nothing.

Every command that writes (new, fix, update, remove, docs, init) builds a ChangeSet first.
That one mechanism gives:
- dry runs (`diff()` renders a unified diff and nothing is written);
- idempotence (`is_empty`: "nothing to do");
- conflict detection (a file that changed on disk since it was read is refused);
- atomicity (`apply()` writes every file or none: on any failure, files already replaced are
  restored byte for byte, new files and new directories removed).
"""

import difflib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from skf.errors import ConflictError, UsageError


@dataclass(frozen=True)
class FileChange:
    path: str
    """POSIX path relative to the root."""
    old: bytes | None
    """Content on disk when the change was computed; None for a new file."""
    new: bytes | None
    """Content to write; None to delete the file."""

    @property
    def kind(self) -> str:
        if self.old is None:
            return "create"
        if self.new is None:
            return "delete"
        return "modify"


def _checked_relative(path: str) -> str:
    posix = PurePosixPath(path)
    if posix.is_absolute() or ".." in posix.parts or not posix.parts:
        raise UsageError(f"refusing to write outside the project: {path}")
    return str(posix)


class ChangeSet:
    """Pending edits under `root`; later edits of the same file see the earlier ones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._original: dict[str, bytes | None] = {}
        self._pending: dict[str, bytes | None] = {}

    # -- building ------------------------------------------------------------------------

    def _disk(self, path: str) -> bytes | None:
        file = self.root / path
        return file.read_bytes() if file.is_file() else None

    def read_bytes(self, path: str) -> bytes | None:
        """Current content of `path` including pending edits; None if it does not exist."""
        path = _checked_relative(path)
        if path in self._pending:
            return self._pending[path]
        return self._disk(path)

    def read(self, path: str) -> str | None:
        data = self.read_bytes(path)
        return None if data is None else data.decode("utf-8")

    def exists(self, path: str) -> bool:
        return self.read_bytes(path) is not None

    def write(self, path: str, content: str | bytes) -> None:
        """Create or replace `path` (text is written as UTF-8, newlines untouched)."""
        path = _checked_relative(path)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if path not in self._original:
            self._original[path] = self._disk(path)
        self._pending[path] = data

    def create(self, path: str, content: str | bytes) -> None:
        """Like `write`, but `path` must not exist yet."""
        if self.exists(path):
            raise UsageError(f"{path} already exists")
        self.write(path, content)

    def delete(self, path: str) -> None:
        path = _checked_relative(path)
        if path not in self._original:
            self._original[path] = self._disk(path)
        self._pending[path] = None

    def merge(self, other: "ChangeSet") -> None:
        """Add `other`'s edits (computed against the same root) on top of these."""
        for change in other.changes():
            if change.new is None:
                self.delete(change.path)
            else:
                self.write(change.path, change.new)

    # -- inspecting ----------------------------------------------------------------------

    def changes(self) -> list[FileChange]:
        """The net edits, in path order; edits that end where they started are dropped."""
        return [
            FileChange(path, self._original[path], new)
            for path, new in sorted(self._pending.items())
            if new != self._original[path]
        ]

    def __iter__(self) -> Iterator[FileChange]:
        return iter(self.changes())

    @property
    def is_empty(self) -> bool:
        return not self.changes()

    @property
    def paths(self) -> list[str]:
        return [change.path for change in self.changes()]

    def diff(self) -> str:
        """A unified diff of every change (`a/` and `b/` prefixes, like git)."""
        chunks: list[str] = []
        for change in self.changes():
            old = _lines(change.old)
            new = _lines(change.new)
            before = "/dev/null" if change.old is None else f"a/{change.path}"
            after = "/dev/null" if change.new is None else f"b/{change.path}"
            chunks.extend(difflib.unified_diff(old, new, before, after))
            if chunks and not chunks[-1].endswith("\n"):
                chunks[-1] += "\n\\ No newline at end of file\n"
        return "".join(chunks)

    # -- applying ------------------------------------------------------------------------

    def apply(self) -> list[FileChange]:
        """Write every change or none; returns what was written.

        Refuses (ConflictError, nothing written) when a file no longer has the content the
        change was computed from.
        """
        changes = self.changes()
        for change in changes:
            if self._disk(change.path) != change.old:
                raise ConflictError(f"{change.path} changed on disk; run the command again")
        journal = _Journal(self.root)
        try:
            for change in changes:
                journal.apply(change)
        except BaseException:
            journal.rollback()
            raise
        journal.commit()
        return changes


def _lines(data: bytes | None) -> list[str]:
    return [] if data is None else data.decode("utf-8").splitlines(keepends=True)


def _replace(source: str, target: Path) -> None:
    """The one call that makes a change visible (tests inject failures here)."""
    os.replace(source, target)


class _Journal:
    """Backs up what it overwrites so that a failed apply can be undone."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._undo: list[tuple[Path, bytes | None]] = []
        self._created_dirs: list[Path] = []
        self._deleted: list[Path] = []

    def _make_parents(self, target: Path) -> None:
        missing = [p for p in reversed(target.parents) if not p.exists()]
        for directory in missing:
            directory.mkdir()
            self._created_dirs.append(directory)

    def apply(self, change: FileChange) -> None:
        target = self.root / change.path
        if change.new is None:
            self._undo.append((target, change.old))
            target.unlink()
            self._deleted.append(target)
            return
        self._make_parents(target)
        mode = target.stat().st_mode if target.exists() else None
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.skf")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(change.new)
            if mode is not None:
                os.chmod(temporary, mode)
            self._undo.append((target, change.old))
            _replace(temporary, target)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def rollback(self) -> None:
        for target, old in reversed(self._undo):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(old)
        for directory in reversed(self._created_dirs):
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()

    def commit(self) -> None:
        """Forget the backups; remove the directories the deletions left empty (git does not
        keep empty directories either: `skf remove` of the last service leaves no empty
        `.skf/services/`). The project root itself always stays."""
        for target in self._deleted:
            for directory in target.parents:
                if directory == self.root or self.root not in directory.parents:
                    break
                try:
                    directory.rmdir()  # only succeeds on an empty directory
                except OSError:
                    break
        self._undo.clear()
        self._created_dirs.clear()
        self._deleted.clear()
