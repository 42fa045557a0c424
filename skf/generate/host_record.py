"""The host record, `.skf/host.yml`: which files of the template's host part skf keeps current.

`skf init` renders the host part (settings, scheduler, session factory, runtime module,
startup module, docs skeleton, compose file, test fixtures) into a codebase that lacks the
pieces. Most of them become the host's at once: services patch the settings, the startup
module, the compose file and the docs, and teams shape them. Three are mechanics the
generated services depend on and nobody needs to own: the runtime module (`StatusQueue`:
claim, guarded finish, retry, rescue), the session factory module and the test fixtures.
Those are skf's to keep current (`HOST_FILES`), like a service's own files: `skf update
--host` merges what each template version changes into them (skf.lifecycle.host_update).

The record lists those files with the template version each was last rendered or merged
from (its merge base). Format (YAML, one mapping):

    record_version: 1            # the format of this file
    skf_version: 0.1.0           # the skf that wrote it
    files:                       # POSIX path -> template version
      src/session/async_session.py: 3
      src/status_queue.py: 3
      tests/conftest.py: 3

The host part's version is the oldest of these. A version per file, not one for the host:
`skf init` records a file it creates at the current version and adopts a file it finds at
whichever version rendered it, byte for byte (`adopt`); a codebase can hold both at once.
The layout answers the files are rendered with are not recorded: as for services, they come
from `[tool.skf]` at render time.

Only a file that is a released version's render, byte for byte, is adopted: that version is
then a merge base that holds no hand edits, so the merge keeps every edit made since. A file
that matches no version is left to the host, and `skf init` says which version it is closest
to and how to hand it over.
"""

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from skf import __version__
from skf.config import Layout
from skf.errors import ProjectError
from skf.generate.record import read_yaml, write_yaml
from skf.generate.template import render
from skf.generate.versions import TemplateSource

RECORD_VERSION = 1
HOST_RECORD = ".skf/host.yml"
HEADER = (
    "# Written by skf init: the host files skf keeps current (`skf update --host`) and the\n"
    "# template version each was last rendered or merged from.\n"
    "# Format: skf/generate/host_record.py.\n"
)


@dataclass(frozen=True)
class HostFile:
    """A file of the host part that skf keeps current."""

    what: str
    template: str
    """The template file that renders it (relative to the template's root)."""
    place: Callable[[Layout], str]

    def path(self, layout: Layout) -> str:
        return self.place(layout)


HOST_FILES = (
    HostFile("runtime module", "host/{{ runtime_module }}.jinja", lambda lay: lay.runtime_module),
    HostFile("session module", "host/{{ session_module }}.jinja", lambda lay: lay.session_module),
    HostFile(
        "test fixtures",
        "host/{{ tests_dir }}/conftest.py.jinja",
        lambda lay: f"{lay.tests_dir}/conftest.py",
    ),
)


def host_files(layout: Layout) -> dict[str, HostFile]:
    """The files skf keeps current in the project at `layout`, by path."""
    return {file.path(layout): file for file in HOST_FILES}


@dataclass(frozen=True)
class HostRecord:
    files: Mapping[str, int]
    """Path -> the template version the file was last rendered or merged from."""
    skf_version: str = __version__
    record_version: int = RECORD_VERSION


def dump(record: HostRecord) -> str:
    data = {
        "record_version": record.record_version,
        "skf_version": record.skf_version,
        "files": dict(sorted(record.files.items())),
    }
    return write_yaml(HEADER, data)


def load(text: str) -> HostRecord:
    data = read_yaml(text, HOST_RECORD, "host", RECORD_VERSION)
    files = data.get("files") or {}
    if not isinstance(files, dict) or not all(
        isinstance(path, str) and type(version) is int and version >= 1
        for path, version in files.items()
    ):
        raise ProjectError(
            f"{HOST_RECORD}: malformed host record (files: a mapping of paths to versions)"
        )
    return HostRecord(files=dict(files), skf_version=str(data.get("skf_version", "")))


def read_host_record(layout: Layout) -> HostRecord | None:
    """The project's host record; None when it has none."""
    file = layout.path(HOST_RECORD)
    if not file.is_file():
        return None
    return load(file.read_text(encoding="utf-8"))


# -- adopting files that exist ---------------------------------------------------------------


@dataclass
class Adoption:
    adopted: dict[str, int] = field(default_factory=dict)
    """Path -> the version whose render the file is."""
    notes: list[str] = field(default_factory=list)
    """Why each other file was not adopted."""


def _differing_lines(ours: bytes, theirs: bytes) -> int:
    matcher = difflib.SequenceMatcher(None, ours.splitlines(), theirs.splitlines(), autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    )


def adopt(
    layout: Layout,
    candidates: Mapping[str, bytes],
    current: Mapping[str, bytes],
    answers: dict[str, str],
    source: TemplateSource,
) -> Adoption:
    """Which of `candidates` (host files as they are, by path) are a released version's
    render: the current one (`current`, already rendered) or, newest first, an older one
    (rendered only when needed)."""
    result = Adoption()
    renders: dict[int, dict[str, bytes]] = {source.current: dict(current)}

    def rendered(number: int) -> dict[str, bytes]:
        if number not in renders:
            with source.open(number) as version:
                renders[number] = render("host", answers, version.directory)
        return renders[number]

    what = host_files(layout)
    for path, data in candidates.items():
        match = next((n for n in reversed(source.versions) if rendered(n).get(path) == data), None)
        if match is not None:
            result.adopted[path] = match
            continue
        distances = {
            n: _differing_lines(data, rendered(n)[path])
            for n in source.versions
            if path in rendered(n)
        }
        if not distances:
            continue  # no version renders a file there: not skf's
        closest = min(reversed(distances), key=distances.__getitem__)
        result.notes.append(
            f"{path} is not the {what[path].what} of any template version (closest: "
            f"v{closest}, {distances[closest]} lines differ), so skf does not keep it "
            f"current; to hand it over, make it v{closest}'s (or delete it for the current "
            "one) and run skf init again"
        )
    return result
