"""example_service's reference service as generator answers, and the template's renders of it.

The template is cut from example_service: rendering it with these answers must give back the
reference service module (but for the region the developer owns: the handler) and the files
`skf init` adds (the runtime module, the test fixtures).
"""

import re
from pathlib import Path
from typing import Any

from example_hosts import EXAMPLE

from skf.config import load_layout
from skf.generate.host import host_answers
from skf.generate.service import template_answers
from skf.generate.spec import ServiceSpec, resolve
from skf.generate.template import render
from skf.project.files import ProjectFiles
from skf.project.models import find_declarative_base

EMAIL_SENDER: dict[str, Any] = {
    "service_name": "email_sender",
    "model": "src.models.email_message:EmailMessage",
    "status_column": "status",
    "summary": "sends queued outgoing email messages.",
    "entity": "email message",
    "job_function": "process_pending_email_messages",
    "handler_function": "send_email_message",
    "queue_name": "EMAIL_QUEUE",
}

HANDLER = re.compile(r"^# skf:begin handler.*?^# skf:end handler\n", re.MULTILINE | re.DOTALL)


def email_sender_spec(root: Path = EXAMPLE) -> ServiceSpec:
    return resolve(load_layout(root), EMAIL_SENDER)


def render_service(root: Path, spec: ServiceSpec) -> dict[str, str]:
    layout = load_layout(root)
    data, _base = template_answers(layout, spec, ProjectFiles(layout))
    return {path: content.decode() for path, content in render("service", data).items()}


def render_host(root: Path) -> dict[str, str]:
    """The host part rendered with the answers `skf init` uses for the project at `root`."""
    layout = load_layout(root)
    base = find_declarative_base(ProjectFiles(layout), layout.models_package)
    data = host_answers(layout, base)
    return {path: content.decode() for path, content in render("host", data).items()}


def handler_region(text: str) -> str:
    match = HANDLER.search(text)
    assert match is not None, "no skf:begin handler ... skf:end handler region"
    return match.group(0)


def with_handler(rendered: str, reference: str) -> str:
    """`rendered` with its handler region replaced by the one in `reference`."""
    return HANDLER.sub(lambda _match: handler_region(reference), rendered, count=1)
