"""Finding job registrations: `<scheduler>.add_job(...)` calls and the scheduler they target.

A registration counts when it adds a job to the shared scheduler instance (resolved through
imports and aliases), to a scheduler the project creates itself (`AsyncIOScheduler()`: a
private scheduler, reported), or, inside a `setup_<name>_scheduler` function, to any
scheduler (one passed in as a parameter, for example). `self.add_job(...)` inside a scheduler
class (APScheduler's own code) is not a registration.

Per file, the result is plain data cached by content hash, so an unchanged candidate file is
never parsed again just to learn that it registers nothing; many uncached candidates are
parsed in parallel processes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import libcst as cst

from skf.config import Layout, load_layout
from skf.project.cache import Cache, digest
from skf.project.files import ProjectFiles
from skf.project.resolve import Resolver
from skf.project.scan import Scan
from skf.project.source import ParseFailure, SourceFile

SETUP_NAME = re.compile(r"^setup_(?P<name>[A-Za-z0-9_]+?)_scheduler$")
SchedulerKind = Literal["shared", "private", "parameter", "unknown"]
PARALLEL_MIN_BYTES = 1_500_000
"""Below this much uncached candidate source, starting worker processes costs more than it saves."""
_CACHE_NAMESPACE = "registrations"


@dataclass(frozen=True)
class RegistrationSite:
    path: str
    scope: str
    """The function holding the call (libcst scope name), or `<module>`."""
    line: int
    column: int
    scheduler: SchedulerKind
    scheduler_origin: str | None = None
    """For a private scheduler: where it is created (`module.name`)."""

    @property
    def function_name(self) -> str | None:
        return None if self.scope == "<module>" else self.scope.rpartition(".")[2]

    @property
    def setup_service(self) -> str | None:
        """`email_sender` for `setup_email_sender_scheduler`."""
        name = self.function_name
        match = SETUP_NAME.match(name) if name else None
        return match.group("name") if match else None


@dataclass(frozen=True)
class ParseError:
    path: str
    line: int
    column: int
    message: str


def scope_name(stack: list[tuple[str, str]]) -> str:
    """libcst's name for the innermost scope of `stack` ((kind, name) pairs, outermost
    first): `f`, `C.m`, `f.<locals>.g`; `<module>` when empty."""
    if not stack:
        return "<module>"
    name = stack[0][1]
    for (kind, _), (_, inner) in itertools.pairwise(stack):
        name += f".<locals>.{inner}" if kind == "function" else f".{inner}"
    return name


class _AddJobCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.found: list[tuple[str, cst.Call]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(("function", node.name.value))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(("class", node.name.value))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "add_job":
            if self.stack and self.stack[-1][0] == "class":
                return  # a class body: not a function or module statement
            self.found.append((scope_name(self.stack), node))


def add_job_calls(source: SourceFile) -> list[tuple[str, cst.Call]]:
    """Every `<x>.add_job(...)` call with the scope it is in."""
    visitor = _AddJobCalls()
    source.module.visit(visitor)
    return visitor.found


def classify_scheduler(
    receiver: cst.BaseExpression, source: SourceFile, resolver: Resolver, layout: Layout
) -> tuple[SchedulerKind, str | None] | None:
    """Which scheduler `receiver` (of `.add_job`) is; None for `self`/`cls` (a scheduler's
    own methods)."""
    if isinstance(receiver, cst.Name) and receiver.value in {"self", "cls"}:
        return None
    shared = f"{layout.scheduler_import}.{layout.scheduler_name}"
    node, current = receiver, source
    for _ in range(8):
        if _is_shared(node, current, resolver, shared):
            return "shared", None
        step = resolver.step(node, current, None)
        if step is None:
            break
        node, current = step[1].node, step[1].source
    if isinstance(node, cst.Call):
        callee = current.qualified_names(node.func)
        if any(q.startswith("apscheduler.") and q.endswith("Scheduler") for q in callee):
            return "private", _origin(receiver, source, resolver)
        return "unknown", None
    if isinstance(node, cst.Name) and _is_parameter(node, current, resolver):
        return "parameter", None
    return "unknown", None


def _is_shared(
    node: cst.BaseExpression, source: SourceFile, resolver: Resolver, shared: str
) -> bool:
    for qualified in source.qualified_names(node):
        if qualified == shared:
            return True
        definition = resolver.definition(qualified) if "<locals>" not in qualified else None
        if definition is not None and definition.qualified_name == shared:
            return True
    return False


def _is_parameter(node: cst.Name, source: SourceFile, resolver: Resolver) -> bool:
    for qualified in source.qualified_names(node):
        local = qualified.removeprefix(source.module_name + ".")
        scope, _, name = local.rpartition(".<locals>.")
        function = resolver.function_in(source, scope) if scope else None
        if function is not None and any(
            p.name.value == name for p in (*function.params.params, *function.params.kwonly_params)
        ):
            return True
    return False


def _origin(receiver: cst.BaseExpression, source: SourceFile, resolver: Resolver) -> str | None:
    for qualified in sorted(source.qualified_names(receiver)):
        definition = resolver.definition(qualified) if "<locals>" not in qualified else None
        if definition is not None:
            return definition.qualified_name
        return qualified
    return None


def registrations_in(
    source: SourceFile, calls: list[tuple[str, cst.Call]], resolver: Resolver, layout: Layout
) -> list[RegistrationSite]:
    """The registrations among `source`'s `add_job` calls (`add_job_calls(source)`)."""
    sites: list[RegistrationSite] = []
    for scope, call in calls:
        func = call.func
        assert isinstance(func, cst.Attribute)
        kind = classify_scheduler(func.value, source, resolver, layout)
        if kind is None:
            continue
        scheduler, origin = kind
        line, column, _, _ = source.position(call)
        site = RegistrationSite(source.path, scope, line, column, scheduler, origin)
        if scheduler in {"shared", "private"} or site.setup_service is not None:
            sites.append(site)
    return sites


def _discover_in_worker(root: str, path: str) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    layout = load_layout(Path(root))
    files = ProjectFiles(layout)
    return _discover_here(path, files, Resolver(files), layout)


_Outcome = tuple[list[dict[str, Any]], dict[str, Any] | None]


def _discover_here(path: str, files: ProjectFiles, resolver: Resolver, layout: Layout) -> _Outcome:
    source = files.parsed(path, names=False)
    if source is None:
        return [], _error_json(files.parse_failures[path])
    calls = add_job_calls(source)
    if all(_on_self(call) for _, call in calls):
        # A scheduler's own methods (APScheduler's code): no name resolution needed.
        return [], None
    if files.parsed(path) is None:
        return [], _error_json(files.parse_failures[path])
    return [asdict(site) for site in registrations_in(source, calls, resolver, layout)], None


def _on_self(call: cst.Call) -> bool:
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value in {"self", "cls"}
    )


def _error_json(failure: ParseFailure) -> dict[str, Any]:
    return {
        "path": failure.path,
        "line": failure.line,
        "column": failure.column,
        "message": failure.message,
    }


def discover(
    scan: Scan,
    files: ProjectFiles,
    resolver: Resolver,
    cache: Cache,
) -> tuple[list[RegistrationSite], list[ParseError]]:
    """Every registration in the project, and the candidate files that do not parse."""
    layout = files.layout
    outcomes: dict[str, _Outcome] = {}
    pending: list[str] = []
    for path in scan.marked("registration"):
        cached = cache.get(_CACHE_NAMESPACE, _key(layout, scan, path))
        if isinstance(cached, dict) and isinstance(cached.get("sites"), list):
            outcomes[path] = (cached["sites"], cached.get("error"))
        else:
            pending.append(path)
    if _worth_parallel(scan, pending):
        workers = min(len(pending), os.cpu_count() or 1)
        # spawn, not fork: the checker may run inside a threaded process (an IDE, pytest).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            computed = list(
                pool.map(_discover_in_worker, [str(layout.root)] * len(pending), pending)
            )
    else:
        computed = [_discover_here(path, files, resolver, layout) for path in pending]
    for path, outcome in zip(pending, computed, strict=True):
        sites_json, error_json = outcome
        cache.put(
            _CACHE_NAMESPACE,
            _key(layout, scan, path),
            {"sites": sites_json, "error": error_json},
        )
        outcomes[path] = outcome
    found: list[RegistrationSite] = []
    errors: list[ParseError] = []
    for sites_json, error_json in outcomes.values():
        found.extend(RegistrationSite(**site) for site in sites_json)
        if error_json:
            errors.append(ParseError(**error_json))
    return sorted(found, key=lambda s: (s.path, s.line, s.column)), errors


def _key(layout: Layout, scan: Scan, path: str) -> str:
    # Which scheduler a call targets depends on the file, its import name, the layout and
    # the shared scheduler's module (the usual re-export point).
    parts = (
        scan.digests[path],
        path,
        layout.scheduler_module,
        layout.scheduler_name,
        layout.source_root,
        scan.digests.get(layout.scheduler_module, ""),
    )
    return digest("\0".join(parts).encode())


def _worth_parallel(scan: Scan, pending: list[str]) -> bool:
    if len(pending) < 2 or (os.cpu_count() or 1) < 2:
        return False
    size = sum(len(scan.data(path) or b"") for path in pending)
    return size >= PARALLEL_MIN_BYTES
