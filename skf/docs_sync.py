"""`skf docs`: the architecture doc's skf blocks, written from the code.

Every service skf finds gets its `<!-- skf:begin service NAME -->` block under `## Services`,
and every status enum the services work on (and every enum skf already maintains a block for)
gets its `<!-- skf:begin enum CLASS -->` block under `## Authoritative ENUMs`, rendered by the
same renderers `skf new service` writes with (skf.archdoc, fed from the inventory by
skf.check.rules._docs_fix), so a generated service's doc is in sync from its first commit.

What skf does not own it leaves alone:
- prose outside the markers is never touched;
- a section written by hand (a `### name` heading with no markers) stays as it is, and is
  listed as not maintained. skf does not take such a section over by itself (no `--adopt`):
  it holds the team's words, which the code cannot regenerate, and replacing it silently
  would lose them. The checker still judges it (SKF105, SKF107, SKF117); to hand it to skf,
  delete it and run `skf docs`.
- a block whose service or enum is gone from the code is removed (the doc would otherwise
  describe a job that no longer runs).

`--check` reports drift: what differs between each block and what the code gives, one line
per difference (a value the doc lacks, an env var renamed, a default changed).
"""

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from skf.archdoc import TABLE_ROW, ArchitectureDoc, can_mark, render_service_block, table_rows
from skf.changes import ChangeSet
from skf.check.rules._docs_fix import enum_block, existing_summary, service_facts
from skf.config import load_layout
from skf.errors import ProjectError
from skf.project.inventory import Inventory, build_inventory, models_in_package
from skf.project.models import EnumInfo


@dataclass(frozen=True)
class Drift:
    """One skf block that differs from what the code gives."""

    kind: str
    """"service" or "enum"."""
    name: str
    state: str
    """"missing" (no block yet), "changed" or "stale" (nothing in the code any more)."""
    details: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        head = f"{self.kind} {self.name}"
        if self.state == "missing":
            return [f"{head}: not in the doc"]
        if self.state == "stale":
            gone = (
                "no service registers it any more"
                if self.kind == "service"
                else "no service or model column uses it any more"
            )
            return [f"{head}: documented, but {gone}"]
        return [f"{head}: {detail}" for detail in self.details] or [f"{head}: changed"]


@dataclass
class DocsPlan:
    path: str
    """The architecture doc (relative POSIX)."""
    changes: ChangeSet
    drift: list[Drift] = field(default_factory=list)
    in_sync: list[str] = field(default_factory=list)
    """Blocks already as the code gives them (`service NAME`, `enum CLASS`)."""
    hand_written: list[str] = field(default_factory=list)
    """Sections skf leaves alone, with where they are."""
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.drift


def plan_docs(root: Path) -> DocsPlan:
    """What `skf docs` would write at `root`, as a ChangeSet (nothing is written here).

    ProjectError (exit 2) when the doc does not exist, its markers are broken, or a Python
    file does not parse (skf would not know which services exist, and would remove the
    blocks of those it cannot see)."""
    layout = load_layout(root)
    inventory = build_inventory(layout)
    errors = inventory.all_parse_errors()
    if errors:
        first = errors[0]
        raise ProjectError(
            f"{first.path}:{first.line}: {first.message}; skf docs reads the services from "
            "the code, fix the syntax error first"
        )
    path = layout.architecture_doc
    changes = ChangeSet(layout.root)
    text = changes.read(path)
    if text is None:
        raise ProjectError(f"{path}: no such file (the architecture doc); run `skf init` to add it")
    if not inventory.services and any(
        k == "service" for k, _ in ArchitectureDoc(text, path).blocks
    ):
        raise ProjectError(
            f"skf found no background service, but {path} documents some; refusing to remove "
            "every service block (is [tool.skf] pointing at the shared scheduler?)"
        )
    plan = DocsPlan(path, changes)
    text = _sync_enums(inventory, plan, text)
    text = _sync_services(inventory, plan, text)
    changes.write(path, text)
    return plan


def _status_enums(inventory: Inventory, doc: ArchitectureDoc) -> dict[str, EnumInfo]:
    """Enums to document, by class name: the services' status enums, then the enums of model
    columns that already have an skf block."""
    found: dict[str, EnumInfo] = {}
    for service in inventory.services:
        enum = service.status_enum
        if enum is not None:
            found.setdefault(enum.name, enum)
    managed = {name for kind, name in doc.blocks if kind == "enum"}
    for model in models_in_package(inventory):
        for column in model.columns.values():
            if column.enum is not None and column.enum.name in managed:
                found.setdefault(column.enum.name, column.enum)
    return found


def _sync_enums(inventory: Inventory, plan: DocsPlan, text: str) -> str:
    doc = ArchitectureDoc(text, plan.path)
    enums = _status_enums(inventory, doc)
    entries = doc.enums()
    for name, enum in enums.items():
        entry = entries.get(name)
        if entry is not None and not entry.managed:
            plan.hand_written.append(f"enum {name} ({plan.path}:{entry.line})")
            continue
        # enum_block keeps the meanings of the block on disk; the doc being built holds the
        # same block (enums are written before anything else changes it).
        text = _put(plan, text, "enum", name, enum_block(inventory, enum))
    for kind, name in ArchitectureDoc(text, plan.path).blocks:
        if kind == "enum" and name not in enums:
            text = _remove(plan, text, kind, name)
    return text


def _sync_services(inventory: Inventory, plan: DocsPlan, text: str) -> str:
    documented: set[str] = set()
    for service in inventory.services:
        doc = ArchitectureDoc(text, plan.path)
        entry = doc.services().get(service.name)
        if entry is not None and not entry.managed:
            plan.hand_written.append(f"service {service.name} ({plan.path}:{entry.line})")
            documented.add(service.name)
            continue
        if not can_mark(service.name):
            plan.notes.append(
                f"service {service.name}: skf cannot keep a block for this name (it is not an "
                "identifier); document it by hand"
            )
            continue
        facts = service_facts(inventory, service, existing_summary(doc, service.name))
        if facts is None:
            plan.notes.append(
                f"service {service.name}: skf could not find its claim, model, status enum "
                "and the four statuses, so it cannot write its section (see `skf check`)"
            )
            documented.add(service.name)
            continue
        documented.add(service.name)
        text = _put(plan, text, "service", service.name, render_service_block(facts))
    for kind, name in ArchitectureDoc(text, plan.path).blocks:
        if kind == "service" and name not in documented:
            text = _remove(plan, text, kind, name)
    return text


def _put(plan: DocsPlan, text: str, kind: str, name: str, body: str) -> str:
    doc = ArchitectureDoc(text, plan.path)
    old = doc.block_text(kind, name)
    if old == body:
        plan.in_sync.append(f"{kind} {name}")
        return text
    if old is None:
        plan.drift.append(Drift(kind, name, "missing"))
    else:
        plan.drift.append(Drift(kind, name, "changed", tuple(differences(old, body))))
    return doc.with_block(kind, name, body)


def _remove(plan: DocsPlan, text: str, kind: str, name: str) -> str:
    plan.drift.append(Drift(kind, name, "stale"))
    return ArchitectureDoc(text, plan.path).without_block(kind, name)


def _rows(text: str) -> dict[str, list[str]]:
    """Table rows keyed by their first cell's code span: `| \\`KEY\\` | a | b |` -> [a, b]."""
    rows = table_rows(text)
    return {key: [cell.strip() for cell in rest.split("|")] for key, rest in rows.items()}


def differences(doc_block: str, code_block: str) -> list[str]:
    """What differs between a block as the doc has it and as the code gives it, in words."""
    found: list[str] = []
    old_rows, new_rows = _rows(doc_block), _rows(code_block)
    for key, cells in new_rows.items():
        if key not in old_rows:
            found.append(f"`{key}` is not listed")
        elif old_rows[key] != cells:
            found.append(_row_change(key, old_rows[key], cells))
    found.extend(
        f"`{key}` is listed, but not in the code" for key in old_rows if key not in new_rows
    )
    old_lines = [line for line in doc_block.splitlines() if not TABLE_ROW.match(line.strip())]
    new_lines = [line for line in code_block.splitlines() if not TABLE_ROW.match(line.strip())]
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = " / ".join(line.strip() for line in old_lines[a1:a2] if line.strip())
        after = " / ".join(line.strip() for line in new_lines[b1:b2] if line.strip())
        if before or after:
            found.append(f"doc says {before or '(nothing)'!r}, code gives {after or '(nothing)'!r}")
    return found


def _row_change(key: str, old: list[str], new: list[str]) -> str:
    if len(old) == len(new) == 2 and old[1] == new[1]:
        return f"`{key}` default is {old[0]} in the doc, {new[0]} in the code"
    return f"`{key}`: doc says {' | '.join(old)!r}, code gives {' | '.join(new)!r}"
