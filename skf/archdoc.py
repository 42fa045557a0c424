"""The architecture doc (BACKGROUND_SERVICES_ARCHITECTURE.md): reading it and editing its blocks.

skf owns only marker-delimited blocks:

    <!-- skf:begin service email_sender -->
    ### email_sender
    ...
    <!-- skf:end service email_sender -->

and the same with `enum <EnumClass>` for the entries of the `## Authoritative ENUMs` section.
Everything outside the markers is the team's prose and is never rewritten. Reading is
tolerant: hand-written `### Name` subsections (no markers) count as documentation too, so a
project that documents its services by hand is checked fairly.
"""

import re
from dataclasses import dataclass, field

from skf.errors import ProjectError

ENUMS_HEADING = "## Authoritative ENUMs"
SERVICES_HEADING = "## Services"

# The names skf's block markers can carry: a block for any other name could not be found again.
_MARKER_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_BEGIN = re.compile(rf"^<!-- skf:begin (enum|service) ({_MARKER_NAME}) -->\s*$")
_END = re.compile(rf"^<!-- skf:end (enum|service) ({_MARKER_NAME}) -->\s*$")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_H3 = re.compile(r"^###\s+(.+?)\s*#*\s*$")
_CODE = re.compile(r"`([^`\n]+)`")
# A table row whose first cell is code (`| `EMAIL_SENDER_BATCH_SIZE` | 50 | ... |`): the rows
# of a service's settings table and of an enum's values table.
TABLE_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|\s*$")
# The note after a status's meaning that names the services monitoring it.
_MONITORED_BY = re.compile(r"\s*\(monitored by ([^)]*)\)")
_ENV_VAR = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
_ENUMS_TITLE = re.compile(r"authoritative\s+enums?\b", re.IGNORECASE)


def can_mark(name: str) -> bool:
    """Whether skf can keep a block for `name` (its markers carry only such names)."""
    return re.fullmatch(_MARKER_NAME, name) is not None


def table_rows(text: str) -> dict[str, str]:
    r"""The rows of `text` whose first cell is code, keyed by that code: the rest of the row
    (`| \`Queued\` | waiting |` -> {"Queued": "waiting"}), stripped."""
    rows: dict[str, str] = {}
    for line in text.splitlines():
        if match := TABLE_ROW.match(line.strip()):
            rows[match.group(1)] = match.group(2).strip()
    return rows


def split_monitored(meaning: str) -> tuple[str, list[str]]:
    """A status's meaning without its "(monitored by a, b)" note, and the services it names."""
    match = _MONITORED_BY.search(meaning)
    if match is None:
        return meaning.strip(), []
    rest = (meaning[: match.start()] + meaning[match.end() :]).strip()
    return rest, [name.strip() for name in match.group(1).split(",") if name.strip()]


def with_monitored(meaning: str, services: list[str]) -> str:
    """`meaning` followed by the note naming `services` (none: no note)."""
    if not services:
        return meaning
    return f"{meaning} (monitored by {', '.join(services)})".strip()


@dataclass(frozen=True)
class Block:
    kind: str
    name: str
    begin: int
    """0-based line index of the begin marker."""
    end: int
    """0-based line index of the end marker."""


@dataclass(frozen=True)
class EnumEntry:
    """One enum as the Authoritative ENUMs section lists it."""

    name: str
    line: int
    """1-based line of its heading."""
    values: tuple[str, ...]
    managed: bool


@dataclass(frozen=True)
class ServiceEntry:
    """One service's section."""

    name: str
    line: int
    text: str
    managed: bool
    env_vars: frozenset[str] = field(default_factory=frozenset)
    code_spans: frozenset[str] = field(default_factory=frozenset)


def _strip_heading(title: str) -> str:
    return _CODE.sub(lambda m: m.group(1), title).strip()


class ArchitectureDoc:
    """A parsed architecture doc; edits return new text and never touch unmanaged lines."""

    def __init__(self, text: str, path: str = "architecture doc") -> None:
        self.text = text
        self.path = path
        self.lines = text.splitlines(keepends=True)
        self.blocks = self._find_blocks()

    def _find_blocks(self) -> dict[tuple[str, str], Block]:
        blocks: dict[tuple[str, str], Block] = {}
        open_block: tuple[str, str, int] | None = None
        for index, line in enumerate(self.lines):
            if begin := _BEGIN.match(line):
                if open_block is not None:
                    raise ProjectError(
                        f"{self.path}:{index + 1}: skf:begin inside the unclosed block "
                        f"{open_block[0]} {open_block[1]}"
                    )
                open_block = (begin.group(1), begin.group(2), index)
            elif end := _END.match(line):
                if open_block is None or (end.group(1), end.group(2)) != open_block[:2]:
                    raise ProjectError(f"{self.path}:{index + 1}: unmatched skf:end marker")
                key = (open_block[0], open_block[1])
                if key in blocks:
                    raise ProjectError(
                        f"{self.path}:{index + 1}: duplicate block {key[0]} {key[1]}"
                    )
                blocks[key] = Block(open_block[0], open_block[1], open_block[2], index)
                open_block = None
        if open_block is not None:
            raise ProjectError(
                f"{self.path}:{open_block[2] + 1}: skf:begin {open_block[0]} {open_block[1]} "
                "has no skf:end"
            )
        return blocks

    # -- sections ------------------------------------------------------------------------

    def _h2_sections(self) -> list[tuple[str, int, int]]:
        """(title, first line index, end line index exclusive) of every `## ` section."""
        starts = [
            (match.group(1), index)
            for index, line in enumerate(self.lines)
            if (match := _H2.match(line)) and not line.startswith("###")
        ]
        return [
            (title, start, starts[n + 1][1] if n + 1 < len(starts) else len(self.lines))
            for n, (title, start) in enumerate(starts)
        ]

    def enums_section(self) -> tuple[int, int] | None:
        for title, start, end in self._h2_sections():
            if _ENUMS_TITLE.search(title):
                return start, end
        return None

    def _h3_subsections(self, start: int, end: int) -> list[tuple[str, int, int]]:
        heads = [
            (_strip_heading(match.group(1)), index)
            for index in range(start, end)
            if (match := _H3.match(self.lines[index]))
        ]
        return [
            (title, head, heads[n + 1][1] if n + 1 < len(heads) else end)
            for n, (title, head) in enumerate(heads)
        ]

    # -- reading -------------------------------------------------------------------------

    def enums(self) -> dict[str, EnumEntry]:
        """Enums listed in the Authoritative ENUMs section, by class (heading) name.

        Values are the code spans in the first cell of table rows or at the start of list
        items: `| \\`Queued\\` | ... |` or `- \\`Queued\\`: ...`.
        """
        section = self.enums_section()
        if section is None:
            return {}
        entries: dict[str, EnumEntry] = {}
        for title, head, end in self._h3_subsections(*section):
            name = title.split()[0] if title else title
            values: list[str] = []
            for line in self.lines[head + 1 : end]:
                stripped = line.strip()
                if stripped.startswith("|"):
                    cell = stripped.strip("|").split("|")[0]
                elif stripped.startswith(("- ", "* ", "+ ")):
                    cell = stripped[2:].split(":")[0].split(" — ")[0].split(" - ")[0]
                else:
                    continue
                values.extend(match.group(1) for match in _CODE.finditer(cell))
            managed = ("enum", name) in self.blocks
            entries[name] = EnumEntry(name, head + 1, tuple(values), managed)
        return entries

    def services(self) -> dict[str, ServiceEntry]:
        """Service sections by name: managed blocks, and any `### <name>` heading outside the
        ENUMs section (a hand-written section)."""
        enums = self.enums_section()
        entries: dict[str, ServiceEntry] = {}
        for _title, start, end in self._h2_sections():
            if enums is not None and start == enums[0]:
                continue
            for title, head, stop in self._h3_subsections(start, end):
                name = title.split()[0] if title else title
                text = "".join(self.lines[head:stop])
                entries[name] = ServiceEntry(
                    name,
                    head + 1,
                    text,
                    ("service", name) in self.blocks,
                    frozenset(_ENV_VAR.findall(text)),
                    frozenset(_CODE.findall(text)),
                )
        return entries

    def block_text(self, kind: str, name: str) -> str | None:
        block = self.blocks.get((kind, name))
        if block is None:
            return None
        return "".join(self.lines[block.begin + 1 : block.end])

    # -- editing -------------------------------------------------------------------------

    def with_block(self, kind: str, name: str, body: str) -> str:
        """The doc with block (`kind`, `name`) holding `body`: replaced in place when it
        exists, else added at the end of its section (created at the end if missing)."""
        body = body if body.endswith("\n") else body + "\n"
        wrapped = [
            f"<!-- skf:begin {kind} {name} -->\n",
            *body.splitlines(keepends=True),
            f"<!-- skf:end {kind} {name} -->\n",
        ]
        lines = list(self.lines)
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        existing = self.blocks.get((kind, name))
        if existing is not None:
            lines[existing.begin : existing.end + 1] = wrapped
            return "".join(lines)
        insert_at = self._insertion_point(kind)
        if insert_at is None:
            heading = ENUMS_HEADING if kind == "enum" else SERVICES_HEADING
            if lines and lines[-1].strip():
                lines.append("\n")
            lines.extend([f"{heading}\n", "\n", *wrapped])
            return "".join(lines)
        # Keep one blank line between the block and its neighbours.
        while insert_at > 0 and not lines[insert_at - 1].strip():
            insert_at -= 1
        addition = ["\n", *wrapped]
        if insert_at < len(lines) and lines[insert_at].strip():
            addition.append("\n")
        lines[insert_at:insert_at] = addition
        return "".join(lines)

    def _insertion_point(self, kind: str) -> int | None:
        if kind == "enum":
            section = self.enums_section()
            return None if section is None else section[1]
        for title, _start, end in self._h2_sections():
            if title.strip().lower() == SERVICES_HEADING[3:].lower():
                return end
        return None

    def without_block(self, kind: str, name: str) -> str:
        """The doc without block (`kind`, `name`) and the blank line that separated it."""
        block = self.blocks.get((kind, name))
        if block is None:
            return self.text
        lines = list(self.lines)
        begin, end = block.begin, block.end + 1
        if begin > 0 and not lines[begin - 1].strip():
            begin -= 1
        elif end < len(lines) and not lines[end].strip():
            end += 1
        del lines[begin:end]
        return "".join(lines)


@dataclass(frozen=True)
class ServiceFacts:
    """What a service's docs section states (from the generator's answers or the inventory)."""

    name: str
    summary: str
    module_path: str
    job_function: str
    job_id: str
    setup_function: str
    model: str
    table: str
    status_column: str
    status_enum: str
    monitored: str
    processing: str
    completed: str
    error: str
    env: tuple[tuple[str, str, str], ...]
    """(env var, default as written, meaning) per setting."""
    retries: bool = True


@dataclass(frozen=True)
class EnumFacts:
    name: str
    type_name: str | None
    """The database type name (native enum), if any."""
    used_by: tuple[str, ...]
    """`table.column` places that store it."""
    values: tuple[str, ...]
    meanings: dict[str, str] = field(default_factory=dict)


def render_service_block(facts: ServiceFacts) -> str:
    sets = (
        f"`{facts.processing}` while working, `{facts.completed}` on success, "
        + (f"`{facts.monitored}` again for a retry, " if facts.retries else "")
        + f"`{facts.error}` once attempts are spent"
    )
    lines = [
        f"### {facts.name}",
        "",
        facts.summary,
        "",
        f"- Module: `{facts.module_path}`",
        f"- Job: `{facts.job_function}` (job id `{facts.job_id}`)",
        f"- Registration: `{facts.setup_function}()`",
        f"- Model / table: `{facts.model}` / `{facts.table}`",
        f"- Status column: `{facts.status_column}` (`{facts.status_enum}`)",
        f"- Monitors: `{facts.monitored}`",
        f"- Sets: {sets}",
        "",
        "| Environment variable | Default | Meaning |",
        "| --- | --- | --- |",
        *(f"| `{env}` | {default} | {meaning} |" for env, default, meaning in facts.env),
    ]
    return "\n".join(lines) + "\n"


def render_enum_block(facts: EnumFacts) -> str:
    used = ", ".join(f"`{place}`" for place in facts.used_by) or "no column yet"
    kind = f"Column type `{facts.type_name}`; used by " if facts.type_name else "Used by "
    lines = [
        f"### {facts.name}",
        "",
        f"{kind}{used}.",
        "",
        "| Value | Meaning |",
        "| --- | --- |",
        *(f"| `{value}` | {facts.meanings.get(value, '')} |" for value in facts.values),
    ]
    return "\n".join(lines) + "\n"
