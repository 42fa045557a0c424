"""The architecture doc entries of a service and its status enum, rendered from the inventory
(skf.archdoc's renderers: the same blocks `skf new service` writes)."""

from skf.archdoc import (
    ArchitectureDoc,
    EnumFacts,
    ServiceFacts,
    render_enum_block,
    split_monitored,
    table_rows,
    with_monitored,
)
from skf.archdoc import render_service_block as render_service
from skf.project.inventory import Inventory, Service, models_in_package
from skf.project.literals import NOT_LITERAL
from skf.project.models import EnumInfo
from skf.service_settings import BY_SUFFIX, SERVICE_SETTINGS, format_default
from skf.vocabulary import Role, role_of_spelling

_ROLE_MEANINGS = {
    Role.MONITORED: "waiting to be claimed",
    Role.PROCESSING: "claimed by a worker",
    Role.COMPLETED: "finished successfully",
    Role.ERROR: "failed after the last attempt",
}


def env_rows(inventory: Inventory, service: Service) -> tuple[tuple[str, str, str], ...]:
    """(env var, default, meaning) of every setting the service reads."""
    settings = inventory.settings
    if settings is None:
        return ()
    rows: list[tuple[str, str, str]] = []
    prefix = _env_prefix(service)
    # The pattern's settings in the order `skf new service` writes them, then the others.
    order = {setting.suffix: index for index, setting in enumerate(SERVICE_SETTINGS)}
    for name in sorted(
        service.settings_used,
        key=lambda name: (order.get(name.removeprefix(prefix), len(order)), name),
    ):
        field = settings.fields.get(name)
        if field is None:
            continue
        default = (
            format_default(field.default)
            if field.literal_default and isinstance(field.default, int | float | bool)
            else (str(field.default) if field.literal_default else "(required)")
        )
        known = BY_SUFFIX.get(name.removeprefix(prefix))
        rows.append((settings.env_name(name), default, known.meaning if known else ""))
    return tuple(rows)


def _env_prefix(service: Service) -> str:
    return f"{service.name.upper()}_"


def service_facts(
    inventory: Inventory, service: Service, summary: str | None = None
) -> ServiceFacts | None:
    """What the service's section states; None when the inventory lacks a part of it."""
    claim = service.claim
    enum = service.status_enum
    statuses = service.statuses()
    if claim is None or claim.model is None or enum is None or service.job is None:
        return None
    if any(statuses.get(role) is None for role in Role):
        return None
    job_id = service.keywords.get("id")
    job_id_text = (
        str(job_id.value)
        if job_id is not None and job_id.value is not NOT_LITERAL
        else service.job.name
    )
    monitored = statuses[Role.MONITORED]
    retries = any(
        use.access == "write"
        and use.member == (claim.monitored[0].member if claim.monitored else "")
        for use in service.uses_of_enum()
    )
    return ServiceFacts(
        name=service.name,
        summary=summary or _summary(service),
        module_path=service.source.path,
        job_function=service.job.name,
        job_id=job_id_text,
        setup_function=service.site.function_name or "(module level)",
        model=claim.model.name,
        table=claim.model.table or claim.model.name,
        status_column=claim.attribute or "status",
        status_enum=enum.name,
        monitored=str(monitored),
        processing=str(statuses[Role.PROCESSING]),
        completed=str(statuses[Role.COMPLETED]),
        error=str(statuses[Role.ERROR]),
        env=env_rows(inventory, service),
        retries=retries,
    )


def _summary(service: Service) -> str:
    docstring = service.source.module.get_docstring()
    if docstring:
        first = docstring.strip().splitlines()[0].strip()
        _, _, rest = first.partition(":")
        text = (rest or first).strip()
        if text:
            return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return f"Processes the rows its claim selects ({service.job_name})."


def existing_summary(doc: ArchitectureDoc, name: str) -> str | None:
    """The summary paragraph of a managed service block (kept when skf re-renders it)."""
    body = doc.block_text("service", name)
    if body is None:
        return None
    paragraphs = [p.strip() for p in body.split("\n\n")]
    return paragraphs[1] if len(paragraphs) > 1 and paragraphs[1] else None


def render_service_block(inventory: Inventory, service: Service) -> str | None:
    doc = inventory.doc
    summary = existing_summary(doc, service.name) if doc is not None else None
    facts = service_facts(inventory, service, summary)
    return None if facts is None else render_service(facts)


def _existing_meanings(inventory: Inventory, enum: EnumInfo) -> dict[str, str]:
    doc = inventory.doc
    existing = doc.block_text("enum", enum.name) if doc is not None else None
    return table_rows(existing or "")


def _monitored_by(inventory: Inventory, enum: EnumInfo) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for service in inventory.services:
        status_enum = service.status_enum
        if status_enum is None or status_enum.qualified_name != enum.qualified_name:
            continue
        value = service.statuses().get(Role.MONITORED)
        if value is not None:
            found.setdefault(value, []).append(service.name)
    return found


def _places(inventory: Inventory, enum: EnumInfo) -> tuple[list[str], str | None]:
    """`table.column` places that store the enum, and its database type name."""
    used_by: list[str] = []
    type_name: str | None = None
    for model in models_in_package(inventory):
        for name, column in model.columns.items():
            if column.enum is not None and column.enum.qualified_name == enum.qualified_name:
                used_by.append(f"{model.table or model.name}.{name}")
                type_name = type_name or column.type_name
    return used_by, type_name


def enum_block(inventory: Inventory, enum: EnumInfo) -> str:
    """The ENUM entry: every value, keeping meanings the doc's managed block already gives."""
    existing = _existing_meanings(inventory, enum)
    monitored_by = _monitored_by(inventory, enum)
    meanings: dict[str, str] = {}
    for value in enum.values:
        if value in existing:
            meaning, noted = split_monitored(existing[value])
        else:
            role = role_of_spelling(value)
            meaning, noted = (_ROLE_MEANINGS.get(role, "") if role is not None else ""), []
        # The note follows the code: services that stopped monitoring the value leave it,
        # new ones are added after those already named (the order `skf new` appends in).
        monitors = monitored_by.get(value, [])
        named = [s for s in noted if s in monitors] + [s for s in monitors if s not in noted]
        meanings[value] = with_monitored(meaning, named)
    used_by, type_name = _places(inventory, enum)
    facts = EnumFacts(enum.name, type_name, tuple(used_by), tuple(enum.values), meanings)
    return render_enum_block(facts)
