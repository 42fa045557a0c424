"""Moving a hard-coded scheduling value into a setting: the Settings field (libcst, through
the generator's settings patch), the code that reads it, the compose env var (the generator's
compose patch) and the row in the service's doc section. Also adds a missing compose entry
on its own (SKF124)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from skf.changes import ChangeSet
from skf.check.fixes import FixPlan, add_keywords
from skf.generate import compose_patch, imports, pyfile, settings_patch
from skf.project.inventory import Inventory, Service
from skf.project.literals import NOT_LITERAL
from skf.project.source import SourceFile
from skf.service_settings import BY_SUFFIX, format_default

if TYPE_CHECKING:
    from skf.check.findings import Applicability
    from skf.check.rules.hardcoded_schedule import Knob

_PYDANTIC = {int: "PositiveInt", float: "PositiveFloat"}
_APSCHEDULER_DEFAULTS: dict[str, object] = {"MAX_INSTANCES": 1}
"""What APScheduler does when the keyword is missing (misfire grace: 1 s, rarely intended)."""
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def setting_name(service: Service, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", service.name).upper() + "_" + suffix


def _default(knob: Knob) -> object:
    if knob.missing:
        known = BY_SUFFIX.get(knob.suffix)
        return known.default if known is not None else NOT_LITERAL
    return knob.value.value


def _annotation(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return _PYDANTIC[type(value)]


def applicability(inventory: Inventory, service: Service, knob: Knob) -> Applicability | None:
    """How safe moving `knob` into a setting is; None when skf cannot do it."""
    settings = inventory.settings
    if settings is None or not knob.suffix or not settings.complete:
        return None
    if knob.missing and knob.symbol not in {"max_instances", "misfire_grace_time", "interval"}:
        return None
    if not knob.missing and knob.value.node is None:
        return None
    default = _default(knob)
    if _annotation(default) is None:
        return None
    name = setting_name(service, knob.suffix)
    existing = settings.fields.get(name)
    if existing is not None:
        same = existing.literal_default and existing.default == default
        if not same:
            return "unsafe"
    if knob.missing:
        return "safe" if _APSCHEDULER_DEFAULTS.get(knob.suffix) == default else "unsafe"
    return "safe"


def plan(inventory: Inventory, service: Service, knob: Knob, plan: FixPlan) -> bool:
    settings = inventory.settings
    if settings is None or applicability(inventory, service, knob) is None:
        return False
    default = _default(knob)
    annotation = _annotation(default)
    assert annotation is not None
    name = setting_name(service, knob.suffix)
    if knob.missing:
        source = service.source
        reference = _reference(inventory, source, plan)
        if reference is None:
            return False
        keywords = (
            ['trigger="interval"', f"seconds={reference}.{name}"]
            if knob.symbol == "interval"
            else [f"{knob.symbol}={reference}.{name}"]
        )
        add_keywords(plan, source, service.call, keywords)
    else:
        literal_source, node = knob.value.source, knob.value.node
        if literal_source is None or node is None:
            return False
        reference = _reference(inventory, literal_source, plan)
        if reference is None:
            return False
        plan.replace(literal_source, node, f"{reference}.{name}")
    if name not in settings.fields:
        field = settings_patch.SettingsField(name, annotation, default)
        layout = inventory.layout

        def add_field(changes: ChangeSet) -> None:
            settings_patch.add_settings_fields(
                changes,
                path=settings.path,
                module_name=layout.settings_import,
                class_name=settings.class_name,
                instance=layout.settings_instance,
                fields=[field],
                comment=f"{service.name} background service",
            )

        plan.change(add_field)
    env = settings.env_name(name)
    value = format_default(default)  # type: ignore[arg-type]
    _plan_compose(inventory, service, [(env, value)], plan)
    _plan_doc_row(inventory, service, env, value, _meaning(knob), plan)
    return True


def _meaning(knob: Knob) -> str:
    known = BY_SUFFIX.get(knob.suffix)
    if known is not None:
        return known.meaning
    unit = knob.suffix.removeprefix("INTERVAL_").lower()
    return f"{unit} between runs"


# -- the code ----------------------------------------------------------------------------


def _reference(inventory: Inventory, source: SourceFile, plan: FixPlan) -> str | None:
    """How `source` spells the settings instance at module level; plans its import (where
    isort would put it) when the module has none. None when the name is taken."""
    layout = inventory.layout
    qualified = f"{layout.settings_import}.{layout.settings_instance}"
    bound = imports.bindings(source)
    local = imports.local_name(bound, qualified)
    if local is not None:
        return local
    if layout.settings_instance in bound.values():
        return None  # the module uses the name for something else
    need = imports.Need(layout.settings_import, layout.settings_instance)
    path, module_name = source.path, source.module_name

    def add_import(changes: ChangeSet) -> None:
        current = pyfile.read_source(changes, path, module_name, "module")
        module, _ = imports.add_imports(
            current.module, imports.bindings(current), [need], pyfile.own_package(module_name)
        )
        changes.write(path, module.code)

    plan.change(add_import)
    return layout.settings_instance


# -- compose and docs ----------------------------------------------------------------------


def compose_default(inventory: Inventory, env: str) -> str | None:
    """The value a missing compose entry gets: the Settings field's literal default."""
    settings = inventory.settings
    if settings is None:
        return None
    for name, field in settings.fields.items():
        if settings.env_key(settings.env_name(name)) == settings.env_key(env):
            if not field.literal_default or field.default is None:
                return None
            if isinstance(field.default, bool | int | float):
                return format_default(field.default)
            return str(field.default)
    return None


def plan_compose_entry(inventory: Inventory, service: Service, env: str, plan: FixPlan) -> bool:
    value = compose_default(inventory, env)
    compose = inventory.compose
    if value is None or compose is None or inventory.layout.compose_service not in compose.services:
        return False
    _plan_compose(inventory, service, [(env, value)], plan)
    return True


def _plan_compose(
    inventory: Inventory, service: Service, entries: list[tuple[str, str]], plan: FixPlan
) -> None:
    compose = inventory.compose
    layout = inventory.layout
    if compose is None or layout.compose_service not in compose.services:
        return
    present = set(compose.services[layout.compose_service].environment)
    missing = [(name, value) for name, value in entries if name not in present]
    if not missing:
        return

    def add(changes: ChangeSet) -> None:
        compose_patch.add_environment(
            changes,
            path=compose.path,
            service=layout.compose_service,
            entries=missing,
            comment=f"{service.name} background service",
        )

    plan.change(add)


def _plan_doc_row(
    inventory: Inventory, service: Service, env: str, value: str, meaning: str, plan: FixPlan
) -> None:
    doc = inventory.doc
    if doc is None:
        return
    from skf.check.rules.undocumented_service import section_of

    section = section_of(doc, service)
    if section is None or env in section.env_vars:
        return
    path = inventory.layout.architecture_doc
    heading = section.line

    def add_row(text: str) -> str:
        return with_env_row(text, heading, env, value, meaning)

    plan.transform(path, add_row)


def with_env_row(text: str, heading: int, env: str, value: str, meaning: str) -> str:
    """`text` with a row for `env` after the last table row of the section whose heading is
    on line `heading` (1-based); unchanged when the section has no table or lists it."""
    lines = text.splitlines(keepends=True)
    end = len(lines)
    for index in range(heading, len(lines)):
        if lines[index].startswith(("#", "<!-- skf:end")):
            end = index
            break
    rows = [i for i in range(heading, end) if _ROW.match(lines[i].strip())]
    if not rows or any(f"`{env}`" in lines[i] for i in rows):
        return text
    last = rows[-1]
    newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
    lines.insert(last + 1, f"| `{env}` | {value} | {meaning} |{newline}")
    return "".join(lines)
