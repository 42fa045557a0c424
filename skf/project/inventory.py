"""The inventory of a host project: its background services, discovered from what the code
does, with everything the checker (and the generator's update/remove) needs to know.

A service is a job registered with `add_job` (see `skf.project.discovery`). For each one the
inventory records its registration (setup function, scheduler, every keyword and where its
value comes from: a setting, a literal, a variable holding a literal, anything else), its
job function (resolved across modules) and the processing path it runs (`skf.project.flow`),
the claim query, the model, status column and enum it works on, the statuses it reads and
writes, the settings it uses; and, project-wide, the Settings class, the compose environment
and the architecture doc.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import libcst as cst

from skf.archdoc import ArchitectureDoc
from skf.config import Layout
from skf.errors import ProjectError
from skf.project.cache import Cache
from skf.project.compose import ComposeInfo, read_compose
from skf.project.discovery import (
    ParseError,
    RegistrationSite,
    add_job_calls,
    discover,
)
from skf.project.files import ProjectFiles
from skf.project.flow import PathBuilder
from skf.project.literals import string_value
from skf.project.models import ColumnInfo, EnumInfo, ModelInfo, ModelReader
from skf.project.queries import Query, queries_in
from skf.project.resolve import Bound, Definition, Frame, Resolved, Resolver
from skf.project.scan import Scan, scan_project
from skf.project.semantics import MemberRef, Semantics, ValueSource
from skf.project.settings_class import SettingsInfo, read_settings
from skf.project.source import SourceFile
from skf.project.statuses import (
    Following,
    LiteralStatus,
    StatusUse,
    module_status_uses,
    role_of,
    status_uses,
)
from skf.vocabulary import Role, role_of_spelling

INTERVAL_FIELDS = ("weeks", "days", "hours", "minutes", "seconds")
CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
TRIGGER_CLASSES = {
    "apscheduler.triggers.interval.IntervalTrigger": "interval",
    "apscheduler.triggers.cron.CronTrigger": "cron",
    "apscheduler.triggers.date.DateTrigger": "date",
}
REGISTRATION_KEYWORDS = (
    "id",
    "name",
    "max_instances",
    "misfire_grace_time",
    "coalesce",
    "replace_existing",
    "jitter",
)
_BATCH_NAME = re.compile(
    r"^(limit|batch|batch_size|batch_limit|size|max_rows|max_items|chunk_size|n)$"
)


@dataclass
class Trigger:
    kind: str
    """"interval", "cron", "date", or "other" (None: missing)."""
    fields: dict[str, ValueSource]
    node: cst.BaseExpression | None
    """The trigger as written (`"interval"` or `IntervalTrigger(...)`)."""
    call: cst.Call | None = None
    """The trigger object's constructor call, when it is one."""


@dataclass
class Batch:
    parameter: str | None
    """The job's batch-size parameter, if it has one."""
    value: ValueSource
    where: str
    """"parameter" (its default or the add_job argument), "limit" (the claim's `.limit()`),
    "argument" (a helper's batch keyword) or "missing"."""
    node: cst.CSTNode | None = None
    """The parameter or call that carries it."""


@dataclass
class Claim:
    query: Query
    model: ModelInfo | None
    column: ColumnInfo | None
    attribute: str | None
    monitored: list[MemberRef]
    monitored_names: list[str] = field(default_factory=list)
    """Members the claim selects, also when it spells them as strings."""

    @property
    def frame(self) -> Frame:
        return self.query.frame

    @property
    def source(self) -> SourceFile:
        return self.query.source


@dataclass
class Service:
    name: str
    site: RegistrationSite
    source: SourceFile
    """The module holding the registration."""
    call: cst.Call
    """The `add_job(...)` call."""
    setup: cst.FunctionDef | None
    setup_qualified: str | None
    job: Definition | None
    job_expression: cst.BaseExpression | None
    keywords: dict[str, ValueSource]
    trigger: Trigger | None
    frames: list[Frame] = field(default_factory=list)
    batch: Batch | None = None
    queries: list[Query] = field(default_factory=list)
    claim: Claim | None = None
    uses: list[StatusUse] = field(default_factory=list)
    literals: list[LiteralStatus] = field(default_factory=list)
    written_members: list[StatusUse] = field(default_factory=list)
    """Members referenced as `Enum.Member` in the service's own modules and on its path."""
    settings_used: dict[str, list[tuple[SourceFile, cst.Attribute]]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    @property
    def job_name(self) -> str:
        if self.job is not None:
            return self.job.name
        if self.job_expression is not None:
            return self.source.code(self.job_expression)
        return "<missing>"

    @property
    def job_frame(self) -> Frame | None:
        return self.frames[0] if self.frames else None

    @property
    def model(self) -> ModelInfo | None:
        return self.claim.model if self.claim else None

    @property
    def status_enum(self) -> EnumInfo | None:
        if self.claim is not None:
            if self.claim.column is not None and self.claim.column.enum is not None:
                return self.claim.column.enum
            if self.claim.monitored:
                return self.claim.monitored[0].enum
        return None

    def uses_of_enum(self) -> list[StatusUse]:
        enum = self.status_enum
        if enum is None:
            return []
        return [u for u in self.uses if u.ref.enum.qualified_name == enum.qualified_name]

    def members_by_role(self) -> dict[Role, str | None]:
        """Role -> member name, from the claim (monitored) and the statuses written."""
        roles: dict[Role, str | None] = dict.fromkeys(Role)
        enum = self.status_enum
        if self.claim is not None and enum is not None:
            # A member the enum lacks is SKF122's finding, not a status to document.
            existing = [m for m in self.claim.monitored_names if m in enum.members]
            roles[Role.MONITORED] = existing[0] if existing else None
        for use in self.uses_of_enum():
            if use.access != "write" or not use.ref.exists:
                continue
            role = role_of(use)
            if role is None or role is Role.MONITORED or roles.get(role) is not None:
                continue
            roles[role] = use.member
        return roles

    def statuses(self) -> dict[Role, str | None]:
        """Role -> status value (the spelling stored and documented)."""
        enum = self.status_enum
        values: dict[Role, str | None] = {}
        for role, member in self.members_by_role().items():
            if member is None or enum is None:
                values[role] = member
            else:
                value = enum.members.get(member)
                values[role] = member if value is None else str(value)
        return values

    def members_used(self) -> list[str]:
        """Members of the status enum the service reads or writes (that exist), in order."""
        names: list[str] = []
        for use in self.uses_of_enum():
            if use.ref.exists and use.access in {"read", "write"} and use.member not in names:
                names.append(use.member)
        enum = self.status_enum
        if self.claim is not None and enum is not None:
            for member in reversed(self.claim.monitored_names):
                if member in enum.members and member not in names:
                    names.insert(0, member)
        return names


@dataclass
class Inventory:
    layout: Layout
    files: ProjectFiles
    scan: Scan
    resolver: Resolver
    semantics: Semantics
    builder: PathBuilder
    services: list[Service]
    parse_errors: list[ParseError]
    caches: dict[str, Any] = field(default_factory=dict, repr=False)
    """Answers helpers memoise for the life of the inventory (the tests of each service)."""

    @cached_property
    def settings(self) -> SettingsInfo | None:
        return read_settings(self.layout, self.resolver)

    @cached_property
    def compose(self) -> ComposeInfo | None:
        return read_compose(self.layout.root, self.layout.compose_file)

    @cached_property
    def doc(self) -> ArchitectureDoc | None:
        path = self.layout.path(self.layout.architecture_doc)
        if not path.is_file():
            return None
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ProjectError(f"{self.layout.architecture_doc}: cannot read: {error}") from None
        return ArchitectureDoc(text, self.layout.architecture_doc)

    def all_parse_errors(self) -> list[ParseError]:
        errors = {e.path: e for e in self.parse_errors}
        for path, failure in self.files.parse_failures.items():
            errors.setdefault(path, ParseError(path, failure.line, failure.column, failure.message))
        return sorted(errors.values(), key=lambda e: e.path)


def build_inventory(layout: Layout, *, cache: Cache | None = None) -> Inventory:
    files = ProjectFiles(layout)
    scan = scan_project(files)
    return inventory_from_scan(layout, files, scan, cache or Cache(layout.root, enabled=False))


def inventory_from_scan(layout: Layout, files: ProjectFiles, scan: Scan, cache: Cache) -> Inventory:
    resolver = Resolver(files)
    semantics = Semantics(layout, resolver, ModelReader(files, layout.runtime_import))
    builder = PathBuilder(resolver, frozenset({semantics.session_factory}))
    sites, errors = discover(scan, files, resolver, cache)
    inventory = Inventory(layout, files, scan, resolver, semantics, builder, [], errors)
    analyser = _ServiceAnalyser(inventory)
    for site in sites:
        service = analyser.service(site)
        if service is not None:
            inventory.services.append(service)
    _name_duplicates(inventory.services)
    return inventory


def _name_duplicates(services: list[Service]) -> None:
    """Two registrations named alike (one setup function adding two jobs) keep one name each:
    `<name>` for the first, `<name>.<job>` for the others."""
    seen: set[str] = set()
    for service in services:
        if service.name in seen:
            service.name = f"{service.name}.{service.job_name}"
        seen.add(service.name)


class _ServiceAnalyser:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.files = inventory.files
        self.resolver = inventory.resolver
        self.semantics = inventory.semantics
        self.builder = inventory.builder
        self.layout = inventory.layout

    def service(self, site: RegistrationSite) -> Service | None:
        source = self.files.parsed(site.path)
        if source is None:
            return None
        call = next(
            (
                c
                for scope, c in add_job_calls(source)
                if scope == site.scope and source.position(c)[:2] == (site.line, site.column)
            ),
            None,
        )
        if call is None:
            return None
        setup = self.resolver.function_in(source, site.scope) if site.scope != "<module>" else None
        setup_frame = Frame(source, setup, site.scope, via="setup") if setup is not None else None
        job_expression, job, bindings = self._job(call, source, setup_frame)
        service = Service(
            name=site.setup_service or (job.name if job is not None else site.scope),
            site=site,
            source=source,
            call=call,
            setup=setup,
            setup_qualified=(f"{source.module_name}.{site.scope}" if setup is not None else None),
            job=job,
            job_expression=job_expression,
            keywords=self._keywords(call, source, setup_frame),
            trigger=self._trigger(call, source, setup_frame),
        )
        service.files.add(source.path)
        if job is not None and isinstance(job.node, cst.FunctionDef):
            start = Frame(job.source, job.node, job.scope, bindings, owner=job.owner, via="job")
            service.frames = self.builder.path(start)
            self._analyse_path(service)
        return service

    # -- registration --------------------------------------------------------------------

    def _job(
        self, call: cst.Call, source: SourceFile, frame: Frame | None
    ) -> tuple[cst.BaseExpression | None, Definition | None, dict[str, Bound]]:
        """The job as written, the function it is, and what the scheduler passes it."""
        expression = next(
            (a.value for a in call.args if a.keyword is None and not a.star),
            next((a.value for a in call.args if a.keyword and a.keyword.value == "func"), None),
        )
        if expression is None:
            return None, None, {}
        bindings = self._job_kwargs(call, source, frame)
        text = string_value(expression)
        if text is not None:
            # APScheduler's textual reference: "package.module:function".
            module, _, name = text.partition(":")
            definition = self.resolver.definition(f"{module}.{name}") if name else None
            return expression, definition if _is_function(definition) else None, bindings
        target = self._unwrap_partial(self.resolver.resolve(expression, source, frame), bindings)
        definition = None if target is None else self.semantics.function(target)
        return expression, definition if _is_function(definition) else None, bindings

    def _job_kwargs(
        self, call: cst.Call, source: SourceFile, frame: Frame | None
    ) -> dict[str, Bound]:
        """`kwargs={"limit": ...}` of the registration, as parameter bindings."""
        bindings: dict[str, Bound] = {}
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value != "kwargs":
                continue
            value = self.resolver.resolve(arg.value, source, frame)
            if not isinstance(value.node, cst.Dict):
                continue
            for element in value.node.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    if key is not None:
                        bindings[key] = Bound(element.value, value.source, value.frame)
        return bindings

    def _unwrap_partial(self, resolved: Resolved, bindings: dict[str, Bound]) -> Resolved | None:
        """`functools.partial(f, limit=...)` -> `f`, with its keywords bound."""
        node = resolved.node
        if not isinstance(node, cst.Call):
            return resolved
        if "functools.partial" not in resolved.source.qualified_names(node.func):
            return None
        args = [a for a in node.args if a.keyword is None and not a.star]
        if not args:
            return None
        for arg in node.args:
            if arg.keyword is not None:
                bindings.setdefault(
                    arg.keyword.value, Bound(arg.value, resolved.source, resolved.frame)
                )
        return self.resolver.resolve(args[0].value, resolved.source, resolved.frame)

    def _keywords(
        self, call: cst.Call, source: SourceFile, frame: Frame | None
    ) -> dict[str, ValueSource]:
        found: dict[str, ValueSource] = {}
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in REGISTRATION_KEYWORDS:
                found[arg.keyword.value] = self.semantics.value_source(arg.value, source, frame)
        return found

    def _trigger(self, call: cst.Call, source: SourceFile, frame: Frame | None) -> Trigger | None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        node = (
            positional[1].value
            if len(positional) > 1
            else next(
                (a.value for a in call.args if a.keyword and a.keyword.value == "trigger"), None
            )
        )
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if node is None:
            return None
        resolved = self.resolver.resolve(node, source, frame)
        text = string_value(resolved.node)
        if text is not None:
            names = INTERVAL_FIELDS if text == "interval" else CRON_FIELDS if text == "cron" else ()
            fields = {
                name: self.semantics.value_source(keywords[name], source, frame)
                for name in names
                if name in keywords
            }
            kind = text if text in {"interval", "cron", "date"} else "other"
            return Trigger(kind, fields, node)
        if isinstance(resolved.node, cst.Call):
            kind = next(
                (
                    TRIGGER_CLASSES[q]
                    for q in resolved.source.qualified_names(resolved.node.func)
                    if q in TRIGGER_CLASSES
                ),
                "other",
            )
            names = INTERVAL_FIELDS if kind == "interval" else CRON_FIELDS if kind == "cron" else ()
            fields = {
                a.keyword.value: self.semantics.value_source(
                    a.value, resolved.source, resolved.frame
                )
                for a in resolved.node.args
                if a.keyword is not None and a.keyword.value in names
            }
            return Trigger(kind, fields, node, resolved.node)
        return Trigger("other", {}, node)

    # -- the processing path -------------------------------------------------------------

    def _analyse_path(self, service: Service) -> None:
        semantics = self.semantics
        following = Following()
        for frame in service.frames:
            service.files.add(frame.source.path)
            service.queries.extend(queries_in(frame, self.builder, semantics))
            uses, literals = status_uses(semantics, frame, following)
            service.uses.extend(uses)
            service.literals.extend(literals)
        service.claim = self._claim(service)
        service.batch = self._batch(service)
        own_modules = {service.source.path}
        if service.job is not None:
            own_modules.add(service.job.source.path)
        for path in sorted(own_modules):
            source = self.files.parsed(path)
            if source is None:
                continue
            uses, literals = module_status_uses(semantics, source)
            service.written_members.extend(uses)
            for name, node in semantics.settings_read(source.module, source):
                service.settings_used.setdefault(name, []).append((source, node))
        if service.claim is not None and service.claim.model is not None:
            service.files.add(service.claim.model.path)
        enum = service.status_enum
        if enum is not None:
            service.files.add(enum.path)

    def _claim(self, service: Service) -> Claim | None:
        candidates = [
            q
            for q in service.queries
            if q.kind in {"select", "query", "update"}
            and (q.monitored() or q.literal_statuses())
            and not is_rescue(q)
        ]
        locked = [q for q in candidates if q.with_for_update is not None]
        raw = [q for q in service.queries if q.kind == "text" and q.raw_skip_locked]
        chosen = locked or candidates or raw
        if not chosen:
            return None
        query = chosen[0]
        column_ref = query.status_column()
        monitored = query.monitored()
        model = column_ref.model if column_ref is not None else None
        if model is None and monitored:
            model = self._model_for_enum(monitored[0].enum)
        column = column_ref.column if column_ref is not None else None
        attribute = column_ref.attribute if column_ref is not None else None
        if column is None and model is not None and monitored:
            for name, candidate in model.columns.items():
                if (
                    candidate.enum is not None
                    and candidate.enum.qualified_name == monitored[0].enum.qualified_name
                ):
                    column, attribute = candidate, name
                    break
        names = [m.member for m in monitored]
        for column_ref, text in query.literal_statuses():
            enum = column_ref.column.enum
            if enum is None:
                continue
            member = text if text in enum.members else enum.member_for_value(text)
            if member is not None and member not in names:
                names.append(member)
        return Claim(query, model, column, attribute, monitored, names)

    def _model_for_enum(self, enum: EnumInfo) -> ModelInfo | None:
        for model in models_in_package(self.inventory):
            for column in model.columns.values():
                if column.enum is not None and column.enum.qualified_name == enum.qualified_name:
                    return model
        return None

    def _batch(self, service: Service) -> Batch:
        """Where the batch size comes from: the job's batch parameter, else the claim's
        `.limit()`, else a batch keyword the job passes to a helper."""
        parameter = self._batch_parameter(service)
        if parameter is not None:
            return parameter
        claim = service.claim
        limit = claim.query.method("limit") if claim is not None else None
        if claim is not None and limit is not None and claim.query.limit is not None:
            source, frame = claim.query.place(limit)
            value = self.semantics.value_source(claim.query.limit, source, frame)
            return Batch(None, value, "limit", limit)
        job = service.job_frame
        if job is not None:
            for site in self.builder.facts(job).calls:
                for arg in site.node.args:
                    if arg.keyword is not None and _BATCH_NAME.match(arg.keyword.value):
                        value = self.semantics.value_source(arg.value, job.source, job)
                        return Batch(None, value, "argument", arg)
        return Batch(None, ValueSource("missing"), "missing")

    def _batch_parameter(self, service: Service) -> Batch | None:
        job = service.job_frame
        if job is None:
            return None
        for param in job.parameters():
            name = param.name.value
            if not _BATCH_NAME.match(name) and not _feeds_limit(service, name):
                continue
            bound = job.arguments.get(name)
            if bound is not None:
                value = self.semantics.value_source(bound.node, bound.source, bound.frame)
            elif param.default is not None:
                value = self.semantics.value_source(param.default, job.source, None)
            else:
                value = ValueSource("missing")
            return Batch(name, value, "parameter", param)
        return None


def is_rescue(query: Query) -> bool:
    """A statement on rows in the processing status with a time cutoff: the rescue of rows a
    lost worker left behind, not a claim. The processing status is known by its spelling or
    by the names it is reached through (`self.processing`, for a status named `Working`)."""
    members = query.monitored_roles()
    return (
        query.ordering
        and bool(members)
        and all(
            role is Role.PROCESSING
            or role_of_spelling(m.member) is Role.PROCESSING
            or role_of_spelling(m.value) is Role.PROCESSING
            for m, role in members
        )
    )


def _feeds_limit(service: Service, name: str) -> bool:
    claim = service.claim
    if claim is None or claim.query.limit is None:
        return False
    limit = claim.query.limit
    return isinstance(limit, cst.Name) and limit.value == name


def _is_function(definition: Definition | None) -> bool:
    return definition is not None and definition.kind == "function"


def models_in_package(inventory: Inventory) -> list[ModelInfo]:
    """Every model class defined under the layout's models package."""
    prefix = inventory.layout.models_package.rstrip("/") + "/"
    found: list[ModelInfo] = []
    for path in inventory.files.python_files():
        if not path.startswith(prefix):
            continue
        source = inventory.files.parsed(path)
        if source is None:
            continue
        for statement in source.module.body:
            if isinstance(statement, cst.ClassDef):
                model = inventory.semantics.model(f"{source.module_name}.{statement.name.value}")
                if model is not None and model.columns:
                    found.append(model)
    return found
