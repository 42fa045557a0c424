"""SKF205 unguarded-trigger: a manual trigger endpoint refuses requests it should not serve."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import DEV_TOOLS_API
from skf.check.rules._routes import calls_in, project_needles, route_sources, routes
from skf.project.inventory import Inventory, Service
from skf.project.routes import Route

DEV_TOOLS_VALID = '''\
"""Dev/test tools: run a background job now, through the shared scheduler."""

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, status

from src.config.settings import settings
from src.scheduler_instance import scheduler
from src.status_queue import utcnow


def require_dev_tools(x_dev_token: Annotated[str | None, Header()] = None) -> None:
    if not settings.DEV_TOOLS_ENABLED:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    expected = settings.DEV_TOOLS_TOKEN
    if expected is None or not secrets.compare_digest(
        (x_dev_token or "").encode(), expected.get_secret_value().encode()
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "dev tools need a valid X-Dev-Token")


router = APIRouter(prefix="/dev", tags=["dev-tools"], dependencies=[Depends(require_dev_tools)])


@router.post("/jobs/{job_id}/run", status_code=status.HTTP_202_ACCEPTED)
async def run_job_now(job_id: str) -> dict[str, Any]:
    job = scheduler.get_job(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scheduled job {job_id!r}")
    job.modify(next_run_time=utcnow())
    return {"job_id": job_id, "scheduled_for": job.next_run_time}
'''
_OPEN = DEV_TOOLS_VALID.replace(
    ", dependencies=[Depends(require_dev_tools)])",
    ")",
)
_DIRECT = '''\
"""Dev/test tools."""

from fastapi import APIRouter

from src.services.email_sender_scheduler import process_pending_email_messages

router = APIRouter(prefix="/dev")


@router.post("/email-sender/run")
async def run_email_sender() -> dict[str, int]:
    summary = await process_pending_email_messages()
    return {"completed": summary.completed}
'''
_TRIGGER_METHODS = frozenset(
    {"modify", "modify_job", "run_job", "reschedule_job", "resume_job", "add_job", "wakeup"}
)


class UnguardedTrigger(Rule):
    code = "SKF205"
    name = "unguarded-trigger"
    checklist_item: ClassVar[int | None] = None
    summary = "A manual trigger endpoint has an access guard."
    what_it_does = (
        "Finds HTTP routes (FastAPI) that run a background job: they call a service's job, "
        "setup or module function, or make the scheduler run a job now (`job.modify("
        "next_run_time=...)`, `run_job`, `add_job`). Reports those no dependency that can "
        "refuse the request applies to (router or route `dependencies=`, a `Depends`/"
        "`Security` parameter, `include_router(..., dependencies=)`, or an `if ...: raise` "
        "at the top of the handler)."
    )
    why_is_this_bad = (
        "The pattern allows a manual trigger 'for dev/test if needed'. Without a guard it is "
        "a production endpoint anyone can call to run paid API calls, hammer the database, or "
        "reprocess rows. REAL_WORLD's trigger had no dev-mode guard."
    )
    VALID = (Example(files={DEV_TOOLS_API: DEV_TOOLS_VALID}, focus=DEV_TOOLS_API),)
    INVALID = (
        Example(
            files={DEV_TOOLS_API: _OPEN},
            focus=DEV_TOOLS_API,
            expected_lines=(_OPEN.count("\n", 0, _OPEN.index("async def run_job_now")) + 1,),
        ),
        Example(
            files={DEV_TOOLS_API: _DIRECT},
            focus=DEV_TOOLS_API,
            expected_lines=(
                _DIRECT.count("\n", 0, _DIRECT.index("async def run_email_sender")) + 1,
            ),
            note="Calling the job from a request also skips the scheduler's max_instances.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        services = inventory.services
        if not services:
            return
        for route in routes(inventory, route_sources(inventory, project_needles(inventory))):
            if route.guard is not None:
                continue
            trigger = _trigger(inventory, route)
            if trigger is None:
                continue
            what, triggered = trigger
            yield self.at(
                f"the endpoint `{route.name}` {what} but has no access guard (a dependency "
                "that refuses the request unless dev tools are enabled or the caller is "
                "authorised)",
                route.source,
                route.function.name,
                service=triggered.name if triggered is not None else None,
                symbol=route.name,
            )


def _trigger(inventory: Inventory, route: Route) -> tuple[str, Service | None] | None:
    semantics = inventory.semantics
    source = route.source
    for call in calls_in(route.function):
        names = {semantics.canonical(q) for q in source.qualified_names(call.func)}
        for service in inventory.services:
            if service.job is not None and service.job.qualified_name in names:
                return f"runs the job of {service.name} directly", service
            if service.setup_qualified is not None and service.setup_qualified in names:
                return f"registers {service.name}", service
            prefix = service.source.module_name + "."
            if any(name.startswith(prefix) for name in names):
                return f"calls into the module of {service.name}", service
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in _TRIGGER_METHODS:
            if func.attr.value == "modify" and not any(
                a.keyword is not None and a.keyword.value == "next_run_time" for a in call.args
            ):
                continue
            return "makes the scheduler run a job", None
    return None
