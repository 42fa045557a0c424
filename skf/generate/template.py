"""The Copier template (`template/` at the root of skf's source tree, shipped in the package as
`skf/_template`) and rendering it.

Rendering happens in a temporary directory whose files are read back into memory: nothing is
written into the host project here (the caller puts what it wants into a ChangeSet).
"""

import contextlib
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from skf.config import Layout
from skf.errors import ConfigError, SkfError
from skf.generate import names
from skf.generate.versions import ENV_VAR, TEMPLATE_DIR, TemplateSource, read_version
from skf.project.models import DeclarativeBaseInfo


def template_dir() -> Path:
    """The current template: the newest version of `$SKF_TEMPLATE` when that is set (see
    skf.generate.versions), else the one installed with skf."""
    if os.environ.get(ENV_VAR):
        return TemplateSource.default().current_directory()
    if not (TEMPLATE_DIR / "copier.yml").is_file():
        raise SkfError(f"skf's template is missing: {TEMPLATE_DIR / 'copier.yml'} (reinstall skf)")
    return TEMPLATE_DIR


def template_version() -> int:
    """The template's version (`_skf_template_version` in copier.yml; see CHANGELOG.md)."""
    return read_version(template_dir())


def render(part: str, data: dict[str, Any], template: Path | None = None) -> dict[str, bytes]:
    """Render the `part` ("service" or "host") of `template` (default: the current template)
    with `data` (validated answers).

    Returns the rendered files by POSIX path relative to the project root.
    """
    from copier import run_copy  # imported here: it is slow to import and only needed now

    with tempfile.TemporaryDirectory(prefix="skf-render-") as directory:
        run_copy(
            str(template or template_dir()),
            directory,
            data={**data, "part": part},
            defaults=True,
            quiet=True,
            overwrite=True,
            skip_tasks=True,
        )
        root = Path(directory)
        return {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }


def _render_failure(error: BaseException) -> SkfError:
    return SkfError(f"rendering the template failed: {type(error).__name__}: {error}")


def _serve(connection: Connection) -> None:
    """The child: import Copier at once, then render the one job it is given (if any)."""
    try:
        import copier  # noqa: F401  (the slow import, done while the parent prepares the job)

        job = connection.recv()
    except EOFError:
        return
    if job is None:
        return
    part, data, template = job
    try:
        outcome: object = render(part, data, template)
    except BaseException as error:  # reported to the parent, which raises it
        outcome = _render_failure(error)
    connection.send(outcome)
    connection.close()


class Renderer:
    """Renders one part of the template, in a child process started ahead of time.

    Rendering (Copier: its import, its questions, Jinja) is the slowest step of generating and
    needs nothing else skf does. Started before the answers are resolved, the child imports
    Copier meanwhile; given its job, it renders while the caller patches the shared files.
    Where the process cannot fork safely (no fork, or another thread running) it renders in
    process when asked. The files are the same either way. Use as a context manager, so that
    a child given no job (the command stopped early) is released.
    """

    def __init__(self) -> None:
        self._connection: Connection | None = None
        self._child: Any = None
        self._given = False
        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            context = multiprocessing.get_context("fork")
            ours, theirs = context.Pipe()
            self._child = context.Process(target=_serve, args=(theirs,), daemon=True)
            self._child.start()
            theirs.close()
            self._connection = ours

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is None:
            return
        if not self._given:
            with contextlib.suppress(OSError):  # the child may be gone already
                self._connection.send(None)
        self._connection.close()
        self._connection = None
        self._child.join()

    def start(
        self, part: str, data: dict[str, Any], template: Path | None = None
    ) -> Callable[[], dict[str, bytes]]:
        """Start `render(part, data, template)`; the returned function waits for its files."""
        connection = self._connection
        if connection is None or self._given:
            try:
                files = render(part, data, template)
            except Exception as error:  # the same report as from the child process
                raise _render_failure(error) from error
            return lambda: files
        self._given = True
        connection.send((part, data, template))

        def wait() -> dict[str, bytes]:
            try:
                outcome = connection.recv()
            except EOFError:
                code = self._child.exitcode
                raise SkfError(f"rendering the template failed (exit code {code})") from None
            finally:
                self.close()
            if isinstance(outcome, BaseException):
                raise outcome
            assert isinstance(outcome, dict)
            return outcome

        return wait


def start_render(part: str, data: dict[str, Any]) -> Callable[[], dict[str, bytes]]:
    """Render in a child process of its own while the caller goes on (see Renderer)."""
    return Renderer().start(part, data)


def _checked_import(key: str, value: str) -> str:
    try:
        return names.dotted_module(key, value)
    except SkfError as error:
        raise ConfigError(f"[tool.skf] {key}: {error}") from None


def _checked_name(key: str, value: str) -> str:
    try:
        return names.identifier(key, value, max_length=24)
    except SkfError as error:
        raise ConfigError(f"[tool.skf] {key}: {error}") from None


def layout_data(
    layout: Layout, base: DeclarativeBaseInfo | None, base_import: str
) -> dict[str, str]:
    """The template's layout answers: where the host keeps each piece, and its import names."""
    base_module = base.module if base is not None else f"{layout.models_import}.base"
    base_class = base.name if base is not None else "Base"
    imports = {
        "models_import": layout.models_import,
        "runtime_import": layout.runtime_import,
        "settings_import": layout.settings_import,
        "scheduler_import": layout.scheduler_import,
        "session_import": layout.session_import,
        "startup_import": layout.module_name(layout.startup_module),
        "services_import": layout.services_import,
        "base_module": base_module,
        "base_import": base_import,
    }
    identifiers = {
        "settings_class": layout.settings_class,
        "settings_instance": layout.settings_instance,
        "scheduler_name": layout.scheduler_name,
        "session_factory": layout.session_factory,
        "startup_function": layout.startup_function,
        "base_class": base_class,
    }
    return {
        "services_dir": layout.services_dir,
        "tests_dir": layout.tests_dir,
        "models_package": layout.models_package,
        "runtime_module": layout.runtime_module,
        "settings_module": layout.settings_module,
        "scheduler_module": layout.scheduler_module,
        "session_module": layout.session_module,
        "startup_module": layout.startup_module,
        "architecture_doc": layout.architecture_doc,
        "compose_file": layout.compose_file,
        "compose_service": layout.compose_service,
        **{key: _checked_import(key, value) for key, value in imports.items()},
        **{key: _checked_name(key, value) for key, value in identifiers.items()},
    }
