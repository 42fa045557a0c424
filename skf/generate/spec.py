"""The answers of `skf new service`, validated and resolved against the host project.

Answers come from an answers file, `--data KEY=VALUE` and the command's options (later wins);
`resolve()` turns them into a ServiceSpec: every name checked (`skf.generate.names`), the model
and its status enum read from source, the statuses matched against the enum's members, the
settings parsed as numbers. Nothing is rendered or written before this succeeds.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skf.config import Layout
from skf.errors import UsageError
from skf.generate import names
from skf.project.files import ProjectFiles
from skf.project.models import ColumnInfo, EnumInfo, ModelInfo, ModelReader
from skf.service_settings import SERVICE_SETTINGS, ServiceSetting
from skf.vocabulary import DEFAULT_STATUSES, ROLES, Role, role_of_spelling

SettingValue = int | float | bool

ANSWERS: dict[str, str] = {
    "service_name": "the service's name (snake_case)",
    "model": "an existing model, MODULE:CLASS",
    "status_column": "the model's status column",
    "new_model": "the class of a new model (CamelCase)",
    "table": "the new model's table",
    "statuses": "monitored, processing, done and error statuses, comma-separated",
    "monitored": "the status the service claims",
    "processing": "the status of a row being worked on",
    "completed": "the status of a row done",
    "error": "the status of a row whose attempts are spent",
    "add_status": "add statuses that the enum lacks (true/false)",
    "summary": "one sentence saying what the service does",
    "entity": "what one row is, in lowercase words",
    "status_enum": "the new model's status enum class",
    "enum_type_name": "the new status enum's database type name",
    "job_function": "the job function's name",
    "handler_function": "the handler's name",
    "queue_name": "the module constant holding the service's StatusQueue",
    **{setting.answer: setting.meaning for setting in SERVICE_SETTINGS},
}
"""Every answer key accepted by `--data` and answers files, with what it means."""

# Names the generated service and test modules bind themselves; answers must not clash.
_MODULE_NAMES = frozenset(
    {
        "logging", "Mapping", "Any", "Row", "select", "update", "Claim", "QueuePolicy",
        "RunSummary", "StatusQueue", "utcnow", "wakeup_listener", "logger", "JOB_ID", "asyncio",
        "Awaitable", "Callable", "replace", "timedelta", "pytest", "service", "QUEUE",
        "MONITORED", "PROCESSING", "COMPLETED", "ERROR", "RUNTIME_LOG", "NewRows", "handled",
        "policy", "new_rows", "current", "make_due", "enum", "uuid", "datetime", "Index",
        "Integer", "Text", "Uuid", "text", "Mapped", "mapped_column", "UtcDateTime",
        "status_enum",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Status:
    member: str
    """The enum member's name (what code writes: `SitemapStatus.Queued`)."""
    value: str
    """The value as the architecture doc lists it."""

    def stored(self, stored_as: str) -> str:
        """What the database holds for it."""
        return self.value if stored_as == "values" else self.member


@dataclass(frozen=True)
class ServiceSpec:
    """Every answer of one service, validated."""

    service_name: str
    summary: str
    entity: str
    new_model: bool
    model_class: str
    model_module: str
    model_path: str
    table: str
    primary_key: str
    status_column: str
    status_column_sql: str
    status_enum: str
    status_enum_module: str
    enum_type_name: str | None
    stored_as: str
    statuses: Mapping[Role, Status]
    added_statuses: tuple[Status, ...]
    enum_members: tuple[Status, ...]
    """Every member of the status enum once the service's statuses are added."""
    job_function: str
    handler_function: str
    queue_name: str
    settings: Mapping[str, SettingValue]
    """Answer name -> value, for every setting in SERVICE_SETTINGS."""
    existing_columns: frozenset[str] = field(default_factory=frozenset)

    @property
    def column_prefix(self) -> str:
        """Prefix of the service's own bookkeeping columns: none for a `status` column, else
        the status column's stem (`sitemap_status` -> `sitemap_`), so that services watching
        different status columns of one table never share a retry counter."""
        return "" if self.status_column == "status" else _stem(self.status_column) + "_"

    @property
    def setup_function(self) -> str:
        return f"setup_{self.service_name}_scheduler"

    def setting_value(self, setting: ServiceSetting) -> SettingValue:
        """The answer for `setting`; its default for a setting a template version declares
        (see skf.generate.versions) that the answers did not give."""
        return self.settings.get(setting.answer, setting.default)

    def index_names(self) -> tuple[str, str]:
        prefix = self.column_prefix
        return (
            f"ix_{self.table}_{prefix}queued_due",
            f"ix_{self.table}_{prefix}processing_claimed",
        )

    def template_data(self) -> dict[str, Any]:
        """The service answers as the template takes them."""
        data: dict[str, Any] = {
            "service_name": self.service_name,
            "summary": self.summary,
            "entity": self.entity,
            "new_model": self.new_model,
            "model_class": self.model_class,
            "model_module": self.model_module,
            "table": self.table,
            "primary_key": self.primary_key,
            "status_column": self.status_column,
            "status_enum": self.status_enum,
            "status_enum_module": self.status_enum_module,
            "enum_type_name": self.enum_type_name or "",
            "stored_as": self.stored_as,
            "column_prefix": self.column_prefix,
            "job_function": self.job_function,
            "handler_function": self.handler_function,
            "queue_name": self.queue_name,
        }
        for role in ROLES:
            data[f"{role.value}_member"] = self.statuses[role].member
            data[f"{role.value}_value"] = self.statuses[role].value
        return data


def _stem(column: str) -> str:
    return column.removesuffix("_status")


# -- parsing answers ------------------------------------------------------------------------


def check_keys(answers: Mapping[str, Any]) -> None:
    unknown = sorted(set(answers) - set(ANSWERS))
    if unknown:
        raise UsageError(
            f"unknown answer(s) {', '.join(unknown)}; known answers: {', '.join(sorted(ANSWERS))}"
        )


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_bool(answer: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise UsageError(f"{answer} {value!r}: must be true or false")


def parse_setting(setting: ServiceSetting, value: Any) -> SettingValue:
    """A setting's answer as a number (or bool) its pydantic type accepts."""
    answer = setting.answer
    if setting.annotation == "bool":
        return parse_bool(answer, value)
    if isinstance(value, bool):
        raise UsageError(f"{answer} {value!r}: must be a number")
    integral = setting.annotation.endswith("Int")
    try:
        number: int | float = int(value) if integral else float(value)
    except (TypeError, ValueError):
        kind = "a whole number" if integral else "a number"
        raise UsageError(f"{answer} {value!r}: must be {kind}") from None
    if integral and isinstance(value, float) and value != number:
        raise UsageError(f"{answer} {value!r}: must be a whole number")
    if number != number or number in (float("inf"), float("-inf")):
        raise UsageError(f"{answer} {value!r}: must be a finite number")
    if setting.annotation.startswith("Positive") and number <= 0:
        raise UsageError(f"{answer} {value!r}: must be greater than 0")
    if setting.annotation.startswith("NonNegative") and number < 0:
        raise UsageError(f"{answer} {value!r}: must not be negative")
    return number


def parse_settings(answers: Mapping[str, Any]) -> dict[str, SettingValue]:
    values = {
        setting.answer: parse_setting(setting, answers.get(setting.answer, setting.default))
        for setting in SERVICE_SETTINGS
    }
    if values["backoff_base_seconds"] > values["backoff_max_seconds"]:
        raise UsageError("backoff_base_seconds must not exceed backoff_max_seconds")
    return values


def split_statuses(value: Any) -> list[str]:
    items = value if isinstance(value, list) else str(value).split(",")
    statuses = [str(item).strip() for item in items]
    if len(statuses) != len(ROLES):
        raise UsageError(
            f"statuses {value!r}: give four, MONITORED,PROCESSING,DONE,ERROR "
            "(e.g. Queued,Processing,Completed,Error)"
        )
    return statuses


def _requested_statuses(answers: Mapping[str, Any]) -> dict[Role, str | None]:
    requested: dict[Role, str | None] = dict.fromkeys(ROLES)
    if answers.get("statuses") is not None:
        requested.update(zip(ROLES, split_statuses(answers["statuses"]), strict=True))
    for role in ROLES:
        if answers.get(role.value) is not None:
            requested[role] = str(answers[role.value])
    return requested


# -- resolving against the project ----------------------------------------------------------


@dataclass
class _Model:
    """What the statuses and names are resolved against."""

    new: bool
    model_class: str
    model_module: str
    model_path: str
    table: str
    primary_key: str
    status_column: str
    status_column_sql: str
    enum: EnumInfo | None
    status_enum: str
    status_enum_module: str
    enum_type_name: str | None
    stored_as: str
    columns: frozenset[str]


def model_reader(layout: Layout, files: ProjectFiles | None = None) -> ModelReader:
    return ModelReader(files or ProjectFiles(layout), layout.runtime_import)


def parse_model_ref(value: Any) -> tuple[str, str]:
    """`src.models.domain:Domain` -> (module, class)."""
    text = str(value)
    module, colon, class_ = text.partition(":")
    if not colon:
        raise UsageError(f"model {text!r}: give it as MODULE:CLASS (e.g. src.models.domain:Domain)")
    return names.dotted_module("model module", module), names.identifier("model class", class_)


def status_columns(model: ModelInfo) -> dict[str, ColumnInfo]:
    return {name: column for name, column in model.columns.items() if column.enum is not None}


def _existing_model(layout: Layout, answers: Mapping[str, Any], files: ProjectFiles) -> _Model:
    module, class_ = parse_model_ref(answers["model"])
    model = model_reader(layout, files).read_model(module, class_)
    enum_columns = status_columns(model)
    column_name = answers.get("status_column")
    if column_name is None:
        if len(enum_columns) != 1:
            listed = ", ".join(enum_columns) or "none"
            raise UsageError(f"give --status-column: {class_}'s status enum columns: {listed}")
        column_name = next(iter(enum_columns))
    column_name = names.snake_name("status_column", column_name)
    column = model.columns.get(column_name)
    if column is None:
        listed = ", ".join(enum_columns) or "none"
        raise UsageError(
            f"{class_} has no column {column_name!r}; its status enum columns: {listed}"
        )
    if column.enum is None:
        how = "a plain String" if column.plain_string else "something other than an enum"
        raise UsageError(
            f"{class_}.{column_name} is mapped as {how}; a status column must map a Python enum"
        )
    keys = [name for name, info in model.columns.items() if info.primary_key]
    if len(keys) != 1:
        raise UsageError(f"{class_} needs exactly one primary key column; found {len(keys)}")
    if model.table is None:
        raise UsageError(f"{class_} has no literal __tablename__")
    enum = column.enum
    return _Model(
        new=False,
        model_class=names.identifier("model class", model.name),
        model_module=model.qualified_name.rpartition(".")[0],
        model_path=model.path,
        table=names.identifier("table", model.table),
        primary_key=names.identifier("primary key", keys[0]),
        status_column=column_name,
        status_column_sql=column.sql_name,
        enum=enum,
        status_enum=names.identifier("status enum", enum.name),
        status_enum_module=names.dotted_module(
            "status enum module", enum.qualified_name.rpartition(".")[0]
        ),
        enum_type_name=column.type_name,
        stored_as=column.stored_as or "names",
        columns=frozenset(model.columns),
    )


def _new_model(layout: Layout, answers: Mapping[str, Any]) -> _Model:
    class_ = names.model_class("new_model", answers["new_model"])
    derived = names.derived_from_class(class_)
    module = names.dotted_module("model module", f"{layout.models_import}.{derived['module']}")
    table = names.snake_name("table", answers.get("table") or derived["table"])
    status_column = names.snake_name("status_column", answers.get("status_column", "status"))
    status_enum = names.class_name(
        "status_enum", answers.get("status_enum") or derived["status_enum"]
    )
    enum_type = answers.get("enum_type_name") or derived["enum_type_name"]
    enum_type = names.snake_name("enum_type_name", enum_type, max_length=names.MAX_ENUM_TYPE)
    path = f"{layout.models_package}/{derived['module']}.py"
    return _Model(
        new=True,
        model_class=class_,
        model_module=module,
        model_path=path,
        table=table,
        primary_key="id",
        status_column=status_column,
        status_column_sql=status_column,
        enum=None,
        status_enum=status_enum,
        status_enum_module=module,
        enum_type_name=enum_type,
        stored_as="values",
        columns=frozenset(),
    )


def _default_status(role: Role, enum: EnumInfo | None) -> str:
    default = DEFAULT_STATUSES[role]
    if enum is None:
        return default
    values = enum.values
    if default in values or default in enum.members:
        return default
    spelled = [value for value in values if role_of_spelling(value) is role]
    if len(spelled) == 1:
        return spelled[0]
    raise UsageError(
        f"{enum.name} has no {default!r}: give --statuses (its members: {', '.join(values)})"
    )


def _existing_status(role: Role, text: str, enum: EnumInfo, add: bool) -> tuple[Status, bool]:
    """The member `text` names (by value, else by name); a new member when `add`."""
    for member, value in enum.members.items():
        if value == text or (value is None and member == text):
            return Status(member, names.status_value(role.value, text)), False
    if text in enum.members:
        value = enum.members[text]
        shown = text if value is None else str(value)
        return Status(text, names.status_value(role.value, shown)), False
    if not add:
        raise UsageError(
            f"status {text!r} is not a member of {enum.name} (members: "
            f"{', '.join(enum.values)}); pass --add-status to add it"
        )
    value = names.status_value(role.value, text)
    return Status(names.identifier(role.value, names.member_for_value(value)), value), True


def _resolve_statuses(
    model: _Model, answers: Mapping[str, Any], add: bool
) -> tuple[dict[Role, Status], tuple[Status, ...], tuple[Status, ...]]:
    requested = _requested_statuses(answers)
    statuses: dict[Role, Status] = {}
    added: list[Status] = []
    for role in ROLES:
        text = requested[role] or _default_status(role, model.enum)
        if model.enum is None:
            value = names.status_value(role.value, text)
            statuses[role] = Status(names.member_for_value(value), value)
            continue
        status, is_new = _existing_status(role, text, model.enum, add)
        statuses[role] = status
        if is_new and status not in added:
            added.append(status)
    if len({status.member for status in statuses.values()}) != len(ROLES):
        raise UsageError("the four statuses must be different members of the enum")
    if model.enum is None:
        members = tuple(statuses[role] for role in ROLES)
    else:
        members = (
            *(
                Status(member, member if value is None else str(value))
                for member, value in model.enum.members.items()
            ),
            *added,
        )
    return statuses, tuple(added), members


def _derived_names(service: str, model: _Model, answers: Mapping[str, Any]) -> dict[str, str]:
    stem = "" if model.status_column == "status" else _stem(model.status_column) + "_"
    derived = names.derived_from_class(model.model_class)
    job = answers.get("job_function") or f"process_pending_{stem}{model.table}"
    if len(job) > names.MAX_FUNCTION and not answers.get("job_function"):
        job = f"process_pending_{model.table}"  # the table's name alone is short enough
    handler = answers.get("handler_function") or derived["handler_function"]
    entity = answers.get("entity") or derived["entity"]
    return {
        "job_function": names.snake_name(
            "job_function", job, max_length=names.MAX_FUNCTION, module_level=True
        ),
        "handler_function": names.snake_name(
            "handler_function", handler, max_length=names.MAX_FUNCTION, module_level=True
        ),
        "queue_name": names.constant_name(
            "queue_name", answers.get("queue_name") or f"{service.upper()}_QUEUE"
        ),
        "entity": names.words("entity", entity),
    }


def _check_clashes(spec: ServiceSpec, layout: Layout) -> None:
    bound = {
        "model class": spec.model_class,
        "status enum": spec.status_enum,
        "job_function": spec.job_function,
        "handler_function": spec.handler_function,
        "queue_name": spec.queue_name,
        "setup function": spec.setup_function,
        "settings instance": layout.settings_instance,
        "scheduler": layout.scheduler_name,
        "session factory": layout.session_factory,
    }
    seen: dict[str, str] = {}
    for what, name in bound.items():
        if name in _MODULE_NAMES:
            raise UsageError(f"{what} {name!r} clashes with a name the generated module uses")
        if name in seen and not (what == "status enum" and seen[name] == "model class"):
            raise UsageError(f"{what} {name!r} clashes with the {seen[name]} of the same name")
        seen[name] = what
    if spec.model_class == spec.status_enum:
        raise UsageError(f"the model and its status enum cannot both be named {spec.model_class}")


def resolve(
    layout: Layout, answers: Mapping[str, Any], files: ProjectFiles | None = None
) -> ServiceSpec:
    """Validate `answers` (keys from ANSWERS) against the project at `layout.root`."""
    files = files or ProjectFiles(layout)
    check_keys(answers)
    if answers.get("service_name") is None:
        raise UsageError("missing the service name (skf new service NAME)")
    service = names.snake_name(
        "service name", answers["service_name"], max_length=names.MAX_SERVICE
    )
    has_model, has_new = answers.get("model") is not None, answers.get("new_model") is not None
    if has_model == has_new:
        raise UsageError(
            "give --model MODULE:CLASS (an existing model) or --new-model CLASS, not "
            + ("both" if has_model else "neither")
        )
    if has_model and answers.get("table") is not None:
        raise UsageError("--table goes with --new-model (an existing model has its table)")
    model = _existing_model(layout, answers, files) if has_model else _new_model(layout, answers)
    add = parse_bool("add_status", answers.get("add_status", False))
    statuses, added, members = _resolve_statuses(model, answers, add)
    derived = _derived_names(service, model, answers)
    monitored = statuses[Role.MONITORED].value
    summary = answers.get("summary") or f"works on each {monitored} {derived['entity']}."
    spec = ServiceSpec(
        service_name=service,
        summary=names.summary_text("summary", summary),
        entity=derived["entity"],
        new_model=model.new,
        model_class=model.model_class,
        model_module=model.model_module,
        model_path=model.model_path,
        table=model.table,
        primary_key=model.primary_key,
        status_column=model.status_column,
        status_column_sql=model.status_column_sql,
        status_enum=model.status_enum,
        status_enum_module=model.status_enum_module,
        enum_type_name=model.enum_type_name,
        stored_as=model.stored_as,
        statuses=statuses,
        added_statuses=added,
        enum_members=members,
        job_function=derived["job_function"],
        handler_function=derived["handler_function"],
        queue_name=derived["queue_name"],
        settings=parse_settings(answers),
        existing_columns=model.columns,
    )
    for index in spec.index_names():
        if len(index) > names.MAX_SQL_NAME:
            raise UsageError(
                f"the index name {index!r} (from the table and the status column) is longer "
                f"than PostgreSQL's {names.MAX_SQL_NAME} characters: give a shorter table or "
                "status column"
            )
    _check_clashes(spec, layout)
    return spec


def describe_model(layout: Layout, model_ref: str) -> dict[str, list[str]]:
    """The status columns of an existing model and the values of their enums (for prompts)."""
    module, class_ = parse_model_ref(model_ref)
    model = model_reader(layout).read_model(module, class_)
    return {
        name: column.enum.values
        for name, column in status_columns(model).items()
        if column.enum is not None
    }


def read_answers_file(text: str, path: str) -> dict[str, Any]:
    """An answers file: a YAML mapping of answer keys (ANSWERS) to values."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise UsageError(f"{path}: invalid YAML: {str(error).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
        raise UsageError(f"{path}: an answers file is a mapping of answer names to values")
    check_keys(data)
    return dict(data)


def parse_data(items: list[str]) -> dict[str, str]:
    """`--data KEY=VALUE` options."""
    answers: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise UsageError(f"--data {item!r}: give KEY=VALUE")
        answers[key.strip()] = value
    check_keys(answers)
    return answers
