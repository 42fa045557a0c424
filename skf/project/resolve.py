"""Definitions by qualified name, and where a value written in the code comes from.

`Resolver.definition("src.services.x_scheduler.process_x")` finds the function, class,
module-level variable or module a dotted name refers to in the project, following re-exports
(`from .a import b` in a package `__init__`). `Resolver.resolve(node, ...)` follows an
expression through local variables, parameters bound at a call site (a `Frame`), module
constants, and the attributes of project objects (`self.<attr>`, or `obj.<attr>` on an object a
project class's constructor call made) as that class's `__init__` assigns them, with the
constructor call's arguments bound, or as its class body does, to the expression that finally
gives its value: `minutes=interval` with `interval = 5` above it resolves to the literal `5`,
reached through `interval`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from skf.config import Layout
from skf.project.files import ProjectFiles
from skf.project.source import SourceFile

DefinitionKind = Literal["module", "function", "class", "variable"]
_MAX_STEPS = 12
LIBRARIES = frozenset(
    {
        "sqlalchemy",
        "apscheduler",
        "fastapi",
        "starlette",
        "pydantic",
        "pydantic_settings",
        "pydantic_core",
        "httpx",
        "asyncpg",
        "aiosqlite",
        "typing_extensions",
        "structlog",
        "loguru",
        "libcst",
        "skf",
    }
)
"""Libraries whose API skf knows by name (`sqlalchemy.select`, `fastapi.Depends`): their code
is never read, even when a copy of them sits in the project tree (the standard library's
modules are treated the same way)."""


@dataclass(frozen=True)
class Definition:
    qualified_name: str
    """Canonical: the module that defines it, plus its name (`Class.method` for methods)."""
    source: SourceFile
    kind: DefinitionKind
    node: cst.CSTNode | None
    """FunctionDef, ClassDef, or a variable's value expression (None for a module)."""
    owner: cst.ClassDef | None = None
    """The class of a method or class attribute."""

    @property
    def name(self) -> str:
        return self.qualified_name.rpartition(".")[2]

    @property
    def scope(self) -> str:
        """The name inside its module, as libcst spells local scopes (`Class.method`)."""
        return self.qualified_name.removeprefix(self.source.module_name + ".")


@dataclass(frozen=True)
class _Import:
    target: str


_Entry = cst.FunctionDef | cst.ClassDef | cst.BaseExpression | _Import


def _statements(body: object) -> list[cst.CSTNode]:
    """Statements of a block, looking into `if`/`try`/`with` (conditional definitions and
    imports count) but never into functions or classes."""
    found: list[cst.CSTNode] = []
    pending = list(getattr(body, "body", ()) or ())
    while pending:
        statement = pending.pop(0)
        if isinstance(statement, cst.If):
            pending[0:0] = list(statement.body.body)
            if statement.orelse is not None:
                pending[0:0] = list(getattr(statement.orelse, "body", cst.IndentedBlock([])).body)
        elif isinstance(statement, cst.Try):
            inner: list[cst.CSTNode] = list(statement.body.body)
            for handler in statement.handlers:
                inner.extend(handler.body.body)
            if statement.orelse is not None:
                inner.extend(statement.orelse.body.body)
            pending[0:0] = inner
        elif isinstance(statement, cst.With):
            pending[0:0] = list(getattr(statement.body, "body", ()))
        else:
            found.append(statement)
    return found


def _bindings(source: SourceFile, body: object) -> dict[str, _Entry]:
    names: dict[str, _Entry] = {}
    for statement in _statements(body):
        if isinstance(statement, cst.FunctionDef | cst.ClassDef):
            names[statement.name.value] = statement
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _bind_small(source, small, names)
    return names


def _bind_small(
    source: SourceFile, small: cst.BaseSmallStatement, names: dict[str, _Entry]
) -> None:
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Name):
                names[target.target.value] = small.value
    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        if small.value is not None:
            names[small.target.value] = small.value
    elif isinstance(small, cst.ImportFrom):
        _bind_import_from(source, small, names)
    elif isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None:
                names[alias.evaluated_alias or ""] = _Import(alias.evaluated_name)
            else:
                top = alias.evaluated_name.split(".")[0]
                names[top] = _Import(top)


def _bind_import_from(source: SourceFile, node: cst.ImportFrom, names: dict[str, _Entry]) -> None:
    if isinstance(node.names, cst.ImportStar):
        return
    module = "" if node.module is None else source.code(node.module)
    if node.relative:
        module = source.resolve_relative("." * len(node.relative) + module)
    for alias in node.names:
        bound = alias.evaluated_alias or alias.evaluated_name
        names[bound] = _Import(f"{module}.{alias.evaluated_name}")


@dataclass(frozen=True)
class Bound:
    """An expression together with where it is evaluated."""

    node: cst.BaseExpression
    source: SourceFile
    frame: Frame | None


@dataclass(eq=False)
class Frame:
    """One function on a path through the code, with what its parameters are bound to."""

    source: SourceFile
    function: cst.FunctionDef
    scope: str
    """libcst's name of the function inside its module: `f`, `C.m`, `f.<locals>.g`."""
    arguments: dict[str, Bound] = field(default_factory=dict)
    self_attributes: Instance | None = None
    """For a method of an instance skf followed: what `self.<attr>` holds."""
    owner: cst.ClassDef | None = None
    parent: Frame | None = None
    """The lexically enclosing function's frame (closures read its variables)."""
    depth: int = 0
    via: str = "job"
    caller: Frame | None = None
    """The frame whose call (or callback argument) led here; None for the job."""

    @property
    def qualified_name(self) -> str:
        return f"{self.source.module_name}.{self.scope.replace('.<locals>', '')}"

    @property
    def name(self) -> str:
        return self.function.name.value

    def parameters(self) -> list[cst.Param]:
        params = self.function.params
        return [*params.posonly_params, *params.params, *params.kwonly_params]

    def chain(self) -> list[Frame]:
        frames: list[Frame] = []
        frame: Frame | None = self
        while frame is not None:
            frames.append(frame)
            frame = frame.parent
        return frames


@dataclass(eq=False)
class Instance:
    """An object of a project class, as one constructor call makes it."""

    cls: Definition
    assigned: dict[str, list[Bound]] = field(default_factory=dict)
    """`self.<attr>` -> every value `__init__` assigns it, in order (each evaluated in the
    `__init__` frame, with the constructor call's arguments bound); for a class without an
    `__init__` (a dataclass), the constructor's arguments by field name."""
    class_level: dict[str, list[Bound]] = field(default_factory=dict)
    """Attributes the class body (or a project base class's) assigns: `X = ...` or
    `X: ClassVar[...] = ...` (an annotated field is a default an instance may override)."""

    def values(self, name: str) -> list[Bound]:
        """Every value attribute `name` may hold (empty: skf does not know)."""
        return self.assigned.get(name) or self.class_level.get(name) or []

    def get(self, name: str) -> Bound | None:
        """The value attribute `name` holds, when one assignment gives it (the first)."""
        values = self.values(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Resolved:
    """Where a value comes from: the expression that finally gives it, and the variables
    (`interval`, `JOB_ID`, `self.error`) followed to get there."""

    node: cst.BaseExpression
    source: SourceFile
    frame: Frame | None
    via: tuple[str, ...] = ()
    origin: cst.BaseExpression | None = None
    """The expression as written where it is used."""

    def qualified_names(self) -> set[str]:
        return self.source.qualified_names(self.node)


class _LocalBindings(cst.CSTVisitor):
    """Every binding of each local name in one function (not in nested functions), and every
    value it assigns to an attribute of `self`."""

    def __init__(self, function: cst.FunctionDef) -> None:
        super().__init__()
        self.function = function
        self.found: dict[str, list[cst.BaseExpression | None]] = {}
        self.attributes: dict[str, list[cst.BaseExpression]] = {}

    def _add(self, name: str, value: cst.BaseExpression | None) -> None:
        self.found.setdefault(name, []).append(value)

    def _attribute(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        """`self.x = value`, and `self.a, self.b = x, y` element by element."""
        if value is None:
            return
        if is_self_attribute(target):
            assert isinstance(target, cst.Attribute)
            self.attributes.setdefault(target.attr.value, []).append(value)
        elif isinstance(target, cst.Tuple | cst.List) and isinstance(value, cst.Tuple | cst.List):
            for element, item in zip(target.elements, value.elements, strict=False):
                if not isinstance(element, cst.StarredElement | cst.StarredDictElement):
                    self._attribute(element.value, item.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is self.function:
            return True
        self._add(node.name.value, None)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._add(node.name.value, None)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self._add(target.target.value, node.value)
            else:
                self._targets(target.target)
                self._attribute(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name) and node.value is not None:
            self._add(node.target.value, node.value)
        else:
            self._attribute(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def _targets(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._add(target.value, None)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._targets(element.value)
        elif isinstance(target, cst.StarredElement):
            self._targets(target.value)


def _local_bindings(function: cst.FunctionDef) -> _LocalBindings:
    collector = _LocalBindings(function)
    function.visit(collector)
    return collector


def is_self_attribute(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Attribute)
        and isinstance(node.value, cst.Name)
        and node.value.value == "self"
    )


def nested_functions(function: cst.FunctionDef) -> dict[str, cst.FunctionDef]:
    """Functions defined directly inside `function` (at any block depth, not in nested ones)."""
    found: dict[str, cst.FunctionDef] = {}

    class Collector(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            if node is function:
                return True
            found[node.name.value] = node
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    function.visit(Collector())
    return found


def _own_packages(layout: Layout) -> set[str]:
    """Top-level packages of the modules the layout names: never taken for a library."""
    own: set[str] = set()
    for path in (
        layout.scheduler_module,
        layout.session_module,
        layout.settings_module,
        layout.runtime_module,
        layout.models_init,
        layout.services_init,
    ):
        try:
            own.add(layout.module_name(path).split(".")[0])
        except ValueError:  # outside source_root
            continue
    return own


class Resolver:
    """Looks up the project's definitions by qualified name and follows values."""

    def __init__(self, files: ProjectFiles) -> None:
        self.files = files
        self.external = (LIBRARIES | frozenset(sys.stdlib_module_names)) - _own_packages(
            files.layout
        )
        self._module_files: dict[str, str | None] = {}
        self._top: dict[str, dict[str, _Entry]] = {}
        self._class_body: dict[int, dict[str, _Entry]] = {}
        self._locals: dict[int, _LocalBindings] = {}
        self._nested: dict[int, dict[str, cst.FunctionDef]] = {}
        self._instances: dict[int, Instance] = {}
        self._class_level: dict[int, dict[str, list[Bound]]] = {}
        self._following: set[int] = set()
        self._objects: dict[tuple[int, Frame | None], Instance | None] = {}
        self._cut_short = 0

    # -- modules and definitions -----------------------------------------------------------

    def module_file(self, module_name: str) -> str | None:
        if module_name not in self._module_files:
            external = module_name.split(".")[0] in self.external
            self._module_files[module_name] = (
                None if external else self.files.module_file(module_name)
            )
        return self._module_files[module_name]

    def module_source(self, module_name: str) -> SourceFile | None:
        """The parsed source of a project module (None: not in the project, or unparsable)."""
        path = self.module_file(module_name)
        return None if path is None else self.files.parsed(path)

    def top_level(self, source: SourceFile) -> dict[str, _Entry]:
        names = self._top.get(source.path)
        if names is None:
            names = _bindings(source, source.module)
            self._top[source.path] = names
        return names

    def class_body(self, source: SourceFile, node: cst.ClassDef) -> dict[str, _Entry]:
        names = self._class_body.get(id(node))
        if names is None:
            names = _bindings(source, node.body)
            self._class_body[id(node)] = names
        return names

    def _bindings_in(self, function: cst.FunctionDef) -> _LocalBindings:
        found = self._locals.get(id(function))
        if found is None:
            found = _local_bindings(function)
            self._locals[id(function)] = found
        return found

    def local_assignments(
        self, function: cst.FunctionDef
    ) -> dict[str, list[cst.BaseExpression | None]]:
        """Every binding of each local name in `function` (not in nested functions): the
        value for a plain assignment, None for anything else (augmented, loop target,
        `with ... as`)."""
        return self._bindings_in(function).found

    def self_assignments(self, function: cst.FunctionDef) -> dict[str, list[cst.BaseExpression]]:
        """`self.<attr>` -> every value `function` assigns it (not in nested functions), in
        order."""
        return self._bindings_in(function).attributes

    def nested_functions(self, function: cst.FunctionDef) -> dict[str, cst.FunctionDef]:
        found = self._nested.get(id(function))
        if found is None:
            found = nested_functions(function)
            self._nested[id(function)] = found
        return found

    def defines(self, module_name: str, name: str) -> bool | None:
        """Whether project module `module_name` defines or imports `name` (None when the
        module is not in the project or cannot be read); submodules count."""
        source = self.module_source(module_name)
        if source is None:
            if self.module_file(module_name) is not None:
                return None  # unparsable: do not guess
            return True if self.files.is_package(f"{module_name}.{name}") else None
        return (
            name in self.top_level(source)
            or self.module_file(f"{module_name}.{name}") is not None
            or self.files.is_package(f"{module_name}.{name}")
        )

    def definition(self, qualified: str) -> Definition | None:
        return self._definition(qualified, set())

    def _definition(self, qualified: str, seen: set[str]) -> Definition | None:
        if qualified in seen or not qualified:
            return None
        seen.add(qualified)
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            if self.module_file(module_name) is None:
                continue
            source = self.module_source(module_name)
            if source is None:
                return None
            return self._lookup(source, parts[cut:], seen)
        return None

    def _lookup(self, source: SourceFile, rest: list[str], seen: set[str]) -> Definition | None:
        if not rest:
            return Definition(source.module_name, source, "module", None)
        entry = self.top_level(source).get(rest[0])
        if entry is None:
            return None
        if isinstance(entry, _Import):
            return self._definition(".".join([entry.target, *rest[1:]]), seen)
        qualified = f"{source.module_name}.{rest[0]}"
        if isinstance(entry, cst.FunctionDef):
            return Definition(qualified, source, "function", entry) if len(rest) == 1 else None
        if isinstance(entry, cst.ClassDef):
            if len(rest) == 1:
                return Definition(qualified, source, "class", entry)
            return self._member(source, entry, qualified, rest[1:])
        return Definition(qualified, source, "variable", entry) if len(rest) == 1 else None

    def _member(
        self, source: SourceFile, owner: cst.ClassDef, qualified: str, rest: list[str]
    ) -> Definition | None:
        if len(rest) != 1:
            return None
        entry = self.class_body(source, owner).get(rest[0])
        name = f"{qualified}.{rest[0]}"
        if isinstance(entry, cst.FunctionDef):
            return Definition(name, source, "function", entry, owner)
        if isinstance(entry, cst.BaseExpression):
            return Definition(name, source, "variable", entry, owner)
        return None

    def method(self, cls: Definition, name: str) -> Definition | None:
        """Method `name` of class `cls` or of one of its project base classes."""
        seen: set[str] = set()
        pending = [cls]
        while pending:
            current = pending.pop(0)
            if current.qualified_name in seen or not isinstance(current.node, cst.ClassDef):
                continue
            seen.add(current.qualified_name)
            entry = self.class_body(current.source, current.node).get(name)
            if isinstance(entry, cst.FunctionDef):
                return Definition(
                    f"{current.qualified_name}.{name}",
                    current.source,
                    "function",
                    entry,
                    current.node,
                )
            for base in current.node.bases:
                for qualified in current.source.qualified_names(base.value):
                    found = self.definition(qualified)
                    if found is not None and found.kind == "class":
                        pending.append(found)
        return None

    def function_in(self, source: SourceFile, scope: str) -> cst.FunctionDef | None:
        """The function libcst calls `scope` inside `source` (`f`, `C.m`, `f.<locals>.g`)."""
        parts = scope.replace(".<locals>", "").split(".")
        names = self.top_level(source)
        node: cst.CSTNode | None = None
        for index, part in enumerate(parts):
            if node is None:
                entry = names.get(part)
            elif isinstance(node, cst.ClassDef):
                entry = self.class_body(source, node).get(part)
            elif isinstance(node, cst.FunctionDef):
                entry = self.nested_functions(node).get(part)
            else:
                return None
            if not isinstance(entry, cst.FunctionDef | cst.ClassDef):
                return None
            node = entry
            if index == len(parts) - 1:
                return node if isinstance(node, cst.FunctionDef) else None
        return None

    # -- objects of project classes ---------------------------------------------------------

    def class_of(self, call: cst.Call, source: SourceFile) -> Definition | None:
        """The project class `call` constructs, if it is a constructor call."""
        for qualified in sorted(source.qualified_names(call.func)):
            found = self.definition(qualified)
            if found is not None and found.kind == "class":
                return found
        return None

    def instance(
        self, cls: Definition, call: cst.Call, source: SourceFile, frame: Frame | None
    ) -> Instance:
        """The object constructor call `call` (evaluated in `source`/`frame`) makes: its
        `__init__` runs with the call's arguments bound; a class without one (a dataclass)
        takes its annotated fields from the arguments."""
        found = self._instances.get(id(call))
        if found is not None:
            return found
        instance = Instance(cls, class_level=self.class_attributes(cls))
        self._instances[id(call)] = instance
        init = self.method(cls, "__init__")
        if init is not None and isinstance(init.node, cst.FunctionDef):
            init_frame = Frame(
                init.source,
                init.node,
                init.scope,
                bind_arguments(init.node, call, source, frame, skip_self=True),
                self_attributes=instance,
                owner=init.owner,
                depth=(frame.depth if frame is not None else 0) + 1,
                via="constructor",
            )
            for name, values in self.self_assignments(init.node).items():
                instance.assigned[name] = [Bound(v, init.source, init_frame) for v in values]
        elif isinstance(cls.node, cst.ClassDef):
            fields = [
                small.target.value
                for statement in cls.node.body.body
                if isinstance(statement, cst.SimpleStatementLine)
                for small in statement.body
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name)
            ]
            positional = [a for a in call.args if a.keyword is None and not a.star]
            for name, arg in zip(fields, positional, strict=False):
                instance.assigned[name] = [Bound(arg.value, source, frame)]
            for arg in call.args:
                if arg.keyword is not None:
                    instance.assigned[arg.keyword.value] = [Bound(arg.value, source, frame)]
        return instance

    def class_attributes(self, cls: Definition) -> dict[str, list[Bound]]:
        """What the body of class `cls` and of its project base classes assign (a subclass's
        own assignment first): `X = ...` and `X: ClassVar[...] = ...`, evaluated at class
        level."""
        if not isinstance(cls.node, cst.ClassDef):
            return {}
        found = self._class_level.get(id(cls.node))
        if found is not None:
            return found
        found = {}
        self._class_level[id(cls.node)] = found  # a class that is its own base ends here
        for name, value in _class_assignments(cls.source, cls.node):
            found.setdefault(name, []).append(Bound(value, cls.source, None))
        for base in cls.node.bases:
            for qualified in sorted(cls.source.qualified_names(base.value)):
                parent = self.definition(qualified)
                if parent is not None and parent.kind == "class":
                    for name, values in self.class_attributes(parent).items():
                        found.setdefault(name, values)
                    break
        return found

    def instance_of(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> Instance | None:
        """The project object `node` evaluates to: `self` in a method skf followed, or what a
        project class's constructor call made."""
        if isinstance(node, cst.Name) and node.value == "self":
            chain = frame.chain() if frame is not None else []
            return next((f.self_attributes for f in chain if f.self_attributes is not None), None)
        key = (id(node), frame)  # the frame itself: a dropped frame's id may come back
        if key in self._objects:
            return self._objects[key]
        if id(node) in self._following:
            self._cut_short += 1
            return None  # `self.x = self.x.y`: a value defined by itself
        cut_short = self._cut_short
        self._following.add(id(node))
        try:
            resolved = self.resolve(node, source, frame)
        finally:
            self._following.discard(id(node))
        found: Instance | None = None
        if isinstance(resolved.node, cst.Call):
            cls = self.class_of(resolved.node, resolved.source)
            if cls is not None:
                found = self.instance(cls, resolved.node, resolved.source, resolved.frame)
        if cut_short == self._cut_short:  # an answer cut short by a cycle is not final
            self._objects[key] = found
        return found

    def attribute_values(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> list[Bound]:
        """Every value attribute read `node` (`self.x`, `obj.x`) may give, when it reads an
        attribute of a project object (empty otherwise)."""
        if not isinstance(node, cst.Attribute):
            return []
        instance = self.instance_of(node.value, source, frame)
        return [] if instance is None else instance.values(node.attr.value)

    # -- following values ------------------------------------------------------------------

    def resolve(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> Resolved:
        """Follow `node` to the expression that gives its value (see the module docstring)."""
        origin = node
        via: list[str] = []
        for _ in range(_MAX_STEPS):
            step = self.step(node, source, frame)
            if step is None:
                break
            label, bound = step
            via.append(label)
            node, source, frame = bound.node, bound.source, bound.frame
        return Resolved(node, source, frame, tuple(via), origin)

    def step(
        self, node: cst.BaseExpression, source: SourceFile, frame: Frame | None
    ) -> tuple[str, Bound] | None:
        if isinstance(node, cst.Name):
            return self._follow_name(node, source, frame)
        if not isinstance(node, cst.Attribute):
            return None
        if is_self_attribute(node):
            instance = self.instance_of(node.value, source, frame)
            bound = None if instance is None else instance.get(node.attr.value)
            return None if bound is None else (f"self.{node.attr.value}", bound)
        found = self._follow_global(node, source)
        if found is not None:
            return found
        instance = self.instance_of(node.value, source, frame)
        bound = None if instance is None else instance.get(node.attr.value)
        return None if bound is None else (_dotted(node), bound)

    def _follow_global(
        self, node: cst.BaseExpression, source: SourceFile
    ) -> tuple[str, Bound] | None:
        for qualified in sorted(source.qualified_names(node)):
            if "<locals>" in qualified:
                continue
            found = self.definition(qualified)
            if (
                found is not None
                and found.kind == "variable"
                and found.owner is None
                and isinstance(found.node, cst.BaseExpression)
            ):
                return found.name, Bound(found.node, found.source, None)
        return None

    def _follow_name(
        self, node: cst.Name, source: SourceFile, frame: Frame | None
    ) -> tuple[str, Bound] | None:
        for qualified in sorted(source.qualified_names(node)):
            local = qualified.removeprefix(source.module_name + ".")
            if "<locals>." not in local:
                continue
            scope, _, name = local.rpartition(".<locals>.")
            owner = next((f for f in (frame.chain() if frame else []) if f.scope == scope), None)
            function = owner.function if owner is not None else self.function_in(source, scope)
            if function is None:
                return None
            parameter = _parameter(function, name)
            if parameter is not None:
                if owner is not None and name in owner.arguments:
                    return name, owner.arguments[name]
                if parameter.default is not None:
                    default_frame = owner.parent if owner is not None else None
                    return name, Bound(parameter.default, source, default_frame)
                return None
            values = self.local_assignments(function).get(name, [])
            if len(values) == 1 and values[0] is not None:
                return name, Bound(values[0], source, owner)
            return None
        return self._follow_global(node, source)


def _parameter(function: cst.FunctionDef, name: str) -> cst.Param | None:
    params = function.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name:
            return param
    return None


def bind_arguments(
    function: cst.FunctionDef,
    call: cst.Call,
    source: SourceFile,
    frame: Frame | None,
    *,
    skip_self: bool,
) -> dict[str, Bound]:
    """Parameter name -> the argument expression at `call` (evaluated in `source`/`frame`)."""
    bound: dict[str, Bound] = {}
    params = function.params
    positional = [*params.posonly_params, *params.params]
    if skip_self and positional:
        positional = positional[1:]
    index = 0
    for arg in call.args:
        if arg.star:
            if arg.keyword is None and arg.star == "*":
                index = len(positional)
            continue
        if arg.keyword is not None:
            bound[arg.keyword.value] = Bound(arg.value, source, frame)
        elif index < len(positional):
            bound[positional[index].name.value] = Bound(arg.value, source, frame)
            index += 1
    return bound


def _class_assignments(
    source: SourceFile, node: cst.ClassDef
) -> list[tuple[str, cst.BaseExpression]]:
    """The class attributes a class body assigns: `X = v`, `X: ClassVar[T] = v`."""
    found: list[tuple[str, cst.BaseExpression]] = []
    for statement in node.body.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign):
                found.extend(
                    (t.target.value, small.value)
                    for t in small.targets
                    if isinstance(t.target, cst.Name)
                )
            elif (
                isinstance(small, cst.AnnAssign)
                and isinstance(small.target, cst.Name)
                and small.value is not None
                and _is_class_var(source, small.annotation.annotation)
            ):
                found.append((small.target.value, small.value))
    return found


def _is_class_var(source: SourceFile, annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    return bool(
        source.qualified_names(annotation) & {"typing.ClassVar", "typing_extensions.ClassVar"}
    )


def _dotted(node: cst.Attribute) -> str:
    """`queue.policy` as a label (`<...>.attr` when the object is not a plain name)."""
    names: list[str] = [node.attr.value]
    value: cst.BaseExpression = node.value
    while isinstance(value, cst.Attribute):
        names.append(value.attr.value)
        value = value.value
    names.append(value.value if isinstance(value, cst.Name) else "<...>")
    return ".".join(reversed(names))
