"""The architecture doc: reading enums and service sections, editing only skf's blocks."""

from pathlib import Path

import pytest

from skf.archdoc import (
    ArchitectureDoc,
    EnumFacts,
    ServiceFacts,
    render_enum_block,
    render_service_block,
    split_monitored,
    with_monitored,
)
from skf.errors import ProjectError
from skf.service_settings import SERVICE_SETTINGS, format_default

EXAMPLE_DOC = (
    Path(__file__).parents[2]
    / "example_service/Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
)

HAND_WRITTEN = """\
# Services

Intro prose that skf must never touch.

## Authoritative ENUMs

### SitemapStatus

- `Queued`: waiting
- `Processing` - claimed
* `Completed`
| `Error` | failed |

### `DomainStatus` (domain_status)

| Value | Meaning |
| --- | --- |
| `new` | fresh |
| `Not a Fit` | rejected |

## Operations

### sitemap_scanner

Runs `process_pending_domains`; env `SITEMAP_SCANNER_INTERVAL_MINUTES`.
"""


def email_sender_facts() -> ServiceFacts:
    return ServiceFacts(
        name="email_sender",
        summary="Sends queued outgoing email messages.",
        module_path="src/services/email_sender_scheduler.py",
        job_function="process_pending_email_messages",
        job_id="process_pending_email_messages",
        setup_function="setup_email_sender_scheduler",
        model="EmailMessage",
        table="email_messages",
        status_column="status",
        status_enum="EmailStatus",
        monitored="Queued",
        processing="Processing",
        completed="Completed",
        error="Error",
        env=tuple(
            (s.env_name("email_sender"), format_default(s.default), s.meaning)
            for s in SERVICE_SETTINGS
        ),
    )


def test_hand_written_enum_entries_are_read_in_lists_and_tables() -> None:
    enums = ArchitectureDoc(HAND_WRITTEN).enums()
    assert enums["SitemapStatus"].values == ("Queued", "Processing", "Completed", "Error")
    assert enums["DomainStatus"].values == ("new", "Not a Fit")
    assert not enums["DomainStatus"].managed
    assert enums["SitemapStatus"].line == 7


def test_hand_written_service_sections_count_wherever_they_are() -> None:
    services = ArchitectureDoc(HAND_WRITTEN).services()
    assert set(services) == {"sitemap_scanner"}
    section = services["sitemap_scanner"]
    assert section.env_vars == {"SITEMAP_SCANNER_INTERVAL_MINUTES"}
    assert "process_pending_domains" in section.code_spans
    assert not section.managed


def test_the_example_docs_block_is_exactly_what_skf_renders() -> None:
    doc = ArchitectureDoc(EXAMPLE_DOC.read_text())
    assert doc.block_text("service", "email_sender") == render_service_block(email_sender_facts())
    assert doc.with_block(
        "service", "email_sender", render_service_block(email_sender_facts())
    ) == (doc.text)


def test_adding_then_removing_a_block_restores_the_doc_byte_for_byte() -> None:
    original = EXAMPLE_DOC.read_text()
    doc = ArchitectureDoc(original)
    block = render_enum_block(
        EnumFacts("WidgetStatus", "widget_status", ("widgets.status",), ("Queued", "Done"))
    )
    added = doc.with_block("enum", "WidgetStatus", block)
    assert added != original
    reread = ArchitectureDoc(added)
    assert reread.enums()["WidgetStatus"].values == ("Queued", "Done")
    # Added at the end of the ENUMs section, before `## Services`.
    assert added.index("WidgetStatus") < added.index("## Services")
    assert reread.without_block("enum", "WidgetStatus") == original


def test_replacing_a_block_touches_nothing_outside_it() -> None:
    doc = ArchitectureDoc(EXAMPLE_DOC.read_text())
    changed = doc.with_block("service", "email_sender", "### email_sender\n\nShort.\n")
    before, after = doc.text.split("<!-- skf:begin service email_sender -->")
    new_before, new_after = changed.split("<!-- skf:begin service email_sender -->")
    assert new_before == before
    assert new_after.endswith(after.split("<!-- skf:end service email_sender -->")[1])


def test_missing_sections_are_created_at_the_end() -> None:
    text = "# Doc\n\nprose\n"
    with_enum = ArchitectureDoc(text).with_block("enum", "Foo", "### Foo\n\n- `A`: first\n")
    assert with_enum == (
        "# Doc\n\nprose\n\n## Authoritative ENUMs\n\n<!-- skf:begin enum Foo -->\n"
        "### Foo\n\n- `A`: first\n<!-- skf:end enum Foo -->\n"
    )
    with_service = ArchitectureDoc(with_enum).with_block("service", "x", "### x\n")
    assert with_service.endswith(
        "## Services\n\n<!-- skf:begin service x -->\n### x\n<!-- skf:end service x -->\n"
    )
    assert set(ArchitectureDoc(with_service).services()) == {"x"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<!-- skf:begin service a -->\n", "has no skf:end"),
        ("<!-- skf:end service a -->\n", "unmatched skf:end"),
        (
            "<!-- skf:begin service a -->\n<!-- skf:begin service b -->\n",
            "inside the unclosed block",
        ),
        (
            "<!-- skf:begin enum A -->\n<!-- skf:end enum A -->\n" * 2,
            "duplicate block enum A",
        ),
    ],
)
def test_broken_markers_are_reported_with_their_line(text: str, message: str) -> None:
    with pytest.raises(ProjectError, match=message):
        ArchitectureDoc(text, "doc.md")


@pytest.mark.parametrize(
    ("meaning", "rest", "services"),
    [
        ("waiting to be claimed", "waiting to be claimed", []),
        ("waiting (monitored by email_sender)", "waiting", ["email_sender"]),
        ("waiting (monitored by a, b) here", "waiting here", ["a", "b"]),
        ("(monitored by a,  b ,)", "", ["a", "b"]),
    ],
)
def test_the_monitored_note_splits_off_its_services(
    meaning: str, rest: str, services: list[str]
) -> None:
    assert split_monitored(meaning) == (rest, services)


def test_the_monitored_note_is_written_after_the_meaning_and_only_with_services() -> None:
    assert with_monitored("waiting", ["a", "b"]) == "waiting (monitored by a, b)"
    assert with_monitored("", ["a"]) == "(monitored by a)"
    assert with_monitored("waiting", []) == "waiting"
    noted = "waiting (monitored by a)"
    assert with_monitored(*split_monitored(noted)) == noted
