"""SKF206 broken-trigger: API modules import and call only what exists."""

from collections.abc import Iterator
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import DEV_TOOLS_API
from skf.check.rules._routes import project_needles, route_sources, routes
from skf.check.rules.unguarded_trigger import DEV_TOOLS_VALID
from skf.project.inventory import Inventory
from skf.project.source import SourceFile

_RENAMED = DEV_TOOLS_VALID.replace(
    "    job = scheduler.get_job(job_id)\n",
    "    from src.services.email_scheduler import process_pending_emails\n\n"
    '    if job_id == "emails":\n'
    "        await process_pending_emails()\n"
    "    job = scheduler.get_job(job_id)\n",
)


class BrokenTrigger(Rule):
    code = "SKF206"
    name = "broken-trigger"
    checklist_item: ClassVar[int | None] = None
    summary = "API modules (manual triggers) import and call only project code that exists."
    what_it_does = (
        "In the modules that define HTTP routes, checks every import of a project module, "
        "at module level or inside a handler, and every `module.function` read from an "
        "imported project module: the module must exist and define the name. Imports "
        "guarded by `try/except ImportError` or `if TYPE_CHECKING` are skipped."
    )
    why_is_this_bad = (
        "An import inside a handler fails only when the endpoint is called: REAL_WORLD's "
        "manual trigger imported a module removed in a rename and always failed, which "
        "nobody noticed until they needed it."
    )
    VALID = (Example(files={DEV_TOOLS_API: DEV_TOOLS_VALID}, focus=DEV_TOOLS_API),)
    INVALID = (
        Example(
            files={DEV_TOOLS_API: _RENAMED},
            focus=DEV_TOOLS_API,
            expected_lines=(
                _RENAMED.count("\n", 0, _RENAMED.index("from src.services.email_scheduler")) + 1,
            ),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        sources = route_sources(inventory, project_needles(inventory))
        with_routes = {r.source.path: r.source for r in routes(inventory, sources)}
        for source in with_routes.values():
            collector = _Imports(source)
            source.module.visit(collector)
            missing_modules: set[str] = set()
            for node, module, name in collector.imports:
                if module in missing_modules:
                    continue
                problem = _problem(inventory, module, name)
                if problem is None:
                    continue
                if name is None:
                    missing_modules.add(module)
                yield self.at(problem, source, node, symbol=f"{module}.{name}" if name else module)
            for node, module, name in collector.reads:
                if inventory.resolver.defines(module, name) is False:
                    yield self.at(
                        f"`{module}` has no `{name}`: this call fails whenever it runs",
                        source,
                        node,
                        symbol=f"{module}.{name}",
                    )


def _problem(inventory: Inventory, module: str, name: str | None) -> str | None:
    files = inventory.files
    top = module.split(".")[0]
    if not top or not (files.is_package(top) or files.module_file(top)):
        return None  # not project code
    exists = files.module_file(module) is not None or files.is_package(module)
    if not exists:
        return f"module `{module}` does not exist in the project: this import always fails"
    if name is not None and inventory.resolver.defines(module, name) is False:
        return f"`{module}` has no `{name}`: this import always fails"
    return None


class _Imports(cst.CSTVisitor):
    """Imports of a module (outside import guards) and `alias.name` reads of imported modules."""

    def __init__(self, source: SourceFile) -> None:
        super().__init__()
        self.source = source
        self.imports: list[tuple[cst.CSTNode, str, str | None]] = []
        self.reads: list[tuple[cst.CSTNode, str, str]] = []
        self._modules: dict[str, str] = {}

    def visit_Try(self, node: cst.Try) -> bool:
        guarded = any(
            (handler.type is not None and "ImportError" in self.source.code(handler.type))
            or (
                handler.type is not None and "ModuleNotFoundError" in self.source.code(handler.type)
            )
            for handler in node.handlers
        )
        return not guarded

    def visit_If(self, node: cst.If) -> bool:
        return "TYPE_CHECKING" not in self.source.code(node.test)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = "" if node.module is None else self.source.code(node.module)
        if node.relative:
            module = self.source.resolve_relative("." * len(node.relative) + module)
        if not module:
            return
        self.imports.append((node, module, None))
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self.imports.append((alias, module, alias.evaluated_name))
            self._modules[alias.evaluated_alias or alias.evaluated_name] = (
                f"{module}.{alias.evaluated_name}"
            )

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.imports.append((alias, alias.evaluated_name, None))
            if alias.asname is not None:
                self._modules[alias.evaluated_alias or ""] = alias.evaluated_name

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in self._modules:
            module = self._modules[node.value.value]
            self.reads.append((node, module, node.attr.value))
