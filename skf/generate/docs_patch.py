"""The architecture doc's entries for a service and its status enum (skf.archdoc blocks).

A service gets its marker block under `## Services`. Its status enum gets a block under
`## Authoritative ENUMs` when the doc does not list it yet (a new model's enum, or an existing
enum nobody documented); a block skf already maintains gains the rows of statuses added with
`--add-status` and notes which service monitors which value. A hand-written enum section is
never rewritten: if it lacks a status the service uses, that is an error naming it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from skf.archdoc import (
    TABLE_ROW,
    ArchitectureDoc,
    EnumFacts,
    ServiceFacts,
    render_enum_block,
    render_service_block,
    split_monitored,
    table_rows,
    with_monitored,
)
from skf.changes import ChangeSet
from skf.errors import ProjectError


@dataclass(frozen=True)
class EnumUse:
    """What one service does with one status enum."""

    enum: str
    type_name: str | None
    place: str
    """`table.column`."""
    values: tuple[str, ...]
    """Every value of the enum (added ones included), in order."""
    meanings: dict[str, str]
    """Meaning of the values the service uses, by value."""
    monitored: str
    service: str


def _read(changes: ChangeSet, path: str) -> ArchitectureDoc:
    text = changes.read(path)
    if text is None:
        raise ProjectError(f"{path}: no such file (the architecture doc); run `skf init` to add it")
    return ArchitectureDoc(text, path)


def document_service(changes: ChangeSet, path: str, facts: ServiceFacts) -> None:
    doc = _read(changes, path)
    existing = doc.services().get(facts.name)
    if existing is not None and not existing.managed:
        raise ProjectError(
            f"{path}:{existing.line}: a hand-written section `### {facts.name}` already exists"
        )
    changes.write(path, doc.with_block("service", facts.name, render_service_block(facts)))


def _monitored_note(meaning: str, service: str) -> str:
    rest, services = split_monitored(meaning)
    if service in services:
        return meaning
    return with_monitored(rest, [*services, service])


def _meaning(use: EnumUse, value: str) -> str:
    meaning = use.meanings.get(value, "")
    return _monitored_note(meaning, use.service) if value == use.monitored else meaning


def _updated_block(body: str, use: EnumUse) -> str:
    lines = body.splitlines(keepends=True)
    listed: dict[str, int] = {}
    for index, line in enumerate(lines):
        if match := TABLE_ROW.match(line.strip()):
            listed[match.group(1)] = index
    if not listed:
        return body
    last_row = max(listed.values())
    new_rows = [
        f"| `{value}` | {_meaning(use, value)} |\n" for value in use.values if value not in listed
    ]
    monitored = listed.get(use.monitored)
    if monitored is not None:
        lines[monitored] = _monitored_row(lines[monitored], use, _monitored_note)
    lines[last_row + 1 : last_row + 1] = new_rows
    for index, line in enumerate(lines):
        if line.lower().startswith(("column type", "used by")) and f"`{use.place}`" not in line:
            stripped = line.rstrip("\n").rstrip()
            if stripped.endswith("."):
                lines[index] = f"{stripped[:-1]}, `{use.place}`.\n"
            break
    return "".join(lines)


def document_enum(changes: ChangeSet, path: str, use: EnumUse) -> None:
    doc = _read(changes, path)
    entry = doc.enums().get(use.enum)
    if entry is None:
        changes.write(path, doc.with_block("enum", use.enum, fresh_enum_block(use)))
        return
    if not entry.managed:
        missing = [value for value in use.values if value not in entry.values]
        if missing:
            raise ProjectError(
                f"{path}:{entry.line}: the hand-written {use.enum} section does not list "
                f"{', '.join(missing)}; add them there (skf edits only its marked blocks)"
            )
        return
    body = doc.block_text("enum", use.enum) or ""
    changes.write(path, doc.with_block("enum", use.enum, _updated_block(body, use)))


# -- removing (`skf remove`) -----------------------------------------------------------------


def undocument_service(changes: ChangeSet, path: str, service: str) -> bool:
    """Remove the service's skf block; False when there is none (a hand-written section is
    the team's and stays)."""
    text = changes.read(path)
    if text is None:
        return False
    doc = ArchitectureDoc(text, path)
    if ("service", service) not in doc.blocks:
        return False
    changes.write(path, doc.without_block("service", service))
    return True


def _monitored_row(line: str, use: EnumUse, change: Callable[[str, str], str]) -> str:
    """The monitored status's table row with `change(meaning, service)` made to its meaning."""
    meaning = table_rows(line)[use.monitored]
    return f"| `{use.monitored}` | {change(meaning, use.service)} |\n"


def _unmonitored(meaning: str, service: str) -> str:
    """`_monitored_note` undone: `service` out of the meaning's `(monitored by ...)`."""
    rest, services = split_monitored(meaning)
    if service not in services:
        return meaning
    return with_monitored(rest, [s for s in services if s != service])


def fresh_enum_block(use: EnumUse) -> str:
    """The block `document_enum` writes for an enum the doc did not list yet."""
    meanings = {value: _meaning(use, value) for value in use.values}
    return render_enum_block(EnumFacts(use.enum, use.type_name, (use.place,), use.values, meanings))


def undocument_enum(
    changes: ChangeSet, path: str, use: EnumUse, removed_values: tuple[str, ...]
) -> str | None:
    """Undo `document_enum` for the service of `use`: its block goes when it is exactly what
    the service added (nobody else documented or edited it since); otherwise the service
    leaves the monitored note, and the rows of `removed_values` (statuses it added) go.
    Returns "removed", "edited" or None (nothing of the service's there)."""
    text = changes.read(path)
    if text is None:
        return None
    doc = ArchitectureDoc(text, path)
    body = doc.block_text("enum", use.enum)
    if body is None:
        return None
    if body == fresh_enum_block(use):
        changes.write(path, doc.without_block("enum", use.enum))
        return "removed"
    lines = body.splitlines(keepends=True)
    kept: list[str] = []
    for line in lines:
        match = TABLE_ROW.match(line.strip())
        if match and match.group(1) in removed_values:
            continue
        if match and match.group(1) == use.monitored:
            line = _monitored_row(line, use, _unmonitored)
        kept.append(line)
    new_body = "".join(kept)
    if new_body == body:
        return None
    changes.write(path, doc.with_block("enum", use.enum, new_body))
    return "edited"
