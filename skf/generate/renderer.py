"""Rendering the Copier template, in a child process started ahead of time.

Rendering (Copier: its import, its questions, Jinja) is the slowest step of `skf new` and needs
nothing else skf does, so it overlaps the rest: a child process is forked early and imports
Copier while the parent reads the project and resolves the answers; given its job, it renders
while the parent patches the shared files. This module imports only the standard library, so
the CLI can fork the child first thing (`start_early`), before it imports anything heavy.

Rendering happens in a temporary directory whose files are read back into memory: nothing is
written into the host project here (the caller puts what it wants into a ChangeSet).
"""

import contextlib
import multiprocessing
import signal
import tempfile
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from skf.errors import SkfError


def render(part: str, data: dict[str, Any], template: Path) -> dict[str, bytes]:
    """Render the `part` ("service" or "host") of `template` with `data` (validated answers).

    Returns the rendered files by POSIX path relative to the project root.
    """
    from copier import run_copy  # imported here: it is slow to import and only needed now

    with tempfile.TemporaryDirectory(prefix="skf-render-") as directory:
        run_copy(
            str(template),
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


def render_failure(error: BaseException, template: str = "the template") -> SkfError:
    """A template that fails to render is the template's error, reported in one line."""
    return SkfError(f"rendering {template} failed: {type(error).__name__}: {error}")


def _serve(connection: Connection) -> None:
    """The child: import Copier at once, then render the one job it is given (if any)."""
    # Ctrl-C at a prompt reaches the whole process group: the parent handles it and exits,
    # which ends this child (its pipe closes); a traceback of the child's would be noise.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
        outcome = render_failure(error)
    with contextlib.suppress(OSError):  # the parent is gone: nobody is waiting for the files
        connection.send(outcome)
    connection.close()


class Renderer:
    """Renders one part of the template, in a child process started when it is made.

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
        self, part: str, data: dict[str, Any], template: Path
    ) -> Callable[[], dict[str, bytes]]:
        """Start `render(part, data, template)`; the returned function waits for its files."""
        connection = self._connection
        if connection is None or self._given:
            try:
                files = render(part, data, template)
            except Exception as error:  # the same report as from the child process
                raise render_failure(error) from error
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


# The renderer the CLI forks before it imports anything else (see start_early), until a
# command takes it: at most one command in the process uses it.
_early: Renderer | None = None


def start_early() -> None:
    """Fork a renderer now, for the command about to run to take (`take_renderer`).

    The CLI calls this first thing for a command that renders: the child then imports Copier
    while the parent imports the CLI, the checker's parser and the rest (a third of a second
    on the machines we measure on, out of about one).
    """
    global _early
    if _early is None:
        _early = Renderer()


def take_renderer() -> Renderer:
    """The renderer started early, if there is one not yet taken, else a new one."""
    global _early
    taken, _early = _early, None
    return taken if taken is not None else Renderer()


def release_early() -> None:
    """Release an early renderer that no command took (help, or an error before rendering)."""
    global _early
    if _early is not None:
        _early.close()
        _early = None
