"""How a processing path handles failures and logs its runs (checklist item 6)."""

from dataclasses import dataclass

import libcst as cst

from skf.project.flow import CallSite, HandlerSite
from skf.project.inventory import Inventory, Service
from skf.project.resolve import Frame
from skf.project.sessions import database_names, is_database_call
from skf.project.statuses import role_of
from skf.vocabulary import Role

_BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


@dataclass(frozen=True)
class Handler:
    site: HandlerSite
    frame: Frame
    broad: bool
    reraises: bool
    logs: bool
    logs_traceback: bool
    writes_status: bool
    hands_on: bool
    """The exception object is passed on (returned, stored, handed to a call)."""
    item: bool
    """It guards work on an item: its `try` awaits something that is not database work (a
    handler around a heartbeat's UPDATE is bookkeeping, not an item's failure)."""

    @property
    def node(self) -> cst.ExceptHandler:
        return self.site.node

    @property
    def handles_items(self) -> bool:
        return self.broad and self.item

    @property
    def swallows(self) -> bool:
        return self.handles_items and not (self.reraises or self.writes_status or self.hands_on)


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return (inner[0], inner[1]) >= (outer[0], outer[1]) and (inner[2], inner[3]) <= (
        outer[2],
        outer[3],
    )


def _is_broad(handler: cst.ExceptHandler, frame: Frame) -> bool:
    if handler.type is None:
        return True
    types = (
        [e.value for e in handler.type.elements]
        if isinstance(handler.type, cst.Tuple)
        else [handler.type]
    )
    for node in types:
        names = frame.source.qualified_names(node) | {frame.source.code(node)}
        if names & _BROAD:
            return True
    return False


def handlers(inventory: Inventory, service: Service) -> list[Handler]:
    found: list[Handler] = []
    for frame in service.frames:
        facts = inventory.builder.facts(frame)
        for site in facts.handlers:
            found.append(_handler(inventory, service, frame, site))
    return found


def _handler(inventory: Inventory, service: Service, frame: Frame, site: HandlerSite) -> Handler:
    node = site.node
    facts = inventory.builder.facts(frame)
    semantics = inventory.semantics
    calls = [c for c in facts.calls if c.context.handler is node]
    logs = [
        log for c in calls if (log := semantics.log_call(c.node, frame.source, frame)) is not None
    ]
    reraises = any(context.handler is node for _, context in facts.raises)
    where = frame.source.position(node)
    writes = any(
        use.access == "write"
        and use.frame is not None
        and use.frame.function is frame.function
        and _inside(frame.source.position(use.node), where)
        for use in service.uses
    ) or _calls_status_writer(inventory, service, frame, calls)
    return Handler(
        site,
        frame,
        _is_broad(node, frame),
        reraises,
        bool(logs),
        any(log.traceback for log in logs) or _logged_by_callee(inventory, frame, node, calls),
        writes,
        _hands_on(
            node, frame, [c.node for c in calls if semantics.log_call(c.node, frame.source, frame)]
        ),
        _guards_item_work(inventory, frame, site),
    )


def _guards_item_work(inventory: Inventory, frame: Frame, site: HandlerSite) -> bool:
    facts = inventory.builder.facts(frame)
    guarded = frame.source.position(site.guarded)
    sessions = database_names(inventory.builder, inventory.semantics, frame)
    for awaited in facts.awaits:
        if not _inside(frame.source.position(awaited.node), guarded):
            continue
        call = awaited.node.expression
        if not isinstance(call, cst.Call):
            return True
        if not is_database_call(inventory.builder, inventory.semantics, frame, call, sessions):
            return True
    return False


def _calls_status_writer(
    inventory: Inventory, service: Service, frame: Frame, calls: list[CallSite]
) -> bool:
    for site in calls:
        target = inventory.builder.callee_frame(site.node, frame)
        if target is None:
            continue
        if any(
            use.access == "write"
            and use.frame is not None
            and use.frame.function is target.function
            for use in service.uses
        ):
            return True
    return False


def _logged_by_callee(
    inventory: Inventory, frame: Frame, handler: cst.ExceptHandler, calls: list[CallSite]
) -> bool:
    """The handler hands its exception to a function of the project that logs with a
    traceback: one failure helper shared by several handlers (one call deep)."""
    name = _bound_name(handler)
    if name is None:
        return False
    for site in calls:
        if not any(_count(arg.value, name) for arg in site.node.args):
            continue
        target = inventory.builder.callee_frame(site.node, frame)
        if target is None:
            continue
        for call in inventory.builder.facts(target).calls:
            log = inventory.semantics.log_call(call.node, target.source, target)
            if log is not None and log.traceback:
                return True
    return False


def _bound_name(handler: cst.ExceptHandler) -> str | None:
    """The name `except ... as NAME` binds the exception to, if any."""
    if handler.name is None or not isinstance(handler.name.name, cst.Name):
        return None
    return handler.name.name.value


def _hands_on(handler: cst.ExceptHandler, frame: Frame, log_calls: list[cst.Call]) -> bool:
    name = _bound_name(handler)
    if name is None:
        return False
    total = _count(handler.body, name)
    logged = sum(_count(call, name) for call in log_calls)
    return total > logged


def _count(node: cst.CSTNode, name: str) -> int:
    count = 0

    class Counter(cst.CSTVisitor):
        def visit_Name(self, found: cst.Name) -> None:
            nonlocal count
            if found.value == name:
                count += 1

    node.visit(Counter())
    return count


def writes_role(service: Service, role: Role) -> bool:
    return any(
        use.access == "write" and use.ref.exists and role_of(use) is role
        for use in service.uses_of_enum()
    )


def log_lines(inventory: Inventory, frame: Frame) -> tuple[list[int], list[int], list[int]]:
    """(lines of log calls, lines of log calls in `finally`, lines of awaits) in `frame`."""
    facts = inventory.builder.facts(frame)
    semantics = inventory.semantics
    logs: list[int] = []
    final: list[int] = []
    for call in facts.calls:
        if semantics.log_call(call.node, frame.source, frame) is None:
            continue
        line = frame.source.line_of(call.node)
        logs.append(line)
        if call.context.in_finally:
            final.append(line)
    awaits = [frame.source.line_of(a.node) for a in facts.awaits]
    awaits += [frame.source.line_of(w.block) for w in facts.withs if w.block.asynchronous]
    return logs, final, awaits
