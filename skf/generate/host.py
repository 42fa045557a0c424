"""`skf init`: add to a codebase the shared pieces the pattern assumes, reusing what exists.

The pieces: the settings module, the shared scheduler, the session factory, the runtime module
the services use, the startup module with `background_services()`, the models package and its
declarative base, the architecture doc skeleton, docker-compose.yml, the test fixtures the
generated tests use, and pytest's configuration. A piece that exists where the layout says is
reused; one that exists elsewhere is found (by what it is, not where it is) and `[tool.skf]`
records its place; only missing pieces are rendered from the template (part `host`).
The host record (`.skf/host.yml`, skf.generate.host_record) lists the runtime module, the
session module and the test fixtures when init created them or found them to be a released
template version's render, byte for byte: `skf update --host` keeps those current.
Everything goes into one ChangeSet; on a codebase that has it all (and whose record lists
them), that ChangeSet is empty.
"""

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any, cast

import libcst as cst

from skf.changes import ChangeSet
from skf.config import Layout
from skf.errors import ProjectError
from skf.generate import imports, pyfile, settings_patch
from skf.generate.host_record import (
    HOST_RECORD,
    HostRecord,
    adopt,
    dump,
    host_files,
    read_host_record,
)
from skf.generate.template import layout_data, render
from skf.generate.versions import TemplateSource
from skf.project.files import ProjectFiles
from skf.project.models import DeclarativeBaseInfo, find_declarative_base
from skf.project.source import ParseFailure, SourceFile

SCHEDULER_CLASSES = frozenset(
    {
        "apscheduler.schedulers.asyncio.AsyncIOScheduler",
        "apscheduler.schedulers.AsyncIOScheduler",
    }
)
SETTINGS_BASES = frozenset(
    {"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings"}
)
FIXTURES = ("postgres_url", "database", "postgres_database", "insert_rows")
DOC_NAME = "BACKGROUND_SERVICES_ARCHITECTURE.md"
COMPOSE_NAMES = ("docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml")
PYTEST_CONFIGS = {"pytest.ini": "[pytest]", "setup.cfg": "[tool:pytest]", "tox.ini": "[pytest]"}

# What the session and startup modules skf renders read from the settings.
HOST_SETTINGS = (
    settings_patch.SettingsField("DATABASE_URL", "str", "sqlite+aiosqlite:///./app.db"),
    settings_patch.SettingsField("DB_POOL_SIZE", "PositiveInt", 5),
    settings_patch.SettingsField("DB_MAX_OVERFLOW", "NonNegativeInt", 5),
    settings_patch.SettingsField("DB_POOL_TIMEOUT_SECONDS", "PositiveFloat", 30.0),
    settings_patch.SettingsField("DB_PGBOUNCER_TRANSACTION_MODE", "bool", False),
    settings_patch.SettingsField("LOG_LEVEL", "str", "INFO"),
    settings_patch.SettingsField("SHUTDOWN_GRACE_SECONDS", "PositiveFloat", 20.0),
)


@dataclass
class InitPlan:
    layout: Layout
    changes: ChangeSet
    found: list[str] = field(default_factory=list)
    """Pieces reused, as `what: path`."""
    notes: list[str] = field(default_factory=list)
    tool_skf: dict[str, str] = field(default_factory=dict)
    """Keys `[tool.skf]` gains (pieces found away from the default layout)."""
    recorded: dict[str, int] = field(default_factory=dict)
    """Host files the host record gains: path -> the template version they are the render
    of (skf keeps them current: `skf update --host`)."""


def _parsed(files: ProjectFiles, path: str, needle: str) -> SourceFile | None:
    """`path` parsed, if its text contains `needle` (a cheap prefilter) and it parses."""
    source = files.source(path)
    if needle not in source.text:
        return None
    try:
        source.module  # noqa: B018
    except ParseFailure:
        return None
    return source


def _module_assignments(source: SourceFile) -> list[tuple[str, cst.BaseExpression]]:
    found: list[tuple[str, cst.BaseExpression]] = []
    for statement in source.module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                ):
                    found.append((small.targets[0].target.value, small.value))
    return found


def _find_scheduler(files: ProjectFiles) -> dict[str, str]:
    for path in files.python_files():
        source = _parsed(files, path, "AsyncIOScheduler")
        if source is None:
            continue
        for name, value in _module_assignments(source):
            if (
                isinstance(value, cst.Call)
                and source.qualified_names(value.func) & SCHEDULER_CLASSES
            ):
                return {"scheduler_module": path, "scheduler_name": name}
    return {}


def _find_settings(files: ProjectFiles) -> dict[str, str]:
    for path in files.python_files():
        source = _parsed(files, path, "BaseSettings")
        if source is None:
            continue
        classes = {
            statement.name.value
            for statement in source.module.body
            if isinstance(statement, cst.ClassDef)
            and any(source.qualified_names(base.value) & SETTINGS_BASES for base in statement.bases)
        }
        for name, value in _module_assignments(source):
            if (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value in classes
            ):
                return {
                    "settings_module": path,
                    "settings_class": value.func.value,
                    "settings_instance": name,
                }
    return {}


def _find_function(files: ProjectFiles, name: str, key: str) -> dict[str, str]:
    for path in files.python_files():
        source = _parsed(files, path, f"def {name}(")
        if source is not None and pyfile.top_level_function(source.module, name) is not None:
            return {key: path}
    return {}


def _find_runtime(files: ProjectFiles) -> dict[str, str]:
    for path in files.python_files():
        source = _parsed(files, path, "class StatusQueue")
        if source is not None and pyfile.top_level_class(source.module, "StatusQueue"):
            return {"runtime_module": path}
    return {}


def _find_file(layout: Layout, names: tuple[str, ...]) -> str | None:
    excluded = set(layout.exclude)
    for path in sorted(layout.root.rglob("*")):
        relative = path.relative_to(layout.root)
        if path.name in names and path.is_file() and not excluded & set(relative.parts):
            return relative.as_posix()
    return None


def _discover(layout: Layout, files: ProjectFiles) -> dict[str, str]:
    """Layout keys for pieces that exist away from where the layout says."""

    def base_package() -> dict[str, str]:
        base = find_declarative_base(files, "")
        return {} if base is None else {"models_package": str(PurePosixPath(base.path).parent)}

    def named_file(key: str, names: tuple[str, ...]) -> dict[str, str]:
        found = _find_file(layout, names)
        return {} if found is None else {key: found}

    searches: list[tuple[str, Callable[[], dict[str, str]]]] = [
        (layout.scheduler_module, lambda: _find_scheduler(files)),
        (layout.settings_module, lambda: _find_settings(files)),
        (
            layout.session_module,
            lambda: _find_function(files, layout.session_factory, "session_module"),
        ),
        (
            layout.startup_module,
            lambda: _find_function(files, layout.startup_function, "startup_module"),
        ),
        (layout.runtime_module, lambda: _find_runtime(files)),
        (layout.models_init, base_package),
        (layout.architecture_doc, lambda: named_file("architecture_doc", (DOC_NAME,))),
        (layout.compose_file, lambda: named_file("compose_file", COMPOSE_NAMES)),
    ]
    found: dict[str, str] = {}
    for path, search in searches:
        if not layout.path(path).is_file():
            found.update(search())
    return found


def _has_pytest_config(layout: Layout, pyproject: str | None) -> bool:
    if pyproject is not None:
        try:
            tool = tomllib.loads(pyproject).get("tool", {})
        except tomllib.TOMLDecodeError:
            return True  # not ours to touch; load_layout reports a broken file
        if "ini_options" in tool.get("pytest", {}):
            return True
    for name, header in PYTEST_CONFIGS.items():
        file = layout.path(name)
        if file.is_file() and header in file.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def _toml_value(value: str) -> str:
    return json.dumps(value)


def _pyproject(plan: InitPlan, rendered: dict[str, bytes]) -> None:
    path = "pyproject.toml"
    text = plan.changes.read(path)
    additions: list[str] = []
    if not _has_pytest_config(plan.layout, text):
        additions.append(rendered[path].decode("utf-8"))
    if plan.tool_skf:
        keys = "".join(f"{key} = {_toml_value(value)}\n" for key, value in plan.tool_skf.items())
        additions.append("[tool.skf]\n" + keys)
    if not additions:
        return
    if text is not None and "[tool.skf]" in text and plan.tool_skf:
        raise ProjectError(
            f"{path}: [tool.skf] exists; add {', '.join(plan.tool_skf)} to it by hand"
        )
    base = text or ""
    if base and not base.endswith("\n"):
        base += "\n"
    new = base + ("\n" if base else "") + "\n".join(additions)
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as error:
        raise ProjectError(f"{path}: cannot add skf's tables safely ({error})") from None
    plan.changes.write(path, new)


def _packages(plan: InitPlan, created: list[str]) -> None:
    """Regular packages for the directories of the modules created (and the services)."""
    layout = plan.layout
    source_root = PurePosixPath(layout.source_root)
    directories = {PurePosixPath(path).parent for path in created if path.endswith(".py")}
    directories.add(PurePosixPath(layout.services_dir))
    for directory in sorted(directories):
        if layout.tests_dir in (str(directory), *map(str, directory.parents)):
            continue
        current = directory
        while current != source_root and current != PurePosixPath("."):
            init = str(current / "__init__.py")
            if not plan.changes.exists(init):
                plan.changes.create(init, "")
            current = current.parent


def _conftest(plan: InitPlan, rendered: dict[str, bytes], files: ProjectFiles) -> str | None:
    layout = plan.layout
    path = f"{layout.tests_dir}/conftest.py"
    text = plan.changes.read(path)
    if text is None:
        plan.changes.create(path, rendered[path])
        return path
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        plan.notes.append(f"{path} does not parse; the generated tests need its fixtures")
        return None
    defined = {s.name.value for s in module.body if isinstance(s, cst.FunctionDef)}
    missing = [name for name in FIXTURES if name not in defined]
    if missing:
        plan.notes.append(
            f"{path} lacks the fixtures {', '.join(missing)} the generated tests use; "
            "copy them from skf's template/host/tests/conftest.py.jinja"
        )
    else:
        plan.found.append(f"test fixtures: {path}")
    return None


def add_host_settings(changes: ChangeSet, layout: Layout) -> None:
    """The settings skf's session and startup modules read (HOST_SETTINGS), those missing."""
    settings_patch.add_settings_fields(
        changes,
        path=layout.settings_module,
        module_name=layout.settings_import,
        class_name=layout.settings_class,
        instance=layout.settings_instance,
        fields=HOST_SETTINGS,
        comment="Database, logging and shutdown (read by skf's session and startup modules)",
    )


def _missing_anchors(layout: Layout, files: ProjectFiles, created: list[str]) -> list[str]:
    """What reused modules lack of what `skf new service` needs from them."""
    wanted = [
        (layout.settings_module, layout.settings_class, "settings class"),
        (layout.settings_module, layout.settings_instance, "settings instance"),
        (layout.scheduler_module, layout.scheduler_name, "shared scheduler"),
        (layout.session_module, layout.session_factory, "session factory"),
        (layout.startup_module, layout.startup_function, "startup function"),
    ]
    notes: list[str] = []
    for path, name, what in wanted:
        if path in created or not layout.path(path).is_file():
            continue
        try:
            # Every module-level name: defined there, or imported and passed on.
            defined = set(imports.bindings(files.source(path)).values())
        except ParseFailure as failure:
            notes.append(f"{failure}: skf cannot read the {what} there")
            continue
        if name not in defined:
            notes.append(
                f"{path} defines no `{name}` (the {what} generated services use); "
                "add it, or point [tool.skf] at where yours is"
            )
    return notes


def host_answers(layout: Layout, base: DeclarativeBaseInfo | None) -> dict[str, str]:
    """The answers the template's host part is rendered with (the layout's, in effect)."""
    return layout_data(layout, base, layout.models_import)


def plan_init(layout: Layout) -> InitPlan:
    """What `skf init` would add to the project at `layout.root`."""
    files = ProjectFiles(layout)
    discovered = _discover(layout, files)
    if discovered:
        layout = replace(layout, **cast(dict[str, Any], discovered))
    plan = InitPlan(layout, ChangeSet(layout.root), tool_skf=discovered)
    base = find_declarative_base(files, layout.models_package)
    answers = host_answers(layout, base)
    rendered = render("host", answers)
    pieces = {
        layout.settings_module: "settings",
        layout.scheduler_module: "shared scheduler",
        layout.session_module: "session factory",
        layout.runtime_module: "runtime module",
        layout.startup_module: "startup module",
        layout.architecture_doc: "architecture doc",
        layout.compose_file: "compose file",
    }
    if base is None:
        pieces[layout.models_init] = "models package"
        pieces[f"{layout.models_package}/base.py"] = "declarative base"
    else:
        plan.found.append(f"declarative base: {base.path} ({base.name})")
    created: list[str] = []
    for path, what in pieces.items():
        if layout.path(path).is_file():
            plan.found.append(f"{what}: {path}")
        else:
            plan.changes.create(path, rendered[path])
            created.append(path)
    plan.notes.extend(_missing_anchors(layout, files, created))
    if layout.settings_module not in created and (
        layout.session_module in created or layout.startup_module in created
    ):
        add_host_settings(plan.changes, layout)
    conftest = _conftest(plan, rendered, files)
    if conftest is not None:
        created.append(conftest)
    _packages(plan, created)
    _pyproject(plan, rendered)
    _record_host_files(plan, answers, rendered, created)
    return plan


def _record_host_files(
    plan: InitPlan, answers: dict[str, str], rendered: dict[str, bytes], created: list[str]
) -> None:
    """The host record gains the files skf keeps current that it lacks: those created now
    (at the current version) and those found that are a released version's render."""
    layout = plan.layout
    existing = read_host_record(layout)
    recorded = dict(existing.files) if existing is not None else {}
    source = TemplateSource.default()
    candidates: dict[str, bytes] = {}
    for path in host_files(layout):
        if path in created:
            plan.recorded[path] = source.current  # (again, if it had been deleted)
        elif path in recorded:
            continue  # `skf update --host` keeps it current from here
        elif layout.path(path).is_file():
            candidates[path] = layout.path(path).read_bytes()
    adoption = adopt(layout, candidates, rendered, answers, source)
    plan.recorded.update(adoption.adopted)
    plan.notes.extend(adoption.notes)
    if plan.recorded:
        plan.changes.write(HOST_RECORD, dump(HostRecord({**recorded, **plan.recorded})))
