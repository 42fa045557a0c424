"""Register a service's `setup_<name>_scheduler()` in the host's startup code (libcst).

Anchor: the function `layout.startup_function` in `layout.startup_module` (example_service:
`background_services()` in `src/main.py`). The call goes right after the last call of another
`setup_*_scheduler()` function in it, or, when there is none yet, right before the shared
scheduler's `start()`. Names are resolved through the module's imports, so aliased imports and
module-qualified calls are recognised; the import of the new setup function is added in isort's
order. A call that is already there leaves the file unchanged.
"""

import re

import libcst as cst

from skf.changes import ChangeSet
from skf.errors import ProjectError
from skf.generate import imports, pyfile
from skf.project.source import SourceFile

_SETUP = re.compile(r"^setup_\w+_scheduler$")


def _call_of(statement: cst.CSTNode) -> cst.Call | None:
    """The call a statement consists of (`f()` or `await f()`), if it is one."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if not isinstance(small, cst.Expr):
        return None
    value = small.value.expression if isinstance(small.value, cst.Await) else small.value
    return value if isinstance(value, cst.Call) else None


class _Anchors(cst.CSTVisitor):
    """Statements in the startup function: setup calls, the scheduler start, the new call."""

    def __init__(self, source: SourceFile, target: str, scheduler_start: str) -> None:
        self.source = source
        self.target = target
        self.scheduler_start = scheduler_start
        self.setup_calls: list[cst.SimpleStatementLine] = []
        self.start_call: cst.SimpleStatementLine | None = None
        self.target_calls: list[cst.SimpleStatementLine] = []

    @property
    def already(self) -> bool:
        return bool(self.target_calls)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        call = _call_of(node)
        if call is None:
            return False
        names = self.source.qualified_names(call.func)
        if self.target in names:
            self.target_calls.append(node)
        if any(_SETUP.match(name.rpartition(".")[2]) for name in names):
            self.setup_calls.append(node)
        if self.scheduler_start in names and self.start_call is None:
            self.start_call = node
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # nested functions are not the startup sequence

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


class _Insert(cst.CSTTransformer):
    def __init__(self, anchor: cst.SimpleStatementLine, after: bool, new: cst.BaseStatement):
        self.anchor = anchor
        self.after = after
        self.new = new

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        for index, statement in enumerate(original_node.body):
            if statement is self.anchor:
                body = list(updated_node.body)
                body.insert(index + 1 if self.after else index, self.new)
                return updated_node.with_changes(body=body)
        return updated_node


def register_setup_call(
    changes: ChangeSet,
    *,
    path: str,
    module_name: str,
    function: str,
    setup_module: str,
    setup_function: str,
    scheduler: str,
) -> None:
    """Call `setup_module.setup_function()` in `function` (see the module docstring)."""
    source = pyfile.read_source(changes, path, module_name, "startup module")
    node = pyfile.top_level_function(source.module, function)
    if node is None:
        raise ProjectError(
            f"{path}: no function {function}() (the anchor skf registers {setup_function}() in)"
        )
    anchors = _Anchors(source, f"{setup_module}.{setup_function}", f"{scheduler}.start")
    node.body.visit(anchors)
    if anchors.already:
        return
    if anchors.setup_calls:
        anchor, after = anchors.setup_calls[-1], True
    elif anchors.start_call is not None:
        anchor, after = anchors.start_call, False
    else:
        raise ProjectError(
            f"{path}: {function}() calls no setup_*_scheduler() and not "
            f"{scheduler.rpartition('.')[2]}.start(), the anchors skf registers "
            f"{setup_function}() by"
        )
    bound = imports.bindings(source)
    need = imports.Need(setup_module, setup_function)
    module, spelled = imports.add_imports(
        source.module, bound, [need], pyfile.own_package(module_name)
    )
    new = pyfile.statement(f"{spelled[need.qualified]}()\n")
    patched = module.visit(_Insert(anchor, after, new))
    assert isinstance(patched, cst.Module)
    changes.write(path, patched.code)


class _Remove(cst.CSTTransformer):
    def __init__(self, targets: list[cst.SimpleStatementLine]) -> None:
        self.targets = targets

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = [
            new
            for old, new in zip(original_node.body, updated_node.body, strict=True)
            if not any(old is target for target in self.targets)
        ]
        return updated_node.with_changes(body=body or [pyfile.statement("pass\n")])


def unregister_setup_call(
    changes: ChangeSet,
    *,
    path: str,
    module_name: str,
    function: str,
    setup_module: str,
    setup_function: str,
) -> bool:
    """Remove the call of `setup_module.setup_function()` from `function` and its import;
    False when there was no such call (`skf remove`)."""
    source = pyfile.read_source(changes, path, module_name, "startup module")
    node = pyfile.top_level_function(source.module, function)
    if node is None:
        return False
    target = f"{setup_module}.{setup_function}"
    # The calls `register_setup_call` would have found (nested functions are not startup).
    anchors = _Anchors(source, target, scheduler_start="")
    node.body.visit(anchors)
    calls = anchors.target_calls
    if not calls:
        return False
    module = source.module.visit(_Remove(calls))
    assert isinstance(module, cst.Module)
    module = pyfile.without_unused_imports(path, module_name, module, {target})
    changes.write(path, module.code)
    return True
