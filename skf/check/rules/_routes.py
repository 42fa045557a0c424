"""Route handlers of the project, found only in the files that can matter to a rule."""

import libcst as cst

from skf.project.inventory import Inventory
from skf.project.routes import Route, guarded_routers, routes_in
from skf.project.source import SourceFile
from skf.project.tests_index import is_test_file


def route_sources(
    inventory: Inventory,
    needles: list[str] | None,
    *,
    every: bool = False,
    required: list[str] | None = None,
) -> list[SourceFile]:
    """Parsed route modules (not tests) whose text holds any (or, with `every`, all) of
    `needles` (None: every route module), and all of `required`."""
    scan = inventory.scan
    marked = [
        path for path in scan.marked("route") if not is_test_file(path, inventory.layout.tests_dir)
    ]
    if required:
        marked = scan.containing(marked, required)
    if needles is None:
        paths = marked
    elif every:
        paths = scan.containing(marked, needles)
    else:
        paths = scan.containing_any(marked, needles)
    sources: list[SourceFile] = []
    for path in paths:
        source = inventory.files.parsed(path)
        if source is not None:
            sources.append(source)
    return sources


def project_needles(inventory: Inventory) -> list[str]:
    """Text a route module that reaches the background services must contain: the import
    name of the services package or of the shared scheduler's module, a service module's
    name, or a job function's name."""
    layout = inventory.layout
    needles = [layout.services_import, layout.scheduler_import]
    for service in inventory.services:
        needles.append(service.source.module_name.rpartition(".")[2])
        if service.job is not None:
            needles.append(service.job.name)
    return [needle for needle in needles if needle]


def routes(inventory: Inventory, sources: list[SourceFile]) -> list[Route]:
    if not sources:
        return []
    # Only modules that import one of these route modules can include their routers.
    names = sorted({source.module_name.rpartition(".")[2] for source in sources})
    including = route_sources(inventory, names, required=["include_router"])
    guarded = guarded_routers(including, inventory.resolver)
    found: list[Route] = []
    for source in sources:
        found.extend(routes_in(source, inventory.resolver, guarded))
    return found


def calls_in(function: cst.FunctionDef) -> list[cst.Call]:
    found: list[cst.Call] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            found.append(node)

    function.body.visit(Finder())
    return found
