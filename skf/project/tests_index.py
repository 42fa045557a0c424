"""The test modules that exercise a service's job function, and what their tests cover.

A test module exercises the job when it imports the job function, or imports its module and
reads the function from it, through any import spelling (`from src.services import
x_scheduler as service` then `service.process_pending_x()`). Candidates are prefiltered by
text (test files that contain the job function's name), then read with Python's own `ast`:
nothing here needs more than imports, attribute reads and function names, and test modules
are many and large (libcst with scope analysis costs some ten times more per line).
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from skf.project.files import ProjectFiles
from skf.project.source import ParseFailure, SourceFile

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
    line: int
    error_path: bool
    """Named for a failure, expecting an exception, or making something raise."""


@dataclass
class TestModule:
    path: str
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
    cache: dict[str, list[TestModule]] = inventory.caches.setdefault("tests_for", {})
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
    modules: list[TestModule] = []
    for path in inventory.scan.containing(sorted(candidates), [job.name]):
        index = module_index(inventory.files, path)
        if index is None or not refers_to(index, job.qualified_name):
            continue
        fixture = PurePosixPath(path).name == "conftest.py"
        modules.append(TestModule(path, index.tests, fixture))
    return modules


@dataclass
class ModuleIndex:
    """What one module imports and reads, gathered in one pass over its syntax tree."""

    imported: dict[str, str] = field(default_factory=dict)
    """Local name (dotted `a.b` for `import a.b`) -> the qualified name it stands for."""
    star: set[str] = field(default_factory=set)
    reads: set[tuple[str, str]] = field(default_factory=set)
    """(`value` as written, attribute) of every `value.attribute` read."""
    names: set[str] = field(default_factory=set)
    """Every name used outside import statements."""
    tests: list[TestFunction] = field(default_factory=list)


_INDEXES: dict[tuple[str, str], ModuleIndex] = {}


def module_index(files: ProjectFiles, path: str) -> ModuleIndex | None:
    """The index of the module at `path`; None (and a parse failure recorded, to be
    reported) when it is not valid Python."""
    if path in files.parse_failures:
        return None
    source = files.source(path)
    key = (f"{path}\0{source.module_name}", source.text)
    found = _INDEXES.get(key)
    if found is not None:
        return found
    if source.failure is not None:
        files.parse_failures[path] = source.failure
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source.text, path)
    except SyntaxError as error:
        files.parse_failures[path] = ParseFailure(
            path, max(error.lineno or 1, 1), max(error.offset or 1, 1), error.msg
        )
        return None
    except (ValueError, RecursionError, MemoryError) as error:
        files.parse_failures[path] = ParseFailure(path, 1, 1, f"cannot parse: {error}")
        return None
    found = _build(tree, source)
    if len(_INDEXES) > 512:
        _INDEXES.clear()
    _INDEXES[key] = found
    return found


def _build(tree: ast.Module, source: SourceFile) -> ModuleIndex:
    index = ModuleIndex()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            base = source.resolve_relative("." * node.level + module) if node.level else module
            for alias in node.names:
                if alias.name == "*":
                    index.star.add(base)
                else:
                    index.imported[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                index.imported[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name | ast.Attribute):
                index.reads.add((ast.unparse(node.value), node.attr))
        elif isinstance(node, ast.Name):
            index.names.add(node.id)
    index.tests = _test_functions(tree)
    return index


def refers_to(index: ModuleIndex, qualified: str, *, reads_names: bool = False) -> bool:
    """Whether the module imports the function `qualified`, or imports its module and reads
    the function from it (with `reads_names`, an import counts only when the imported name
    is then used)."""
    module, _, name = qualified.rpartition(".")
    if module in index.star:
        return not reads_names or name in index.names
    direct = [local for local, target in index.imported.items() if target == qualified]
    if direct and (not reads_names or any(local in index.names for local in direct)):
        return True
    aliases = [local for local, target in index.imported.items() if target == module]
    return any((alias, name) in index.reads for alias in aliases)


def _test_functions(tree: ast.Module) -> list[TestFunction]:
    found: list[TestFunction] = []
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            functions.append(statement)
        elif isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
            functions.extend(
                inner
                for inner in statement.body
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    for function in functions:
        if function.name.startswith("test"):
            found.append(TestFunction(function.name, function.lineno, _is_error_path(function)))
    return found


def _is_error_path(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if _ERROR_NAME.search(function.name):
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Raise):
            return True
        if isinstance(node, ast.Call) and ast.unparse(node.func) in {"pytest.raises", "raises"}:
            return True
    return False
