"""How `skf update` brings one rendered file up to date: the file as it is (ours) gets what
changed between the old version's render (base) and the new one's (theirs), through the
three-way merge of `skf.lifecycle.merge`. Service updates and host updates share it.

- a change on one side only applies; conflicting hunks get conflict markers (or, with
  `conflict="rej"`, the file keeps its own lines and the template's hunks go to `<file>.rej`);
- the handler region (`# skf:begin handler` ... `# skf:end handler`) is the developer's: it
  is kept as it is whatever the template does inside it;
- a file the developer deleted stays deleted; a file new in the template is created; a file
  the template dropped is deleted if unchanged since it was rendered, else kept and reported.
"""

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from skf.changes import ChangeSet
from skf.generate.renderer import render_failure
from skf.generate.template import render
from skf.generate.versions import TemplateVersion
from skf.lifecycle.merge import MergeResult, merge_text, rejects

ConflictStyle = Literal["merge", "rej"]
HANDLER = re.compile(r"^# skf:begin handler.*?^# skf:end handler\n", re.MULTILINE | re.DOTALL)


def render_version(version: TemplateVersion, part: str, data: dict[str, Any]) -> dict[str, bytes]:
    """`part` of `version` rendered with `data`; a template that fails to render is the
    template's error, reported in one line."""
    try:
        return render(part, data, version.directory)
    except Exception as error:  # Copier's and Jinja's errors: the template's, reported
        raise render_failure(error, f"template v{version.number}") from error


@dataclass(frozen=True)
class FileOutcome:
    path: str
    action: str
    """merged, created, deleted, conflict, kept deleted, kept (dropped by the template)."""
    conflicts: int = 0
    rej: str | None = None
    """`--conflict rej`: the file holding the hunks that did not apply."""

    @property
    def conflicted(self) -> bool:
        """Whether the user has to look at it: a conflict, or a file the template dropped
        that was kept because it was edited."""
        return self.action in ("conflict", "kept (dropped by template)")


@dataclass
class PartUpdate:
    """What an update does to one part of a project: a service, or the host's files."""

    old: int
    """The version merged from (for the host: the oldest of its files')."""
    new: int
    files: list[FileOutcome] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    """Shared files the re-applied patches changed."""
    notes: list[str] = field(default_factory=list)

    @property
    def conflicted(self) -> list[FileOutcome]:
        return [f for f in self.files if f.conflicted]


def _with_handler(text: str, handler: str | None) -> str:
    if handler is None:
        return text
    regions = HANDLER.findall(text)
    if len(regions) != 1:
        return text
    return text.replace(regions[0], handler)


def merge_file(
    changes: ChangeSet,
    path: str,
    base_bytes: bytes | None,
    theirs_bytes: bytes | None,
    labels: tuple[str, str],
    conflict: ConflictStyle,
) -> FileOutcome | None:
    ours_bytes = changes.read_bytes(path)
    if base_bytes is not None and ours_bytes is None:
        return FileOutcome(path, "kept deleted")
    if ours_bytes is None:
        assert theirs_bytes is not None
        changes.write(path, theirs_bytes)
        return FileOutcome(path, "created")
    ours = ours_bytes.decode("utf-8")
    handlers = HANDLER.findall(ours)
    handler = handlers[0] if len(handlers) == 1 else None
    base = _with_handler(base_bytes.decode("utf-8"), handler) if base_bytes is not None else ""
    if theirs_bytes is None:
        if ours == base:
            changes.delete(path)
            return FileOutcome(path, "deleted")
        return FileOutcome(path, "kept (dropped by template)", conflicts=1)
    theirs = _with_handler(theirs_bytes.decode("utf-8"), handler)
    result = merge_text(base, ours, theirs, ours_label="current", theirs_label=labels[1])
    return _apply(changes, path, ours, result, labels, conflict)


def _apply(
    changes: ChangeSet,
    path: str,
    ours: str,
    result: MergeResult,
    labels: tuple[str, str],
    conflict: ConflictStyle,
) -> FileOutcome | None:
    if result.clean:
        if result.text == ours:
            return None
        changes.write(path, result.text)
        return FileOutcome(path, "merged")
    if conflict == "rej":
        resolved = "".join(result.resolved)
        if resolved != ours:
            changes.write(path, resolved)
        rej = f"{path}.rej"
        changes.write(rej, rejects(path, result.conflicts, *labels))
        return FileOutcome(path, "conflict", len(result.conflicts), rej)
    changes.write(path, result.text)
    return FileOutcome(path, "conflict", len(result.conflicts))
