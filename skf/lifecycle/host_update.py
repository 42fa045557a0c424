"""`skf update --host` (and `--all`): keep the host files skf owns at the current template.

The design. The mechanics every service shares live in the host, not in the services: the
runtime module (`StatusQueue`: claim, guarded finish, retry, rescue, run reports), the
session factory module and the test fixtures the generated tests use. `skf init` renders
them from the template's host part once; template versions go on changing them (version 2
re-cut the runtime's claim, version 3 the session module's connection check). A host that
kept version 1's files would run version 1's mechanics forever, whatever its services are
at. So those files are treated like a service's own files:

- which files: `skf.generate.host_record.HOST_FILES` (one place), and of those only the ones
  the host record `.skf/host.yml` lists. `skf init` lists a file when it creates it, or
  when it finds it to be a released version's render byte for byte (that version is then a
  clean merge base); a file skf cannot place stays the host's, and init says what differs.
  The other host files (settings, startup, scheduler, docs, compose, models) become the
  host's when init writes them: services patch them and teams shape them, so there is no
  render to merge from;
- the update: each recorded file behind the current version is merged three ways, exactly
  as a service's files are (`skf.lifecycle.merge_files`): base = its recorded version's
  render, theirs = the current render, both with the layout's answers as they are now;
  ours = the file. Hand edits stay, the template's changes apply, conflicting hunks get
  markers (or `.rej` files), a deleted file stays deleted (and leaves the record);
- the settings the session module reads (`skf.generate.host.HOST_SETTINGS`) are added, if
  missing, by the same patch `skf init` uses, rather than merged as text;
- the record's files move to the current version in the same ChangeSet as the merge (one
  all-or-nothing change with the services' updates; `--dry-run` shows it as a diff; the
  dirty-tree refusal covers these files like any other).

`skf check` reports recorded files behind the template (SKF209 outdated-host) with the
command to run. A version that changes only the host part leaves services alone: SKF208
compares what renders a service (`TemplateSource.renders_alike`), not version numbers.
"""

from collections.abc import Mapping

from skf.changes import ChangeSet
from skf.config import Layout
from skf.errors import UsageError
from skf.generate.host import add_host_settings, host_answers
from skf.generate.host_record import HOST_RECORD, HostRecord, dump, host_files
from skf.generate.versions import TemplateSource
from skf.lifecycle.merge_files import (
    ConflictStyle,
    PartUpdate,
    merge_file,
    render_version,
)
from skf.project.files import ProjectFiles
from skf.project.models import find_declarative_base

ADOPT = (
    f"run `skf init`: it records in {HOST_RECORD} the runtime module, session module and test "
    "fixtures that are a released template version's render (and says what differs in the "
    "others)"
)


def behind(record: HostRecord, source: TemplateSource) -> dict[str, int]:
    """The recorded files at an older version than the source's current one."""
    newer = {path: v for path, v in record.files.items() if v > source.current}
    if newer:
        path, version = next(iter(sorted(newer.items())))
        raise UsageError(
            f"{HOST_RECORD}: {path} is at template v{version}, newer than {source.origin}'s "
            f"v{source.current}: upgrade skf"
        )
    return {path: v for path, v in sorted(record.files.items()) if v < source.current}


def plan_host_update(
    layout: Layout,
    record: HostRecord,
    changes: ChangeSet,
    *,
    source: TemplateSource,
    conflict: ConflictStyle = "merge",
    files: ProjectFiles | None = None,
) -> PartUpdate | None:
    """Merge the current template into the recorded host files that are behind (None: every
    one is current), and move the record to the current version, into `changes`."""
    outdated = behind(record, source)
    if not outdated:
        return None
    files = files or ProjectFiles(layout)
    answers = host_answers(layout, find_declarative_base(files, layout.models_package))
    new = source.current
    update = PartUpdate(min(outdated.values()), new)
    renders: dict[int, dict[str, bytes]] = {}
    for number in sorted({*outdated.values(), new}):
        with source.open(number) as version:
            renders[number] = render_version(version, "host", answers)
    kept = _merge(layout, changes, update, outdated, renders, conflict)
    session = layout.session_module
    if session in kept and layout.path(layout.settings_module).is_file():  # kept: outdated
        before = changes.read_bytes(layout.settings_module)
        add_host_settings(changes, layout)
        if changes.read_bytes(layout.settings_module) != before:
            update.shared.append(layout.settings_module)
    recorded = {path: v for path, v in record.files.items() if path not in outdated}
    recorded.update(dict.fromkeys(kept, new))
    changes.write(HOST_RECORD, dump(HostRecord(recorded)))
    return update


def _merge(
    layout: Layout,
    changes: ChangeSet,
    update: PartUpdate,
    outdated: Mapping[str, int],
    renders: Mapping[int, Mapping[str, bytes]],
    conflict: ConflictStyle,
) -> list[str]:
    """Merge each outdated file; returns those skf goes on keeping current."""
    owned = host_files(layout)
    new = update.new
    kept: list[str] = []
    for path, old in outdated.items():
        base, theirs = renders[old].get(path), renders[new].get(path)
        if path not in owned or base is None or theirs is None:
            update.notes.append(
                f"{path} is not where [tool.skf] puts a file skf keeps current (moved?): "
                f"left as it is and dropped from {HOST_RECORD}; run `skf init` to record "
                "where it is now"
            )
            continue
        labels = (f"template v{old}", f"template v{new}")
        outcome = merge_file(changes, path, base, theirs, labels, conflict)
        if outcome is not None and outcome.action == "kept deleted":
            update.files.append(outcome)
            update.notes.append(
                f"{path} was deleted: skf no longer keeps it current ({HOST_RECORD} drops it)"
            )
            continue
        if outcome is not None:
            update.files.append(outcome)
        kept.append(path)
    return kept
