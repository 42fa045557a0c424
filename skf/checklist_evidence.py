"""Where the code satisfies each checklist item of a service: `file:line` evidence for
`skf checklist`, read from the inventory (the same facts the rules judge).

Evidence is shown for a ticked item, so a reviewer can open the lines that satisfy it; an
item is ticked or not by the checker's findings alone, never by what is found here.
"""

from collections.abc import Callable

import libcst as cst

from skf.check.findings import plural
from skf.check.rules._failures import handlers, log_lines
from skf.check.rules.undocumented_service import section_of
from skf.pr_checklist import Evidence
from skf.project.inventory import Inventory, Service
from skf.project.literals import NOT_LITERAL
from skf.project.sessions import session_blocks
from skf.project.source import SourceFile
from skf.project.tests_index import tests_for
from skf.service_list import Configured, ValueReader
from skf.vocabulary import Role


def _at(source: SourceFile, node: cst.CSTNode) -> str:
    return f"{source.path}:{source.line_of(node)}"


def _job(inventory: Inventory, service: Service) -> list[Evidence]:
    job = service.job
    if job is None or not isinstance(job.node, cst.FunctionDef):
        return []
    kind = "async def" if job.node.asynchronous is not None else "def"
    found: list[Evidence] = [(f"job `{kind} {job.name}()`", _at(job.source, job.node))]
    batch = service.batch
    if batch is not None and batch.parameter is not None and batch.value.kind == "setting":
        found.append(
            (
                f"batch size `{batch.parameter}` defaults to setting `{batch.value.setting}`",
                _at(job.source, batch.node) if batch.node is not None else None,
            )
        )
    for frame in service.frames:
        shared = [
            block
            for block in session_blocks(frame, inventory.builder, inventory.semantics)
            if block.kind == "shared"
        ]
        if shared:
            block = shared[0]
            found.append((f"session from `{block.opened_by}`", _at(frame.source, block.site.item)))
            break
    return found


def _claim(inventory: Inventory, service: Service) -> list[Evidence]:
    claim = service.claim
    if claim is None:
        return []
    query = claim.query
    monitored = service.statuses().get(Role.MONITORED) or "?"
    model = claim.model.name if claim.model is not None else "the model"
    lock = " with `FOR UPDATE SKIP LOCKED`" if query.skip_locked else ""
    node = query.with_for_update or query.outer
    return [(f"claims `{model}` rows in `{monitored}`{lock}", _at(query.source_of(node), node))]


def _registration(inventory: Inventory, service: Service) -> list[Evidence]:
    job_id = service.keywords.get("id")
    id_text = (
        f" (job id `{job_id.value}`)"
        if job_id is not None and job_id.value is not NOT_LITERAL
        else ""
    )
    where = f"`{service.site.function_name}()`" if service.setup is not None else "module level"
    found: list[Evidence] = [
        (
            f"{where} adds the job to the shared scheduler{id_text}",
            _at(service.source, service.call),
        )
    ]
    startup = inventory.files.parsed(inventory.layout.startup_module)
    if startup is not None and service.setup_qualified is not None:
        calls = _calls_to(startup, service.setup_qualified)
        if calls:
            found.append(
                (f"`{service.site.function_name}()` called at startup", _at(startup, calls[0]))
            )
    return found


def _calls_to(source: SourceFile, target: str) -> list[cst.Call]:
    calls: list[cst.Call] = []

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if target in source.qualified_names(node.func):
                calls.append(node)

    source.module.visit(Calls())
    return calls


def _environment(inventory: Inventory, service: Service) -> list[Evidence]:
    reader = ValueReader(inventory)
    values: list[tuple[str, Configured]] = []
    if service.trigger is not None:
        values += [
            (f"interval ({name})", reader.read(v)) for name, v in service.trigger.fields.items()
        ]
    if service.batch is not None:
        values.append(("batch size", reader.read(service.batch.value)))
    for keyword, what in (
        ("max_instances", "max instances"),
        ("misfire_grace_time", "misfire grace"),
    ):
        source = service.keywords.get(keyword)
        if source is not None:
            values.append((what, reader.read(source)))
    found: list[Evidence] = []
    for what, value in values:
        if value.setting is None:
            continue
        deployed = (
            f", set to {value.value} in compose at {value.location}"
            if value.source == "compose"
            else ""
        )
        settings = inventory.settings
        field = settings.fields.get(value.setting) if settings is not None else None
        where = f"{settings.path}:{field.line}" if settings is not None and field else None
        default = f" (default {value.default})" if value.default is not None else ""
        found.append((f"{what}: `{value.env or value.setting}`{default}{deployed}", where))
    return found


def _enum_docs(inventory: Inventory, service: Service) -> list[Evidence]:
    doc = inventory.doc
    enum = service.status_enum
    if doc is None or enum is None:
        return []
    entry = doc.enums().get(enum.name)
    if entry is None:
        return []
    values = ", ".join(f"`{value}`" for value in entry.values)
    return [
        (
            f"`{enum.name}` listed under Authoritative ENUMs: {values}",
            f"{inventory.layout.architecture_doc}:{entry.line}",
        )
    ]


def _logging(inventory: Inventory, service: Service) -> list[Evidence]:
    job = service.job_frame
    if job is None:
        return []
    found: list[Evidence] = []
    frames = [job] + [f for f in service.frames if f.caller is job and f.via in {"call", "method"}]
    for frame in frames:
        logs, _final, _awaits = log_lines(inventory, frame)
        if logs:
            found.append((f"runs logged in `{frame.name}()`", f"{frame.source.path}:{min(logs)}"))
            break
    logged = [
        handler
        for handler in handlers(inventory, service)
        if handler.handles_items and handler.logs_traceback and not handler.swallows
    ]
    # The handler that marks the failed row (or hands the error on to what marks it) is the
    # evidence; one that only re-raises (a run aborted) is not about an item.
    marking = [h for h in logged if h.writes_status or h.hands_on] or logged
    if marking:
        found.append(
            (
                "a failed item is logged with its traceback and its row marked",
                _at(marking[0].frame.source, marking[0].node),
            )
        )
    return found


def _service_docs(inventory: Inventory, service: Service) -> list[Evidence]:
    doc = inventory.doc
    section = section_of(doc, service) if doc is not None else None
    if section is None:
        return []
    kept = "maintained by `skf docs`" if section.managed else "written by hand"
    return [
        (
            f"section `### {section.name}` ({kept})",
            f"{inventory.layout.architecture_doc}:{section.line}",
        )
    ]


def _tests(inventory: Inventory, service: Service) -> list[Evidence]:
    found: list[Evidence] = []
    for module in tests_for(inventory, service):
        if not module.tests:
            found.append((f"`{module.path}` hands the job to tests", module.path))
            continue
        errors = len(module.error_tests)
        found.append(
            (
                f"`{module.path}`: {plural(len(module.tests), 'test')}, {errors} on error paths",
                f"{module.path}:{module.tests[0].line}",
            )
        )
    return found


_EVIDENCE: dict[int, Callable[[Inventory, Service], list[Evidence]]] = {
    1: _job,
    2: _claim,
    3: _registration,
    4: _environment,
    5: _enum_docs,
    6: _logging,
    7: _service_docs,
    8: _tests,
}


def evidence(inventory: Inventory, service: Service) -> dict[int, list[Evidence]]:
    """Checklist item number -> where the code satisfies it (empty when skf sees nothing)."""
    return {number: find(inventory, service) for number, find in _EVIDENCE.items()}
