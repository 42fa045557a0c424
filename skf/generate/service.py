"""`skf new service`: everything a new service brings, as one ChangeSet.

`plan_service` renders the template for a validated ServiceSpec, then applies each shared-file
patch to the same ChangeSet (settings, startup, docker-compose, models, architecture doc) and
adds the service's record. Nothing is written here: the caller shows the diff or applies it.
"""

from dataclasses import dataclass, field

from skf.archdoc import ServiceFacts
from skf.changes import ChangeSet
from skf.config import Layout
from skf.errors import ProjectError, UsageError
from skf.generate import compose_patch, docs_patch, model_patch, record, settings_patch
from skf.generate.renderer import Renderer
from skf.generate.spec import ServiceSpec
from skf.generate.startup_patch import register_setup_call
from skf.generate.template import layout_data, template_dir
from skf.generate.versions import TemplateVersion
from skf.project.files import ProjectFiles
from skf.project.models import DeclarativeBaseInfo, find_declarative_base
from skf.service_settings import ServiceSetting, format_default
from skf.vocabulary import ROLE_MEANINGS, ROLES, Role


@dataclass
class ServicePlan:
    spec: ServiceSpec
    changes: ChangeSet
    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settings: tuple[ServiceSetting, ...] = ()
    """The settings the service got (every version's, and its template version's own)."""
    already_generated: bool = False
    """The record says this service was generated with these very answers: nothing to do."""


def module_path(layout: Layout, spec: ServiceSpec) -> str:
    return f"{layout.services_dir}/{spec.service_name}_scheduler.py"


def test_path(layout: Layout, spec: ServiceSpec) -> str:
    return f"{layout.tests_dir}/services/test_{spec.service_name}.py"


def current_template() -> TemplateVersion:
    return TemplateVersion.at(template_dir())


def service_record(
    spec: ServiceSpec,
    created: list[str],
    modified: list[str],
    template: TemplateVersion,
) -> record.ServiceRecord:
    return record.ServiceRecord(
        service=spec.service_name,
        template_version=template.number,
        answers=spec.template_data(),
        settings={s.answer: spec.setting_value(s) for s in template.settings},
        added_statuses=[{"member": s.member, "value": s.value} for s in spec.added_statuses],
        created=created,
        modified=modified,
    )


def _prerequisites(layout: Layout) -> None:
    pieces = {
        layout.runtime_module: "runtime module the services use",
        layout.scheduler_module: "shared scheduler",
        layout.session_module: "session factory module",
        layout.settings_module: "settings module",
        layout.startup_module: "startup module",
        layout.architecture_doc: "architecture doc",
        layout.compose_file: "compose file",
    }
    for path, what in pieces.items():
        if not layout.path(path).is_file():
            raise ProjectError(f"{path} is missing (the {what}); run `skf init` first")


def _refuse_conflicts(layout: Layout, spec: ServiceSpec, targets: list[str]) -> None:
    for path in targets:
        if layout.path(path).exists():
            raise UsageError(f"{path} already exists; skf new service never overwrites a file")
    for other in record.others(layout, spec.service_name):
        answers = other.answers
        same_column = (
            answers.get("model_module") == spec.model_module
            and answers.get("model_class") == spec.model_class
            and answers.get("status_column") == spec.status_column
        )
        if same_column:
            raise UsageError(
                f"{spec.model_class}.{spec.status_column} is already monitored by service "
                f"{other.service}; two services claiming one column would take each other's rows"
            )
        if answers.get("job_function") == spec.job_function:
            raise UsageError(
                f"job {spec.job_function!r} is already service {other.service}'s; "
                "give another with --data job_function=..."
            )


def _new_model_conflicts(layout: Layout, spec: ServiceSpec, files: ProjectFiles) -> None:
    prefix = layout.models_package.rstrip("/") + "/"
    for path in files.python_files():
        if not path.startswith(prefix):
            continue
        text = files.source(path).text
        if f'__tablename__ = "{spec.table}"' in text or f"__tablename__ = '{spec.table}'" in text:
            raise UsageError(f"table {spec.table!r} already belongs to a model in {path}")
        if f"class {spec.model_class}(" in text:
            raise UsageError(f"class {spec.model_class} already exists in {path}")


def _base(layout: Layout, files: ProjectFiles) -> tuple[DeclarativeBaseInfo | None, str]:
    base = find_declarative_base(files, layout.models_package)
    if base is None:
        return None, layout.models_import
    package = layout.models_init
    package_text = files.source(package).text if layout.path(package).is_file() else ""
    reexported = f"import {base.name}" in package_text or f" {base.name}," in package_text
    return base, layout.models_import if reexported else base.module


def template_answers(
    layout: Layout, spec: ServiceSpec, files: ProjectFiles
) -> tuple[dict[str, object], DeclarativeBaseInfo | None]:
    base, base_import = _base(layout, files)
    return {**layout_data(layout, base, base_import), **spec.template_data()}, base


def _facts(
    layout: Layout, spec: ServiceSpec, env_prefix: str, settings: tuple[ServiceSetting, ...]
) -> ServiceFacts:
    statuses = spec.statuses
    return ServiceFacts(
        name=spec.service_name,
        summary=spec.summary[:1].upper() + spec.summary[1:],
        module_path=module_path(layout, spec),
        job_function=spec.job_function,
        job_id=spec.job_function,
        setup_function=spec.setup_function,
        model=spec.model_class,
        table=spec.table,
        status_column=spec.status_column,
        status_enum=spec.status_enum,
        monitored=statuses[Role.MONITORED].value,
        processing=statuses[Role.PROCESSING].value,
        completed=statuses[Role.COMPLETED].value,
        error=statuses[Role.ERROR].value,
        env=tuple(
            (
                env_prefix + setting.env_name(spec.service_name),
                format_default(spec.setting_value(setting)),
                setting.meaning,
            )
            for setting in settings
        ),
    )


def _patch_models(layout: Layout, spec: ServiceSpec, changes: ChangeSet) -> list[str]:
    """The model edits; returns notes about the migrations they need."""
    notes: list[str] = []
    if spec.new_model:
        package = layout.models_init
        model_patch.export_model(
            changes, package, layout.models_import, spec.model_module,
            [spec.model_class, spec.status_enum],
        )  # fmt: skip
        notes.append(
            f"new table {spec.table} (and enum type {spec.enum_type_name}): add it to your "
            "migrations if the database is not created from the models"
        )
        return notes
    if spec.added_statuses:
        enum_path = layout.module_path(spec.status_enum_module)
        members = [model_patch.Member(s.member, s.value) for s in spec.added_statuses]
        model_patch.add_enum_members(
            changes, enum_path, spec.status_enum_module, spec.status_enum, members
        )
        values = ", ".join(repr(s.value) for s in spec.added_statuses)
        notes.append(
            f"{spec.status_enum} gained {values}: on PostgreSQL, ALTER TYPE "
            f"{spec.enum_type_name} ADD VALUE ... in your migrations"
        )
    added = model_patch.add_bookkeeping(
        changes, spec.model_path, spec.model_module, bookkeeping(layout, spec)
    )
    if added:
        notes.append(
            f"{spec.table} gained {', '.join(added)}: add them to your migrations if the "
            "database is not created from the models"
        )
    return notes


def bookkeeping(layout: Layout, spec: ServiceSpec) -> model_patch.Bookkeeping:
    """What the service adds to an existing model (columns and indexes)."""
    statuses = spec.statuses
    return model_patch.Bookkeeping(
        class_name=spec.model_class,
        service=spec.service_name,
        prefix=spec.column_prefix,
        table=spec.table,
        runtime_import=layout.runtime_import,
        runtime_module=layout.runtime_module,
        status_column_sql=spec.status_column_sql,
        monitored_sql=statuses[Role.MONITORED].stored(spec.stored_as),
        processing_sql=statuses[Role.PROCESSING].stored(spec.stored_as),
        index_names=spec.index_names(),
    )


def enum_use(spec: ServiceSpec) -> docs_patch.EnumUse:
    """What the service does with its status enum, as the doc's ENUMs section records it."""
    meanings = {spec.statuses[role].value: ROLE_MEANINGS[role] for role in ROLES}
    return docs_patch.EnumUse(
        enum=spec.status_enum,
        type_name=spec.enum_type_name,
        place=f"{spec.table}.{spec.status_column_sql}",
        values=tuple(dict.fromkeys(status.value for status in spec.enum_members)),
        meanings=meanings,
        monitored=spec.statuses[Role.MONITORED].value,
        service=spec.service_name,
    )


def _patch_docs(
    layout: Layout,
    spec: ServiceSpec,
    changes: ChangeSet,
    env_prefix: str,
    settings: tuple[ServiceSetting, ...],
) -> None:
    path = layout.architecture_doc
    docs_patch.document_service(changes, path, _facts(layout, spec, env_prefix, settings))
    docs_patch.document_enum(changes, path, enum_use(spec))


def plan_service(
    layout: Layout,
    spec: ServiceSpec,
    files: ProjectFiles | None = None,
    renderer: Renderer | None = None,
    template: TemplateVersion | None = None,
) -> ServicePlan:
    """Everything `skf new service` would write for `spec`, in one ChangeSet.

    `renderer`: a Renderer started ahead of time (the CLI forks one first thing); a new
    one otherwise.
    `template`: the template version to render (default: the current one).
    """
    files = files or ProjectFiles(layout)
    template = template or current_template()
    changes = ChangeSet(layout.root)
    existing = record.read(layout, spec.service_name)
    if existing is not None:
        if existing.same_answers(service_record(spec, [], [], template)):
            return ServicePlan(spec, changes, already_generated=True)
        raise UsageError(
            f"service {spec.service_name} already exists, generated with other answers "
            f"(see {record.record_path(spec.service_name)})"
        )
    _prerequisites(layout)
    targets = [module_path(layout, spec), test_path(layout, spec)]
    if spec.new_model:
        targets.append(spec.model_path)
        _new_model_conflicts(layout, spec, files)
    _refuse_conflicts(layout, spec, targets)
    data, base = template_answers(layout, spec, files)
    if spec.new_model and base is None:
        raise ProjectError(
            f"no SQLAlchemy declarative base found under {layout.models_package} "
            "(the base a new model derives from); run `skf init`"
        )
    # Renders while the shared files are patched.
    rendered = (renderer or Renderer()).start("service", data, template.directory)
    try:
        notes = patch_shared_files(layout, spec, changes, template.settings)
    finally:
        files_rendered = rendered()  # always waited for: no render outlives the command
    for path, content in files_rendered.items():
        changes.create(path, content)
    created = [c.path for c in changes.changes() if c.kind == "create"]
    modified = [c.path for c in changes.changes() if c.kind == "modify"]
    record_file = record.record_path(spec.service_name)
    changes.create(record_file, record.dump(service_record(spec, created, modified, template)))
    return ServicePlan(spec, changes, [*created, record_file], modified, notes, template.settings)


def patch_shared_files(
    layout: Layout, spec: ServiceSpec, changes: ChangeSet, settings: tuple[ServiceSetting, ...]
) -> list[str]:
    """Settings, startup, compose, models and docs; returns notes on migrations needed.

    Every patch adds only what is missing, so that `skf update` re-applies them all to give
    an existing service what a newer template version adds (a setting, say).
    """
    name = spec.service_name
    env_prefix = settings_patch.add_settings_fields(
        changes,
        path=layout.settings_module,
        module_name=layout.settings_import,
        class_name=layout.settings_class,
        instance=layout.settings_instance,
        fields=[
            settings_patch.SettingsField(
                setting.env_name(name), setting.annotation, spec.setting_value(setting)
            )
            for setting in settings
        ],
        comment=f"{name} background service",
    )
    register_setup_call(
        changes,
        path=layout.startup_module,
        module_name=layout.module_name(layout.startup_module),
        function=layout.startup_function,
        setup_module=f"{layout.services_import}.{name}_scheduler",
        setup_function=spec.setup_function,
        scheduler=f"{layout.scheduler_import}.{layout.scheduler_name}",
    )
    compose_patch.add_environment(
        changes,
        path=layout.compose_file,
        service=layout.compose_service,
        entries=[
            (env_prefix + setting.env_name(name), format_default(spec.setting_value(setting)))
            for setting in settings
        ],
        comment=f"{name} background service",
    )
    notes = _patch_models(layout, spec, changes)
    _patch_docs(layout, spec, changes, env_prefix, settings)
    return notes
