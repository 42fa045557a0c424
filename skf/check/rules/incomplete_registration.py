"""SKF103 incomplete-registration: `add_job` without an `id` or `replace_existing=True`."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.fixes import FixPlan, add_keywords
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory, Service

_INCOMPLETE = service_variant(
    ("        id=JOB_ID,\n", ""),
    ("        replace_existing=True,\n", ""),
)


class IncompleteRegistration(Rule):
    code = "SKF103"
    name = "incomplete-registration"
    checklist_item: ClassVar[int | None] = 3
    summary = "The job is added with an `id` and `replace_existing=True`."
    what_it_does = (
        "Reports an `add_job(...)` registration of a background service that does not give "
        "the job an `id`, or does not pass `replace_existing=True`."
    )
    why_is_this_bad = (
        "Without an id, APScheduler names the job after its function and a second "
        "registration (a reload, a test, a persistent job store) adds a duplicate that runs "
        "alongside the first; the dev trigger and the queue status endpoint cannot find it "
        "by a stable id either. Without `replace_existing=True`, registering again with a "
        "persistent job store fails at startup with ConflictingIdError."
    )
    fix_applicability = "safe"
    fix_description = (
        'Adds `replace_existing=True` (safe) and `id="<job function>"` (unsafe: with a '
        "persistent job store the job registered under APScheduler's default id stays there "
        "next to the new one) to the registration."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _INCOMPLETE},
            focus=SERVICE,
            expected_lines=(line_of(_INCOMPLETE, "scheduler.add_job("),),
            fixed={
                SERVICE: service_variant(
                    ("        id=JOB_ID,\n", ""),
                    (
                        "        coalesce=settings.EMAIL_SENDER_COALESCE,\n"
                        "        replace_existing=True,\n",
                        "        coalesce=settings.EMAIL_SENDER_COALESCE,\n"
                        '        id="process_pending_email_messages",\n'
                        "        replace_existing=True,\n",
                    ),
                )
            },
            note="Fixed only with --unsafe-fixes: the job's id changes.",
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            missing = _missing(service)
            if missing:
                yield self.at(
                    f"the registration of {service.name} lacks " + " and ".join(missing),
                    service.source,
                    _location(service.call),
                    service=service.name,
                    symbol="registration",
                    # A new id is a new job to a persistent job store: the old one stays.
                    fix=self.default_fix("unsafe" if "id" not in service.keywords else "safe"),
                )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = next((s for s in inventory.services if s.name == finding.service), None)
        if service is None or service.source.path != finding.path:
            return False
        call = service.call
        if service.source.line_of(_location(call)) != finding.line or any(
            a.star for a in call.args
        ):
            return False
        additions: list[str] = []
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if "id" not in keywords:
            additions.append(f'id="{service.job_name}"')
        existing = keywords.get("replace_existing")
        if existing is None:
            additions.append("replace_existing=True")
        elif service.keywords["replace_existing"].kind == "literal":
            plan.replace(service.source, existing.value, "True")
        if additions:
            add_keywords(plan, service.source, call, additions)
        return not plan.empty


def _missing(service: Service) -> list[str]:
    missing: list[str] = []
    call = service.call
    if any(arg.star == "**" for arg in call.args):
        return missing  # options passed as **kwargs: cannot tell
    keywords = service.keywords
    if "id" not in keywords:
        missing.append("an `id`")
    replace = keywords.get("replace_existing")
    if replace is None:
        missing.append("`replace_existing=True`")
    elif replace.kind in {"literal", "variable"} and replace.value is not True:
        missing.append(f"`replace_existing=True` (it is {replace.value!r})")
    return missing


def _location(call: cst.Call) -> cst.CSTNode:
    func = call.func
    return func.attr if isinstance(func, cst.Attribute) else call
