"""The template stays usable with Copier alone: its questions cover every answer skf passes,
and their validators refuse what skf refuses."""

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
import pytest
from generate_reference import EXAMPLE, email_sender_spec, render_service
from ruamel.yaml import YAML

from skf.config import load_layout
from skf.errors import SkfError
from skf.generate import renderer
from skf.generate.renderer import Renderer
from skf.generate.service import template_answers
from skf.generate.template import TEMPLATE_DIR
from skf.project.files import ProjectFiles

QUESTIONS = {
    key
    for key in YAML(typ="safe", pure=True).load((TEMPLATE_DIR / "copier.yml").read_text())
    if not key.startswith("_")
}


def email_sender_answers() -> dict[str, Any]:
    """What skf passes the template to render example_service's reference service."""
    layout = load_layout(EXAMPLE)
    data, _base = template_answers(layout, email_sender_spec(), ProjectFiles(layout))
    return data


def start_render(data: dict[str, Any]) -> Callable[[], dict[str, bytes]]:
    """The service part of the current template, rendered by a Renderer of its own."""
    return Renderer().start("service", data, TEMPLATE_DIR)


def test_every_answer_skf_passes_is_a_question_of_the_template() -> None:
    data = email_sender_answers()
    assert set(data) <= QUESTIONS
    assert QUESTIONS - set(data) == {"part"}


def test_bare_copier_renders_what_skf_renders(tmp_path: Path) -> None:
    data = email_sender_answers()
    copier.run_copy(
        str(TEMPLATE_DIR), tmp_path, data={**data, "part": "service"}, quiet=True, defaults=True
    )
    rendered = render_service(EXAMPLE, email_sender_spec())
    for path, text in rendered.items():
        assert (tmp_path / path).read_text() == text


@pytest.mark.parametrize(
    ("answer", "value"),
    [
        ("service_name", "Sitemap"),
        ("service_name", "s" * 31),
        ("model_class", "widget"),
        ("model_class", "URL"),
        ("model_class", "M" + "m" * 26),  # a new model's: its status enum would not fit
        ("model_class", "AbCdEfGhIjKlMnOpQrStUv"),  # 32 characters in snake_case
        ("summary", 'says "hi"'),
        ("table", "My Table"),
        ("monitored_member", "not a member"),
        ("entity", "Widget"),
    ],
)
def test_copier_validators_refuse_bad_answers(tmp_path: Path, answer: str, value: Any) -> None:
    data = {
        "part": "service",
        "service_name": "widget_pinger",
        "model_class": "Widget",
        answer: value,
    }
    with pytest.raises(ValueError, match=f"Validation error for question '{answer}'"):
        copier.run_copy(str(TEMPLATE_DIR), tmp_path / "out", data=data, quiet=True, defaults=True)


def test_rendering_in_a_child_process_gives_the_same_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = email_sender_answers()
    forked = start_render(data)()
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # as if a thread were running
    in_process = start_render(data)()
    assert forked == in_process
    assert "src/services/email_sender_scheduler.py" in forked


@pytest.mark.parametrize("threads", [1, 2])
def test_a_failing_render_is_reported_as_an_error(
    monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    with pytest.raises(SkfError, match="rendering the template failed: ValueError"):
        start_render({"service_name": "Not Valid"})()


def test_a_renderer_given_no_job_lets_its_child_go() -> None:
    with Renderer() as idle:
        child = idle._child
    if child is not None:  # forked (no other thread was running)
        assert child.exitcode == 0
        assert not child.is_alive()


def test_the_renderer_started_early_is_the_one_the_command_takes() -> None:
    data = email_sender_answers()
    renderer.start_early()
    early = renderer._early
    assert early is not None
    renderer.start_early()  # a second call keeps the first child
    assert renderer._early is early
    taken = renderer.take_renderer()
    assert taken is early
    assert renderer.take_renderer() is not early  # taken once: later commands fork their own
    with taken:
        files = taken.start("service", data, TEMPLATE_DIR)()
    assert files == start_render(data)()


def test_an_early_renderer_no_command_took_is_released() -> None:
    renderer.start_early()
    assert renderer._early is not None
    child = renderer._early._child
    renderer.release_early()
    assert renderer._early is None
    if child is not None:  # forked (no other thread was running)
        assert child.exitcode == 0
        assert not child.is_alive()


def _ignores_sigint_soon(pid: int, timeout_s: float = 30.0) -> bool:
    """Whether process `pid` ignores SIGINT within `timeout_s` (read from /proc)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text()
        ignored = int(
            next(line for line in status.splitlines() if line.startswith("SigIgn:"))[7:], 16
        )
        if ignored & (1 << (signal.SIGINT - 1)):
            return True
        time.sleep(0.01)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_an_interrupt_at_a_prompt_does_not_reach_the_renderer() -> None:
    """Ctrl-C goes to the whole process group; the parent decides what it means."""
    data = email_sender_answers()
    with Renderer() as forked:
        child = forked._child
        if child is None:
            pytest.skip("this platform renders in process")
        assert _ignores_sigint_soon(child.pid)
        os.kill(child.pid, signal.SIGINT)
        files = forked.start("service", data, TEMPLATE_DIR)()
    assert "src/services/email_sender_scheduler.py" in files
