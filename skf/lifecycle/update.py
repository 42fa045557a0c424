"""`skf update`: bring generated services (and the host's files) to the current template.

For each service whose record is behind, the old version is rendered with the recorded
answers (base) and the new one with the same answers plus what the new version adds
(theirs); each rendered file is merged three ways into the file as it is (ours,
`skf.lifecycle.merge`):
- a change on one side only applies; conflicting hunks get conflict markers (or, with
  `conflict="rej"`, the file keeps its own lines and the template's hunks go to `<file>.rej`);
- the handler region (`# skf:begin handler` ... `# skf:end handler`) is the developer's: it
  is kept as it is whatever the template does inside it;
- a file the developer deleted stays deleted; a file new in the template is created; a file
  the template dropped is deleted if unchanged since it was generated, else kept and reported;
- shared files (settings, compose, startup, models, docs) are not text-merged: their patches
  run again (`skf.generate.service.patch_shared_files`), adding what the new version adds
  (a setting, say) and leaving what exists as it is;
- the record gets the new version and answers.
The host's files skf owns (runtime module, session module, test fixtures) are updated the
same way by `skf.lifecycle.host_update` (`--host`, and with `--all`). Everything, for every
service asked for and the host, goes into one ChangeSet: all or nothing.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import libcst as cst

from skf import git
from skf.changes import ChangeSet
from skf.config import Layout
from skf.errors import ProjectError, UsageError
from skf.generate import pyfile, record
from skf.generate.host_record import HOST_RECORD, read_host_record
from skf.generate.service import module_path, patch_shared_files, template_answers
from skf.generate.spec import ServiceSpec
from skf.generate.versions import TemplateSource, TemplateVersion
from skf.lifecycle.host_update import ADOPT, plan_host_update
from skf.lifecycle.merge_files import (
    ConflictStyle,
    FileOutcome,
    PartUpdate,
    merge_file,
    render_version,
)
from skf.lifecycle.records import load_record, spec_from_record
from skf.project.files import ProjectFiles
from skf.project.literals import literal_value


@dataclass
class ServiceUpdate(PartUpdate):
    service: str = field(kw_only=True)


HostScope = Literal["skip", "if recorded", "required"]
"""Whether an update takes the host's files (skf.lifecycle.host_update) too: not at all,
when the host has a record (`--all`), or necessarily (`--host`: no record is an error)."""


@dataclass
class UpdatePlan:
    changes: ChangeSet
    updated: list[ServiceUpdate] = field(default_factory=list)
    current: list[str] = field(default_factory=list)
    """Services already at the current version: nothing to do."""
    version: int = 0
    """The current template version."""
    host: PartUpdate | None = None
    """The host files' update, if any of them was behind."""
    host_current: bool = False
    """The host files were asked for and are all current: nothing to do."""
    notes: list[str] = field(default_factory=list)

    @property
    def conflicted(self) -> list[FileOutcome]:
        host = self.host.conflicted if self.host is not None else []
        return [outcome for update in self.updated for outcome in update.conflicted] + host


def plan_update(
    layout: Layout,
    names: Sequence[str] | None = None,
    *,
    host: HostScope = "skip",
    source: TemplateSource | None = None,
    conflict: ConflictStyle = "merge",
    files: ProjectFiles | None = None,
) -> UpdatePlan:
    """The update of the services `names` (None: every recorded one) and, as `host` says,
    of the host's files, as one ChangeSet."""
    source = source or TemplateSource.default()
    files = files or ProjectFiles(layout)
    chosen = list(dict.fromkeys(names)) if names is not None else record.names(layout)
    host_record = read_host_record(layout) if host != "skip" else None
    if host == "required" and host_record is None:
        raise UsageError(
            f"the host has no record ({HOST_RECORD}) of the files skf keeps current: {ADOPT}"
        )
    if not chosen and host_record is None:
        raise UsageError(f"no generated services to update (no records in {record.RECORDS_DIR})")
    plan = UpdatePlan(ChangeSet(layout.root), version=source.current)
    if host == "if recorded" and host_record is None:
        plan.notes.append(
            f"the host's files were not updated: it has no record ({HOST_RECORD}); {ADOPT}"
        )
    for name in chosen:
        recorded = load_record(layout, name)
        if recorded.template_version == source.current:
            plan.current.append(name)
            continue
        if recorded.template_version > source.current:
            raise UsageError(
                f"service {name} was generated from template v{recorded.template_version}, "
                f"newer than {source.origin}'s v{source.current}: upgrade skf"
            )
        plan.updated.append(
            _update_service(layout, files, source, recorded, plan.changes, conflict)
        )
    if host_record is not None:
        plan.host = plan_host_update(
            layout, host_record, plan.changes, source=source, conflict=conflict, files=files
        )
        plan.host_current = plan.host is None
    return plan


def _update_service(
    layout: Layout,
    files: ProjectFiles,
    source: TemplateSource,
    recorded: record.ServiceRecord,
    changes: ChangeSet,
    conflict: ConflictStyle,
) -> ServiceUpdate:
    spec = spec_from_record(layout, recorded, files)
    module = module_path(layout, spec)
    if changes.read_bytes(module) is None:
        raise UsageError(
            f"service {spec.service_name}'s module {module} is gone; `skf remove service "
            f"{spec.service_name}` removes the rest of it"
        )
    old, new = recorded.template_version, source.current
    update = ServiceUpdate(old, new, service=spec.service_name)
    data, _base = template_answers(layout, spec, files)
    # Answers a newer skf computes that the record lacks join it; the recorded ones win.
    answers = {**spec.template_data(), **recorded.answers}
    rendered = {**data, **answers}  # `data` holds the layout answers and the spec's
    with source.open(old) as old_version, source.open(new) as new_version:
        base = render_version(old_version, "service", rendered)
        theirs = render_version(new_version, "service", rendered)
        labels = (f"template v{old}", f"template v{new}")
        for path in sorted(set(base) | set(theirs)):
            outcome = merge_file(changes, path, base.get(path), theirs.get(path), labels, conflict)
            if outcome is not None:
                update.files.append(outcome)
        settings = _settings(recorded, new_version)
        before = {path: changes.read_bytes(path) for path in _shared_paths(layout, spec)}
        current = _current_defaults(changes, layout, spec, new_version)
        documented = replace(spec, settings={**settings, **current})
        notes = patch_shared_files(layout, documented, changes, new_version.settings)
        update.shared = [p for p, data in before.items() if changes.read_bytes(p) != data]
    # The patches' notes are about migrations: worth saying only when a model changed.
    models = {spec.model_path, layout.module_path(spec.status_enum_module)}
    update.notes = notes if models & set(update.shared) else []
    # A file the user deleted stays deleted (merge_file), so it is not among these.
    created = [path for path in theirs if changes.read_bytes(path) is not None]
    new_record = record.ServiceRecord(
        service=spec.service_name,
        template_version=new,
        answers=answers,
        settings=settings,
        added_statuses=recorded.added_statuses,
        created=sorted(created),
        modified=sorted(set(recorded.modified) | set(update.shared)),
    )
    changes.write(record.record_path(spec.service_name), record.dump(new_record))
    return update


def _settings(recorded: record.ServiceRecord, version: TemplateVersion) -> dict[str, Any]:
    """The recorded settings plus the defaults of those the new version adds."""
    defaults = {setting.answer: setting.default for setting in version.settings}
    return {**defaults, **recorded.settings}


def _shared_paths(layout: Layout, spec: ServiceSpec) -> list[str]:
    paths = [
        layout.settings_module,
        layout.startup_module,
        layout.compose_file,
        layout.architecture_doc,
        layout.models_init,
    ]
    if not spec.new_model:
        paths.append(spec.model_path)
        paths.append(layout.module_path(spec.status_enum_module))
    return list(dict.fromkeys(paths))


def _current_defaults(
    changes: ChangeSet, layout: Layout, spec: ServiceSpec, version: TemplateVersion
) -> dict[str, Any]:
    """The defaults the Settings class holds now for the service's fields (the docs section
    is rendered from these, so that values tuned since generation are documented as they
    are)."""
    source = pyfile.read_source(changes, layout.settings_module, layout.settings_import, "settings")
    node = pyfile.top_level_class(source.module, layout.settings_class)
    if node is None:
        return {}
    fields = {setting.env_name(spec.service_name): setting for setting in version.settings}
    found: dict[str, Any] = {}
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.AnnAssign) or small.value is None:
                continue
            target = small.target
            setting = fields.get(target.value) if isinstance(target, cst.Name) else None
            if setting is None:
                continue
            value = literal_value(small.value)
            if isinstance(value, bool | int | float):
                found[setting.answer] = value
    return found


# -- uncommitted changes ---------------------------------------------------------------------


def uncommitted(layout: Layout, paths: Sequence[str]) -> list[str]:
    """Which of `paths` have changes git has not committed (modified, staged or untracked).

    Empty when the project is not in a git work tree (or git is not installed): there is
    then nothing to compare with.
    """
    if not paths:
        return []
    where = git.run(layout.root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    if where is None or where.returncode != 0:
        return []
    inside, _, prefix = where.stdout.decode(errors="replace").partition("\n")
    if inside.strip() != "true":
        return []
    prefix = prefix.strip()  # the project's directory within the repository ("" at its root)
    status = git.run(
        layout.root,
        "--no-optional-locks",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *paths,
    )
    if status is None or status.returncode != 0:
        error = status.stderr if status is not None else b"git is not installed"
        raise ProjectError(f"git status failed: {git.first_line(error)}")
    dirty: list[str] = []
    skip = False
    for entry in git.z_items(status.stdout):
        if skip or len(entry) < 4:
            skip = False
            continue
        code, name = entry[:2], entry[3:]
        skip = "R" in code or "C" in code  # a rename is followed by its source path
        dirty.append(name.removeprefix(prefix))
    return sorted(set(dirty))


def refuse_uncommitted(layout: Layout, changes: ChangeSet) -> None:
    dirty = uncommitted(layout, changes.paths)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise UsageError(
            f"uncommitted changes in {shown}, which skf update would change; commit them "
            "first (or pass --allow-dirty)"
        )
