"""The pattern's checklist for a generated service, each item ticked with its evidence.

Rendered by `skf.pr_checklist` (the renderer `skf checklist` uses), so `skf new` prints the
same Markdown a pull request gets. When skf's checker is installed (`skf.check.engine`), the
ticks come from a real check of the project after generation: an item is ticked when no
finding of this service maps to it, and an unticked one says what is missing and how to fix
it. Otherwise they are ticked from what the generator wrote, and the checklist says so.
"""

import dataclasses

from skf.config import Layout
from skf.generate.spec import ServiceSpec
from skf.pr_checklist import Evidence, ServiceChecklist, service_checklist
from skf.vocabulary import Role


def _evidence(
    layout: Layout, spec: ServiceSpec, module: str, test: str, settings: int
) -> dict[int, str]:
    upper = spec.service_name.upper()
    monitored = spec.statuses[Role.MONITORED]
    return {
        1: (
            f"`async def {spec.job_function}(limit: int = {layout.settings_instance}."
            f"{upper}_BATCH_SIZE)` with `async with {layout.session_factory}() as session`"
        ),
        2: (
            f"claims `{spec.model_class}.{spec.status_column} == {spec.status_enum}."
            f"{monitored.member}` with `.with_for_update(skip_locked=True)`"
        ),
        3: f"`{spec.setup_function}()` in {module}, called from {layout.startup_function}()",
        4: (
            f"{settings} settings in {layout.settings_module}, set for "
            f"`{layout.compose_service}` in {layout.compose_file}"
        ),
        5: f"`{spec.status_enum}` listed under Authoritative ENUMs in {layout.architecture_doc}",
        6: "runs logged with their counts; a failure is logged with its traceback and retried, "
        "then Error",
        7: f"section `{spec.service_name}` in {layout.architecture_doc}",
        8: f"{test}: success, retry then Error, rescue, concurrent runs on PostgreSQL",
    }


def checklist_for(
    layout: Layout,
    spec: ServiceSpec,
    module: str,
    test: str,
    *,
    settings: int,
    verify: bool = True,
) -> ServiceChecklist:
    """The checklist of the service just written to disk (`settings`: how many settings it
    got); `verify` checks the project as `skf check` and `skf checklist` do (suppressions
    applied, with the cache) when the checker is installed."""
    evidence: dict[int, list[Evidence]] = {
        number: [(text, None)]
        for number, text in _evidence(layout, spec, module, test, settings).items()
    }
    if verify:
        try:  # imported only when verifying: it costs a tenth of a second
            from skf.check.report import check_project
        except ImportError:  # the checker is not part of this installation
            verify = False
    if not verify:
        unchecked = service_checklist(spec.service_name, (), evidence=evidence)
        return dataclasses.replace(unchecked, verified=False)
    report = check_project(layout.root)
    return service_checklist(
        spec.service_name, report.result.findings, report.suppressed, evidence=evidence
    )
