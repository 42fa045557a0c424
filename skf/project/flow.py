"""The processing path of a job: the job function and the project code it runs.

Starting from the job function, calls are followed into project functions (two calls deep),
into the methods of project objects the code calls (`QUEUE.run(...)` runs `StatusQueue.run`
with `self.<attr>` bound to what the constructor call passed), through `self.<method>()`
calls inside such an object, and into callbacks handed to any of them (`claim_due`,
`send_email_message`). Each function on the path is a `Frame`; `FrameFacts` lists what the
rules look at in it (calls, awaits, `with` blocks, exception handlers, assignments), each with
the blocks that enclose it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from skf.project.resolve import Bound, Definition, Frame, Resolved, Resolver, bind_arguments

MAX_DEPTH = 2
"""Calls followed from the job into project functions (the brief asks for at least one)."""
MAX_FRAMES = 80


@dataclass(frozen=True)
class Context:
    """The blocks around a node inside its function."""

    withs: tuple[cst.WithItem, ...] = ()
    """Enclosing `with` items, outermost first."""
    handler: cst.ExceptHandler | None = None
    in_finally: bool = False
    in_loop: bool = False


@dataclass(frozen=True)
class CallSite:
    node: cst.Call
    context: Context
    awaited: bool


@dataclass(frozen=True)
class AwaitSite:
    node: cst.Await
    context: Context


@dataclass(frozen=True)
class WithSite:
    item: cst.WithItem
    block: cst.With
    context: Context
    """The blocks around the `with` itself."""


@dataclass(frozen=True)
class HandlerSite:
    node: cst.ExceptHandler
    context: Context
    """The blocks around the `try`."""
    guarded: cst.BaseSuite
    """The `try` body the handler catches failures of."""


@dataclass(frozen=True)
class AssignSite:
    target: cst.BaseAssignTargetExpression | cst.BaseExpression
    value: cst.BaseExpression | None
    augmented: bool
    context: Context


@dataclass
class FrameFacts:
    calls: list[CallSite] = field(default_factory=list)
    awaits: list[AwaitSite] = field(default_factory=list)
    withs: list[WithSite] = field(default_factory=list)
    handlers: list[HandlerSite] = field(default_factory=list)
    assignments: list[AssignSite] = field(default_factory=list)
    raises: list[tuple[cst.Raise, Context]] = field(default_factory=list)
    attributes: list[cst.Attribute] = field(default_factory=list)
    """Every attribute expression (`self.x`, `x.y.z` and its `x.y`), in source order."""


class _Collector(cst.CSTVisitor):
    """Walks one function body (not nested functions or classes), tracking enclosing blocks."""

    def __init__(self, function: cst.FunctionDef) -> None:
        super().__init__()
        self.function = function
        self.facts = FrameFacts()
        self.context = Context()

    def _visit_with_context(self, node: cst.CSTNode, context: Context) -> None:
        saved = self.context
        self.context = context
        node.visit(self)
        self.context = saved

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is self.function:
            node.body.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_With(self, node: cst.With) -> bool:
        context = self.context
        for item in node.items:
            item.item.visit(self)
            self.facts.withs.append(WithSite(item, node, context))
            context = Context(
                (*context.withs, item),
                context.handler,
                context.in_finally,
                context.in_loop,
            )
        self._visit_with_context(node.body, context)
        return False

    def visit_Try(self, node: cst.Try) -> bool:
        outer = self.context
        self._visit_with_context(node.body, outer)
        for handler in node.handlers:
            self.facts.handlers.append(HandlerSite(handler, outer, node.body))
            if handler.type is not None:
                handler.type.visit(self)
            self._visit_with_context(
                handler.body,
                Context(outer.withs, handler, outer.in_finally, outer.in_loop),
            )
        if node.orelse is not None:
            self._visit_with_context(node.orelse, outer)
        if node.finalbody is not None:
            self._visit_with_context(
                node.finalbody,
                Context(outer.withs, outer.handler, True, outer.in_loop),
            )
        return False

    def _loop(self, node: cst.For | cst.While) -> bool:
        outer = self.context
        if isinstance(node, cst.For):
            node.iter.visit(self)
            self.facts.assignments.append(AssignSite(node.target, None, False, outer))
        else:
            node.test.visit(self)
        self._visit_with_context(
            node.body, Context(outer.withs, outer.handler, outer.in_finally, True)
        )
        if node.orelse is not None:
            self._visit_with_context(node.orelse, outer)
        return False

    def visit_For(self, node: cst.For) -> bool:
        return self._loop(node)

    def visit_While(self, node: cst.While) -> bool:
        return self._loop(node)

    def visit_Call(self, node: cst.Call) -> None:
        self.facts.calls.append(CallSite(node, self.context, False))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.facts.attributes.append(node)

    def visit_Await(self, node: cst.Await) -> bool:
        self.facts.awaits.append(AwaitSite(node, self.context))
        if not isinstance(node.expression, cst.Call):
            return True
        self.facts.calls.append(CallSite(node.expression, self.context, True))
        # The callee and the arguments, not the awaited call a second time.
        node.expression.func.visit(self)
        for arg in node.expression.args:
            arg.visit(self)
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self.facts.assignments.append(
                AssignSite(target.target, node.value, False, self.context)
            )

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.facts.assignments.append(AssignSite(node.target, node.value, False, self.context))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.facts.assignments.append(AssignSite(node.target, node.value, True, self.context))

    def visit_Raise(self, node: cst.Raise) -> None:
        self.facts.raises.append((node, self.context))


def function_facts(function: cst.FunctionDef) -> FrameFacts:
    collector = _Collector(function)
    function.visit(collector)
    return collector.facts


class PathBuilder:
    """Builds processing paths; facts are computed once per function node."""

    def __init__(self, resolver: Resolver, opaque: frozenset[str] = frozenset()) -> None:
        self.resolver = resolver
        self.opaque = opaque
        """Functions never followed into: the shared infrastructure the layout names (the
        session factory), which the rules take as given."""
        self._facts: dict[int, FrameFacts] = {}

    def facts(self, frame: Frame) -> FrameFacts:
        found = self._facts.get(id(frame.function))
        if found is None:
            found = function_facts(frame.function)
            self._facts[id(frame.function)] = found
        return found

    # -- building ------------------------------------------------------------------------

    def path(self, start: Frame) -> list[Frame]:
        frames: list[Frame] = []
        seen: set[tuple[str, str, int]] = set()
        queue = [start]
        while queue and len(frames) < MAX_FRAMES:
            frame = queue.pop(0)
            key = (frame.source.path, frame.scope, id(frame.self_attributes))
            if key in seen:
                continue
            seen.add(key)
            frames.append(frame)
            for call in self.facts(frame).calls:
                for target in self.targets(call.node, frame):
                    target.caller = frame
                    queue.append(target)
        return frames

    def targets(self, call: cst.Call, frame: Frame) -> list[Frame]:
        """The frames a call on the path leads to: its callee, and the functions it is
        handed as arguments (callbacks)."""
        found: list[Frame] = []
        callee = self.callee_frame(call, frame)
        if callee is not None:
            found.append(callee)
        for arg in call.args:
            if arg.star or not isinstance(arg.value, cst.Name | cst.Attribute):
                continue  # a callback is passed by name
            callback = self.function_frame(
                self.resolver.resolve(arg.value, frame.source, frame), frame, None, callback=True
            )
            if callback is not None:
                found.append(callback)
        return found

    def callee_frame(self, call: cst.Call, frame: Frame) -> Frame | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            method = self._method_frame(call, func, frame)
            if method is not None:
                return method
        return self.function_frame(
            self.resolver.resolve(func, frame.source, frame), frame, call, callback=False
        )

    def function_frame(
        self, target: Resolved, frame: Frame, call: cst.Call | None, *, callback: bool
    ) -> Frame | None:
        """A frame for the function `target` resolves to, if it is project code."""
        if not isinstance(target.node, cst.Name | cst.Attribute):
            return None
        for qualified in sorted(target.qualified_names()):
            local = qualified.removeprefix(target.source.module_name + ".")
            if "<locals>." in local:
                nested = self._nested_frame(target, local, frame, call, callback)
                if nested is not None:
                    return nested
                continue
            definition = self.resolver.definition(qualified)
            if definition is None or definition.kind != "function":
                continue
            if definition.qualified_name in self.opaque:
                return None
            same_module = definition.source.path == frame.source.path
            depth = frame.depth if callback and same_module else frame.depth + 1
            if depth > MAX_DEPTH or not isinstance(definition.node, cst.FunctionDef):
                return None
            skip_self = definition.owner is not None
            return Frame(
                definition.source,
                definition.node,
                definition.scope,
                self.bind(definition.node, call, frame, skip_self) if call is not None else {},
                owner=definition.owner,
                depth=depth,
                via="callback" if callback else "call",
            )
        return None

    def _nested_frame(
        self, target: Resolved, local: str, frame: Frame, call: cst.Call | None, callback: bool
    ) -> Frame | None:
        scope, _, name = local.rpartition(".<locals>.")
        chain = (target.frame.chain() if target.frame else []) + frame.chain()
        owner = next((f for f in chain if f.scope == scope), None)
        if owner is None:
            return None
        node = self.resolver.nested_functions(owner.function).get(name)
        if node is None:
            return None
        return Frame(
            owner.source,
            node,
            f"{scope}.<locals>.{name}",
            self.bind(node, call, frame, False) if call is not None else {},
            self_attributes=None,
            owner=None,
            parent=owner,
            depth=owner.depth,
            via="callback" if callback else "call",
        )

    def _method_frame(self, call: cst.Call, func: cst.Attribute, frame: Frame) -> Frame | None:
        name = func.attr.value
        if isinstance(func.value, cst.Name) and func.value.value == "self":
            holder = next((f for f in frame.chain() if f.owner is not None), None)
            if holder is None or holder.owner is None:
                return None
            cls = self._class_definition(holder)
            if cls is None:
                return None
            method = self.resolver.method(cls, name)
            if method is None or not isinstance(method.node, cst.FunctionDef):
                return None
            return Frame(
                method.source,
                method.node,
                method.scope,
                self.bind(method.node, call, frame, True),
                self_attributes=holder.self_attributes,
                owner=method.owner,
                depth=holder.depth,
                via="method",
            )
        instance = self.resolver.instance_of(func.value, frame.source, frame)
        if instance is None:
            return None
        method = self.resolver.method(instance.cls, name)
        if method is None or not isinstance(method.node, cst.FunctionDef):
            return None
        if frame.depth + 1 > MAX_DEPTH:
            return None
        return Frame(
            method.source,
            method.node,
            method.scope,
            self.bind(method.node, call, frame, True),
            self_attributes=instance,
            owner=method.owner,
            depth=frame.depth + 1,
            via="method",
        )

    def _class_definition(self, frame: Frame) -> Definition | None:
        if frame.owner is None:
            return None
        scope = frame.scope.rpartition(".")[0]
        return self.resolver.definition(f"{frame.source.module_name}.{scope}")

    def bind(
        self, function: cst.FunctionDef, call: cst.Call | None, frame: Frame, skip_self: bool
    ) -> dict[str, Bound]:
        """Parameter name -> the argument expression at `call` (evaluated in `frame`)."""
        if call is None:
            return {}
        return bind_arguments(function, call, frame.source, _real(frame), skip_self=skip_self)


def _real(frame: Frame) -> Frame | None:
    """Module-level pseudo frames evaluate like no frame at all."""
    return None if frame.scope == "<module>" else frame
