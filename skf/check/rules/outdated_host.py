"""SKF209 outdated-host: the host files skf keeps current are at the current template."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.errors import ProjectError
from skf.generate import host_record
from skf.generate.host_record import HOST_RECORD, HostRecord, host_files
from skf.generate.versions import TEMPLATE_DIR, TemplateSource, read_version
from skf.project.inventory import Inventory

_CURRENT = read_version(TEMPLATE_DIR)
_BEHIND = 1  # the first version: version 2 re-cut the runtime module


def _record(versions: dict[str, int]) -> str:
    return host_record.dump(HostRecord(versions, skf_version="0.1.0"))


_ALL_CURRENT = _record(
    {
        "src/session/async_session.py": _CURRENT,
        "src/status_queue.py": _CURRENT,
        "tests/conftest.py": _CURRENT,
    }
)
_RUNTIME_BEHIND = _record(
    {
        "src/session/async_session.py": _CURRENT,
        "src/status_queue.py": _BEHIND,
        "tests/conftest.py": _CURRENT,
    }
)


class OutdatedHost(Rule):
    code = "SKF209"
    name = "outdated-host"
    checklist_item: ClassVar[int | None] = None
    summary = (
        "The host files skf keeps current (runtime module, session module, test fixtures) are "
        "at the current template version."
    )
    what_it_does = (
        f"Reads the host record (`{HOST_RECORD}`, written by `skf init`: the files it created "
        "or found to be a template version's render) and reports each file it lists that an "
        "older template version rendered when the current version renders it differently, "
        "with the `skf update --host` command that merges what changed into it (hand edits "
        "kept). A host without a record is not judged: `skf init` writes one."
    )
    why_is_this_bad = (
        "The runtime module holds the mechanics every service runs on (claim, guarded finish, "
        "retry, rescue), the session module the connection handling, the fixtures what the "
        "generated tests stand on. Template versions fix and speed them up; a host that keeps "
        "an old version's copy keeps its bugs whatever version its services are at, and the "
        "further behind it falls the harder the merge."
    )
    VALID = (Example(files={HOST_RECORD: _ALL_CURRENT}, focus=HOST_RECORD),)
    INVALID = (
        Example(
            files={HOST_RECORD: _RUNTIME_BEHIND},
            focus=HOST_RECORD,
            expected_lines=(8,),
            note="The runtime module is an older template version's render.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        layout = inventory.layout
        file = layout.path(HOST_RECORD)
        if not file.is_file():
            return
        text = file.read_text(encoding="utf-8")
        try:
            recorded = host_record.load(text)
        except ProjectError:
            return  # `skf update --host` reports a broken record when it needs it
        source = TemplateSource.default()
        current = source.current
        owned = host_files(layout)
        lines = text.splitlines()
        for path, version in sorted(recorded.files.items()):
            known = owned.get(path)
            if known is None or version >= current:
                continue
            if source.renders_alike(version, current, known.template.__eq__, "host"):
                continue  # the versions since changed nothing in this file
            line = next(
                (
                    number
                    for number, content in enumerate(lines, start=1)
                    if content.strip().startswith(f"{path}:")
                ),
                None,
            )
            yield self.finding(
                f"{path} (the host's {known.what}) is template v{version}'s, and template "
                f"v{current} changed it: run `skf update --host` to merge what changed",
                HOST_RECORD,
                (line, 3, line, 3 + len(path)) if line else None,
                symbol=path,
            )
