"""The template is cut from example_service: rendered with example_service's answers, it gives
back example_service's files. Whoever changes one side without the other breaks these tests
(for the runtime module: `python scripts/sync_runtime_template.py` re-cuts the template; the
session module is re-cut by hand, its layout answers put back)."""

import difflib
import re

from generate_reference import (
    EXAMPLE,
    email_sender_spec,
    handler_region,
    render_host,
    render_service,
    with_handler,
)

from skf.config import load_layout
from skf.generate import record
from skf.generate.host_record import host_files, read_host_record
from skf.generate.spec import resolve
from skf.generate.template import TEMPLATE_DIR, template_version

REFERENCE = "src/services/email_sender_scheduler.py"


def test_the_reference_service_is_the_template_but_for_its_handler() -> None:
    rendered = render_service(EXAMPLE, email_sender_spec())[REFERENCE]
    reference = (EXAMPLE / REFERENCE).read_text()

    assert with_handler(rendered, reference) == reference
    # The difference is exactly the region the developer owns: outside it, byte for byte.
    assert rendered.split(handler_region(rendered)) == reference.split(handler_region(reference))
    changed = [
        line
        for line in difflib.unified_diff(
            rendered.splitlines(), reference.splitlines(), lineterm="", n=0
        )
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    region = handler_region(reference) + handler_region(rendered)
    assert changed
    assert all(line[1:] in region for line in changed)


def test_the_generated_stub_is_marked_as_the_developers_and_raises_nothing() -> None:
    rendered = render_service(EXAMPLE, email_sender_spec())[REFERENCE]
    stub = handler_region(rendered)
    assert stub.startswith("# skf:begin handler -- everything down to `skf:end handler` is yours")
    assert "raise" not in stub.replace("Raise to fail", "")
    assert stub.rstrip().endswith("return None\n\n\n# skf:end handler")


def test_the_host_files_skf_keeps_current_are_what_the_template_renders() -> None:
    """The runtime module, the session module and the test fixtures: example_service is
    where they are developed, the template renders them into hosts, and `skf update --host`
    keeps hosts current with them (example_service's host record says so)."""
    rendered = render_host(EXAMPLE)
    layout = load_layout(EXAMPLE)
    owned = host_files(layout)
    assert sorted(owned) == [
        "src/session/async_session.py",
        "src/status_queue.py",
        "tests/conftest.py",
    ]
    for path in owned:
        assert rendered[path] == (EXAMPLE / path).read_text(), path
    recorded = read_host_record(layout)
    assert recorded is not None
    assert dict(recorded.files) == dict.fromkeys(owned, template_version())


def test_sitemap_scanner_is_what_skf_generates_from_its_record() -> None:
    """example_service's second service was produced by `skf new service`, not by hand: its
    module and tests are exactly the render of its recorded answers."""
    path = ".skf/services/sitemap_scanner.yml"
    recorded = record.load((EXAMPLE / path).read_text(), path)
    spec = resolve(
        load_layout(EXAMPLE),
        {
            "service_name": "sitemap_scanner",
            "model": "src.models.domain:Domain",
            "status_column": "sitemap_status",
        },
    )
    # The model has the bookkeeping columns now; the answers are the same as recorded.
    assert spec.template_data() == dict(recorded.answers)
    rendered = render_service(EXAMPLE, spec)
    for file in recorded.created:
        if file.endswith(".py"):
            assert rendered[file] == (EXAMPLE / file).read_text(), file


def test_the_records_say_which_template_version_made_each_service() -> None:
    for name in ("email_sender", "sitemap_scanner"):
        path = f".skf/services/{name}.yml"
        recorded = record.load((EXAMPLE / path).read_text(), path)
        assert recorded.template_version == template_version()
        assert recorded.service == name
    changelog = (TEMPLATE_DIR / "CHANGELOG.md").read_text()
    assert re.search(rf"^## {template_version()}$", changelog, re.MULTILINE)


def test_email_sender_is_recorded_with_the_answers_that_reproduce_it() -> None:
    path = ".skf/services/email_sender.yml"
    recorded = record.load((EXAMPLE / path).read_text(), path)
    assert dict(recorded.answers) == email_sender_spec().template_data()
