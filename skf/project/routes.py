"""HTTP route handlers (FastAPI) and how they are guarded.

A route is a function decorated with `@<router>.get/post/put/patch/delete/api_route(...)`
where `<router>` is an `APIRouter(...)` or `FastAPI(...)` (resolved through imports). It is
guarded when a dependency that can refuse the request applies to it: in the decorator's or
the router's `dependencies=[...]`, in `include_router(router, dependencies=[...])`, as a
`Depends(...)`/`Security(...)` parameter, or as an `if ...: raise` in the handler itself.
A dependency can refuse when it is `Security(...)`, a project function that raises, or a
library function named for authentication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from skf.project.resolve import Resolver
from skf.project.source import SourceFile

ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route", "websocket"})
ROUTER_CLASSES = frozenset(
    {
        "fastapi.APIRouter",
        "fastapi.routing.APIRouter",
        "fastapi.FastAPI",
        "fastapi.applications.FastAPI",
    }
)
DEPENDS = frozenset(
    {"fastapi.Depends", "fastapi.params.Depends", "fastapi.param_functions.Depends"}
)
SECURITY = frozenset(
    {"fastapi.Security", "fastapi.params.Security", "fastapi.param_functions.Security"}
)
_AUTH_NAME = re.compile(
    r"auth|user|token|admin|perm|guard|require|verify|key|secret|login|credential|dev|scope",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Route:
    source: SourceFile
    function: cst.FunctionDef
    decorator: cst.Decorator
    method: str
    router: cst.BaseExpression
    guard: str | None
    """What guards it (for messages), None when nothing does."""

    @property
    def name(self) -> str:
        return self.function.name.value


def routes_in(source: SourceFile, resolver: Resolver, guarded_routers: set[str]) -> list[Route]:
    """The route handlers defined at the top level of `source`."""
    found: list[Route] = []
    for statement in source.module.body:
        if not isinstance(statement, cst.FunctionDef):
            continue
        for decorator in statement.decorators:
            route = _route(source, resolver, statement, decorator, guarded_routers)
            if route is not None:
                found.append(route)
                break
    return found


def _route(
    source: SourceFile,
    resolver: Resolver,
    function: cst.FunctionDef,
    decorator: cst.Decorator,
    guarded_routers: set[str],
) -> Route | None:
    call = decorator.decorator
    if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
        return None
    method = call.func.attr.value
    if method not in ROUTE_METHODS:
        return None
    router = call.func.value
    constructor = _router_constructor(router, source, resolver)
    if constructor is None:
        return None
    guard = (
        _dependencies_guard(call, source, resolver)
        or _dependencies_guard(constructor[0], constructor[1], resolver)
        or _router_included_with_guard(router, source, guarded_routers)
        or _parameter_guard(function, source, resolver)
        or _body_guard(function, source)
    )
    return Route(source, function, decorator, method, router, guard)


def _router_constructor(
    router: cst.BaseExpression, source: SourceFile, resolver: Resolver
) -> tuple[cst.Call, SourceFile] | None:
    resolved = resolver.resolve(router, source, None)
    node = resolved.node
    if isinstance(node, cst.Call) and resolved.source.qualified_names(node.func) & ROUTER_CLASSES:
        return node, resolved.source
    return None


def router_names(router: cst.BaseExpression, source: SourceFile, resolver: Resolver) -> set[str]:
    """Qualified names a router variable goes by (to match `include_router(...)` calls)."""
    names = set(source.qualified_names(router))
    for qualified in list(names):
        definition = resolver.definition(qualified) if "<locals>" not in qualified else None
        if definition is not None:
            names.add(definition.qualified_name)
    return names


def _router_included_with_guard(
    router: cst.BaseExpression, source: SourceFile, guarded_routers: set[str]
) -> str | None:
    if source.qualified_names(router) & guarded_routers:
        return "include_router(dependencies=...)"
    return None


def _dependencies_guard(call: cst.Call, source: SourceFile, resolver: Resolver) -> str | None:
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value != "dependencies":
            continue
        if not isinstance(arg.value, cst.List | cst.Tuple):
            return source.code(arg.value)  # built elsewhere: give it the benefit of the doubt
        for element in arg.value.elements:
            guard = dependency_guard(element.value, source, resolver)
            if guard is not None:
                return guard
    return None


def dependency_guard(
    node: cst.BaseExpression, source: SourceFile, resolver: Resolver
) -> str | None:
    """`Depends(x)` / `Security(x)` that can refuse a request, as written; else None."""
    if not isinstance(node, cst.Call):
        return None
    names = source.qualified_names(node.func)
    if names & SECURITY:
        return source.code(node)
    if not names & DEPENDS or not node.args:
        return None
    target = node.args[0].value
    resolved = resolver.resolve(target, source, None)
    for qualified in sorted(resolved.qualified_names()):
        definition = resolver.definition(qualified) if "<locals>" not in qualified else None
        if definition is not None and definition.kind == "function":
            return source.code(node) if _raises(definition.node) else None
    return source.code(node) if _AUTH_NAME.search(source.code(target)) else None


def _raises(node: cst.CSTNode | None) -> bool:
    if node is None:
        return False
    found = False

    class Finder(cst.CSTVisitor):
        def visit_Raise(self, raise_node: cst.Raise) -> None:
            nonlocal found
            found = True

    node.visit(Finder())
    return found


def _parameter_guard(
    function: cst.FunctionDef, source: SourceFile, resolver: Resolver
) -> str | None:
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.default is not None:
            guard = dependency_guard(param.default, source, resolver)
            if guard is not None:
                return guard
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Subscript):
            for element in annotation.slice:
                if isinstance(element.slice, cst.Index):
                    guard = dependency_guard(element.slice.value, source, resolver)
                    if guard is not None:
                        return guard
    return None


def _body_guard(function: cst.FunctionDef, source: SourceFile) -> str | None:
    """`if <access condition>: raise ...` among the handler's first statements: a condition on
    settings (dev mode) or on credentials, not a lookup (`if job is None`)."""
    body = function.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    for statement in body.body[:4]:
        if not isinstance(statement, cst.If) or not _raises(statement.body):
            continue
        condition = source.code(statement.test)
        if "settings" in condition or _AUTH_NAME.search(condition):
            return f"the check `if {condition}: raise`"
    return None


def guarded_routers(sources: list[SourceFile], resolver: Resolver) -> set[str]:
    """Routers included with `include_router(router, dependencies=[<guard>])`."""
    found: set[str] = set()
    for source in sources:
        finder = _IncludeRouter()
        source.module.visit(finder)
        for call in finder.calls:
            if call.args and _dependencies_guard(call, source, resolver) is not None:
                found.update(router_names(call.args[0].value, source, resolver))
    return found


class _IncludeRouter(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, call: cst.Call) -> None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "include_router":
            self.calls.append(call)
