"""SKF133 setup-never-called: the application calls every service's setup function."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE
from skf.project.inventory import Inventory, Service
from skf.project.tests_index import is_test_file, module_index, refers_to

_MAIN = "src/main.py"
_MAIN_WITHOUT = '''\
"""The FastAPI application."""

from fastapi import FastAPI

app = FastAPI(title="example_service")
'''


class SetupNeverCalled(Rule):
    code = "SKF133"
    name = "setup-never-called"
    checklist_item: ClassVar[int | None] = 3
    summary = "Every `setup_<service>_scheduler()` is called by the application."
    what_it_does = (
        "Reports a service whose setup function no module of the application refers to "
        "(tests do not count): its job is never added to the scheduler."
    )
    why_is_this_bad = (
        "The job silently never runs. REAL_WORLD: a poller disabled with no replacement "
        "processed nothing for 69 days before anyone noticed; nothing fails, the queue just "
        "grows."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: REFERENCE_SERVICE, _MAIN: _MAIN_WITHOUT},
            focus=SERVICE,
            expected_lines=(
                REFERENCE_SERVICE.count(
                    "\n", 0, REFERENCE_SERVICE.index("def setup_email_sender_scheduler")
                )
                + 1,
            ),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            if service.setup is None or service.setup_qualified is None:
                continue
            if _called(inventory, service):
                continue
            yield self.at(
                f"`{service.setup.name.value}()` is never called by the application: the job "
                f"of {service.name} is never scheduled",
                service.source,
                service.setup.name,
                service=service.name,
                symbol=service.setup.name.value,
            )


def _called(inventory: Inventory, service: Service) -> bool:
    assert service.setup is not None
    assert service.setup_qualified is not None
    name = service.setup.name.value
    tests_dir = inventory.layout.tests_dir
    candidates = [
        path
        for path in inventory.scan.containing(inventory.scan.marked("setup_reference"), [name])
        if not is_test_file(path, tests_dir)
    ]
    for path in candidates:
        if path == service.source.path:
            if _used_in_module(service.source.module, service.setup):
                return True
            continue
        index = module_index(inventory.files, path)
        if index is not None and refers_to(index, service.setup_qualified, reads_names=True):
            return True
    return False


def _used_in_module(module: cst.Module, setup: cst.FunctionDef) -> bool:
    name = setup.name.value
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            if node.value == name and node is not setup.name:
                found = True

    module.visit(Finder())
    return found
