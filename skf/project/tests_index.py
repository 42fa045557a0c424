"""The test modules that exercise a service's job function, and what their tests cover.

A test module exercises the job when it refers to the job function by its qualified name,
through any import spelling (`from src.services import x_scheduler as service` then
`service.process_pending_x()`). Candidates are prefiltered by text: test files that contain
the job function's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

import libcst as cst

from skf.project.source import SourceFile

if TYPE_CHECKING:
    from skf.project.inventory import Inventory, Service

_ERROR_NAME = re.compile(
    r"(error|fail|exception|raise|retry|retries|crash|broken|invalid|timeout|rescue|stuck|"
    r"stale|lost|reject|refuse|abort|bad)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TestFunction:
    name: str
    node: cst.FunctionDef
    error_path: bool
    """Named for a failure, expecting an exception, or making something raise."""


@dataclass
class TestModule:
    path: str
    source: SourceFile
    tests: list[TestFunction] = field(default_factory=list)
    fixture: bool = False
    """A conftest.py handing the job to tests as a fixture: the tests that use it are not
    told apart, so it counts as exercising the job but not for the success/error split."""

    @property
    def success_tests(self) -> list[TestFunction]:
        return [t for t in self.tests if not t.error_path]

    @property
    def error_tests(self) -> list[TestFunction]:
        return [t for t in self.tests if t.error_path]


def is_test_file(path: str, tests_dir: str, *, conftest: bool = False) -> bool:
    posix = PurePosixPath(path)
    name = posix.name
    under = path.startswith(tests_dir.rstrip("/") + "/")
    return (under or "tests" in posix.parts[:-1]) and (
        name.startswith("test_")
        or name.endswith("_test.py")
        or (conftest and name == "conftest.py")
    )


def tests_for(inventory: Inventory, service: Service) -> list[TestModule]:
    cache: dict[str, list[TestModule]] = inventory.__dict__.setdefault("_tests_for", {})
    key = f"{service.source.path}:{service.site.line}:{service.site.column}"
    if key not in cache:
        cache[key] = _tests_for(inventory, service)
    return cache[key]


def _tests_for(inventory: Inventory, service: Service) -> list[TestModule]:
    job = service.job
    if job is None:
        return []
    candidates = [
        path
        for path in inventory.scan.digests
        if is_test_file(path, inventory.layout.tests_dir, conftest=True)
    ]
    candidates = inventory.scan.containing(sorted(candidates), [job.name])
    modules: list[TestModule] = []
    for path in candidates:
        source = inventory.files.parsed(path, names=False)
        if source is None:
            continue
        if not refers_to(source, job.qualified_name):
            continue
        fixture = PurePosixPath(path).name == "conftest.py"
        modules.append(TestModule(path, source, _test_functions(source), fixture))
    return modules


class _Imports(cst.CSTVisitor):
    """What a module imports of `qualified` (a function): directly, or its module by alias."""

    def __init__(self, source: SourceFile, qualified: str) -> None:
        super().__init__()
        self.source = source
        self.qualified = qualified
        self.module = qualified.rpartition(".")[0]
        self.aliases: set[str] = set()
        self.direct = False
        self.direct_alias: str | None = None

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = "" if node.module is None else self.source.code(node.module)
        if node.relative:
            base = self.source.resolve_relative("." * len(node.relative) + base)
        if isinstance(node.names, cst.ImportStar):
            self.direct = self.direct or base == self.module
            return
        for alias in node.names:
            imported = f"{base}.{alias.evaluated_name}"
            if imported == self.qualified:
                self.direct = True
                self.direct_alias = alias.evaluated_alias or alias.evaluated_name
            elif imported == self.module:
                self.aliases.add(alias.evaluated_alias or alias.evaluated_name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.evaluated_name == self.module:
                self.aliases.add(alias.evaluated_alias or self.module)


class _Reads(cst.CSTVisitor):
    def __init__(self, source: SourceFile, aliases: set[str], name: str) -> None:
        super().__init__()
        self.source = source
        self.aliases = aliases
        self.name = name
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == self.name and self.source.code(node.value) in self.aliases:
            self.found = True


def refers_to(source: SourceFile, qualified: str, *, reads_names: bool = False) -> bool:
    """Whether the module imports the function `qualified`, or imports its module and reads
    the function from it (with `reads_names`, an import counts only when the imported name
    is then used). Done on the syntax tree alone: test modules are many and large, and
    resolving every name in them (libcst's scope analysis) would cost more than the rest of
    the check."""
    imports = _Imports(source, qualified)
    source.module.visit(imports)
    if imports.direct and not reads_names:
        return True
    if imports.direct and _uses_name(source, imports.direct_alias or qualified.rpartition(".")[2]):
        return True
    if not imports.aliases:
        return False
    reads = _Reads(source, imports.aliases, qualified.rpartition(".")[2])
    source.module.visit(reads)
    return reads.found


def _uses_name(source: SourceFile, name: str) -> bool:
    """Whether `name` is used outside import statements."""
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            found = found or node.value == name

    source.module.visit(Finder())
    return found


def _test_functions(source: SourceFile) -> list[TestFunction]:
    found: list[TestFunction] = []

    def add(node: cst.FunctionDef) -> None:
        if node.name.value.startswith("test"):
            found.append(TestFunction(node.name.value, node, _is_error_path(node, source)))

    for statement in source.module.body:
        if isinstance(statement, cst.FunctionDef):
            add(statement)
        elif isinstance(statement, cst.ClassDef) and statement.name.value.startswith("Test"):
            for inner in statement.body.body:
                if isinstance(inner, cst.FunctionDef):
                    add(inner)
    return found


def _is_error_path(node: cst.FunctionDef, source: SourceFile) -> bool:
    if _ERROR_NAME.search(node.name.value):
        return True
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Raise(self, raise_node: cst.Raise) -> None:
            nonlocal found
            found = True

        def visit_Call(self, call: cst.Call) -> None:
            nonlocal found
            if source.code(call.func) in {"pytest.raises", "raises"}:
                found = True

    node.body.visit(Finder())
    return found
