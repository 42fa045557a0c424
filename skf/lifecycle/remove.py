"""`skf remove service NAME`: revoke everything `skf new service` added, as one ChangeSet.

From the service's record: the files it created (module, tests, a new model), its settings
fields, compose entries, startup call, docs block, the record itself; the bookkeeping columns
and indexes it added to an existing model and the enum members it added; a new model's export
and its enum's docs block. Each is undone by the inverse of the patch that added it (in the
same module as that patch), so `new` then `remove` gives the project back byte for byte.

Nothing is removed that something else still uses: another service's record naming the same
model or statuses, or code outside the service's own files that reads one of its settings,
imports the model it created or names a status it added. That is refused, saying what is
used and by whom; the user decides.
"""

import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from skf.archdoc import ArchitectureDoc
from skf.changes import ChangeSet
from skf.config import Layout
from skf.errors import UsageError
from skf.generate import (
    compose_patch,
    docs_patch,
    imports,
    model_patch,
    record,
    settings_patch,
)
from skf.generate.service import bookkeeping, enum_use
from skf.generate.spec import ServiceSpec
from skf.generate.startup_patch import unregister_setup_call
from skf.lifecycle.records import load_record, spec_from_record
from skf.project.files import ProjectFiles
from skf.project.source import ParseFailure, SourceFile
from skf.service_settings import SERVICE_SETTINGS
from skf.vocabulary import ROLES


@dataclass
class RemovePlan:
    service: str
    changes: ChangeSet
    deleted: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def settings_fields(recorded: record.ServiceRecord) -> list[str]:
    """The Settings fields of the service: every setting its version had (a version's own
    settings are named `<SERVICE>_<ANSWER>`, like the others; see skf.generate.versions)."""
    answers = [s.answer for s in SERVICE_SETTINGS]
    answers += [answer for answer in recorded.settings if answer not in answers]
    return [f"{recorded.service.upper()}_{answer.upper()}" for answer in answers]


def plan_remove(layout: Layout, name: str, files: ProjectFiles | None = None) -> RemovePlan:
    files = files or ProjectFiles(layout)
    recorded = load_record(layout, name)
    spec = spec_from_record(layout, recorded, files)
    changes = ChangeSet(layout.root)
    record_file = record.record_path(name)
    own = [path for path in recorded.created if changes.exists(path)]
    fields = settings_fields(recorded)
    added = tuple(status["member"] for status in recorded.added_statuses)
    _refuse_shared(layout, files, recorded, spec, set(own), fields, added)

    for path in [*own, record_file]:
        changes.delete(path)
    plan = RemovePlan(name, changes, deleted=[*own, record_file])
    settings = settings_patch.remove_settings_fields(
        changes,
        path=layout.settings_module,
        module_name=layout.settings_import,
        class_name=layout.settings_class,
        names=fields,
    )
    compose_patch.remove_environment(
        changes,
        path=layout.compose_file,
        service=layout.compose_service,
        names=[settings.env_prefix + field_name for field_name in fields],
        comment=f"{name} background service",
    )
    unregister_setup_call(
        changes,
        path=layout.startup_module,
        module_name=layout.module_name(layout.startup_module),
        function=layout.startup_function,
        setup_module=f"{layout.services_import}.{name}_scheduler",
        setup_function=spec.setup_function,
    )
    _remove_from_models(layout, spec, recorded, changes, added)
    _remove_docs(layout, spec, recorded, changes, plan)
    plan.modified = [c.path for c in changes.changes() if c.kind == "modify"]
    return plan


def _remove_from_models(
    layout: Layout,
    spec: ServiceSpec,
    recorded: record.ServiceRecord,
    changes: ChangeSet,
    added: tuple[str, ...],
) -> None:
    if spec.new_model:
        package = layout.models_init
        model_patch.unexport_model(
            changes, package, layout.models_import, spec.model_module,
            [spec.model_class, spec.status_enum],
        )  # fmt: skip
        return
    if spec.model_path in recorded.modified:
        model_patch.remove_bookkeeping(
            changes, spec.model_path, spec.model_module, bookkeeping(layout, spec)
        )
    if added:
        enum_path = layout.module_path(spec.status_enum_module)
        model_patch.remove_enum_members(
            changes, enum_path, spec.status_enum_module, spec.status_enum, added
        )


def _remove_docs(
    layout: Layout,
    spec: ServiceSpec,
    recorded: record.ServiceRecord,
    changes: ChangeSet,
    plan: RemovePlan,
) -> None:
    path = layout.architecture_doc
    if not docs_patch.undocument_service(changes, path, spec.service_name):
        doc = changes.read(path)
        if doc is not None and f"### {spec.service_name}" in doc:
            plan.notes.append(
                f"{path} keeps its hand-written section on {spec.service_name}: edit it by hand"
            )
    removed_values = tuple(str(status["value"]) for status in recorded.added_statuses)
    use = enum_use(spec)
    if spec.new_model:
        # The enum goes with the model that defines it, whatever its section says now.
        text = changes.read(path)
        if text is not None:
            changes.write(path, ArchitectureDoc(text, path).without_block("enum", spec.status_enum))
        return
    docs_patch.undocument_enum(changes, path, use, removed_values)


# -- what else still uses the service's pieces -----------------------------------------------


def _refuse_shared(
    layout: Layout,
    files: ProjectFiles,
    recorded: record.ServiceRecord,
    spec: ServiceSpec,
    own: set[str],
    fields: list[str],
    added: tuple[str, ...],
) -> None:
    name = recorded.service
    for other_record in record.others(layout, name):
        other_name, other = other_record.service, other_record.answers
        if spec.new_model and other.get("model_module") == spec.model_module:
            raise UsageError(
                f"cannot remove {name}: service {other_name} still uses the model "
                f"{spec.model_class} that {name} created"
            )
        same_enum = other.get("status_enum_module") == spec.status_enum_module and other.get(
            "status_enum"
        ) == (spec.status_enum)
        used = {str(other.get(f"{role}_member")) for role in ROLES} & set(added)
        if same_enum and used:
            raise UsageError(
                f"cannot remove {name}: service {other_name} still uses the status "
                f"{spec.status_enum}.{sorted(used)[0]} that {name} added"
            )
    skipped = own | {layout.settings_module}
    for path, what in _code_uses(layout, files, skipped, spec, fields, added):
        raise UsageError(f"cannot remove {name}: {what} is still used by {path}")


def _names_in(text: str) -> set[str]:
    try:
        return {
            token.string
            for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.NAME
        }
    except (tokenize.TokenError, SyntaxError):
        return set()


def _code_uses(
    layout: Layout,
    files: ProjectFiles,
    skipped: set[str],
    spec: ServiceSpec,
    fields: list[str],
    added: tuple[str, ...],
) -> Iterator[tuple[str, str]]:
    """(file, what it uses) for code outside the service's files that needs its pieces."""
    package = layout.models_init
    enum_module = layout.module_path(spec.status_enum_module)
    model_stem = spec.model_module.rpartition(".")[2]
    for path in files.python_files():
        if path in skipped:
            continue
        text = files.source(path).text
        used_fields = [f for f in fields if f in text and f in _names_in(text)]
        if used_fields:
            yield path, f"its setting {used_fields[0]}"
        imports_model = (
            spec.new_model
            and path != package
            and model_stem in text
            and _imports_module(files.source(path), spec.model_module)
        )
        if imports_model:
            yield path, f"the model {spec.model_class} it created ({spec.model_module})"
        if added and path != enum_module and any(member in text for member in added):
            member = _names_member(files.source(path), spec, added)
            if member is not None:
                yield path, f"the status {spec.status_enum}.{member} it added"


def _imports_module(source: SourceFile, module: str) -> bool:
    try:
        bound = imports.bindings(source)
    except ParseFailure:
        return False
    return any(name == module or name.startswith(module + ".") for name in bound)


def _names_member(source: SourceFile, spec: ServiceSpec, added: tuple[str, ...]) -> str | None:
    wanted = {f"{spec.status_enum_module}.{spec.status_enum}.{m}": m for m in added}
    found: list[str] = []

    class Attributes(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if node.attr.value in added:
                found.extend(wanted[q] for q in source.qualified_names(node) if q in wanted)

    try:
        source.module.visit(Attributes())
    except ParseFailure:
        return None
    return found[0] if found else None
