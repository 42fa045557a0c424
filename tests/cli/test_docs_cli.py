"""`skf docs [--check] [--dry-run]` on a copy of example_service: in sync, drift, rewrite,
idempotence, prose and hand-written sections untouched, refusals."""

from pathlib import Path

import pytest
from cli_support import edit
from cli_support import skf as run
from typer.testing import Result

DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"
MODEL = "src/models/email_message.py"
SETTINGS = "src/config/settings.py"
SERVICE = "src/services/email_sender_scheduler.py"


def skf(root: Path, *args: str) -> Result:
    return run("docs", str(root), *args)


def add_cancelled(root: Path) -> None:
    edit(root, MODEL, '    Error = "Error"\n', '    Error = "Error"\n    Cancelled = "Cancelled"\n')


def test_example_service_doc_is_in_sync(host: Path) -> None:
    before = (host / DOC).read_bytes()
    result = skf(host, "--check")
    assert result.exit_code == 0, result.output
    assert "is in sync with the code (4 blocks); nothing to do." in result.stdout
    assert (host / DOC).read_bytes() == before


def test_a_new_enum_member_is_drift_that_skf_docs_fixes_once(host: Path) -> None:
    add_cancelled(host)
    before = (host / DOC).read_text()

    check = skf(host, "--check")
    assert check.exit_code == 1
    assert "enum EmailStatus: `Cancelled` is not listed" in check.stdout
    assert (host / DOC).read_text() == before  # --check writes nothing

    dry = skf(host, "--dry-run")
    assert dry.exit_code == 0
    assert "+| `Cancelled` |  |" in dry.stdout
    assert (host / DOC).read_text() == before

    write = skf(host)
    assert write.exit_code == 0, write.output
    assert "enum EmailStatus: rewritten from the code" in write.stdout
    after = (host / DOC).read_text()
    assert "| `Error` | failed after the last attempt |\n| `Cancelled` |  |\n" in after
    # Only the enum block changed: every other line is as it was.
    assert after.replace("| `Cancelled` |  |\n", "") == before

    again = skf(host)
    assert again.exit_code == 0
    assert "nothing to do" in again.stdout
    assert (host / DOC).read_text() == after
    assert skf(host, "--check").exit_code == 0


def test_changed_default_and_renamed_env_var_are_named(host: Path) -> None:
    edit(
        host,
        SETTINGS,
        "EMAIL_SENDER_BATCH_SIZE: PositiveInt = 50",
        "EMAIL_SENDER_BATCH_SIZE: PositiveInt = 75",
    )
    for path in (SETTINGS, SERVICE):
        text = (host / path).read_text()
        (host / path).write_text(text.replace("EMAIL_SENDER_CONCURRENCY", "EMAIL_SENDER_WORKERS"))
    result = skf(host, "--check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "  service email_sender: `EMAIL_SENDER_BATCH_SIZE` default is 50 in the doc, 75 in the code"
        in lines
    )
    assert "  service email_sender: `EMAIL_SENDER_WORKERS` is not listed" in lines
    assert (
        "  service email_sender: `EMAIL_SENDER_CONCURRENCY` is listed, but not in the code" in lines
    )
    assert not any("sitemap_scanner" in line for line in lines)

    assert skf(host).exit_code == 0
    text = (host / DOC).read_text()
    assert "| `EMAIL_SENDER_BATCH_SIZE` | 75 | rows claimed per batch |" in text
    assert "| `EMAIL_SENDER_WORKERS` | 10 |  |" in text
    assert "EMAIL_SENDER_CONCURRENCY" not in text
    assert skf(host, "--check").exit_code == 0


def test_prose_outside_the_markers_is_kept_and_a_missing_block_is_added(host: Path) -> None:
    doc = host / DOC
    text = doc.read_text()
    start = text.index("<!-- skf:begin service sitemap_scanner -->")
    end = text.index("<!-- skf:end service sitemap_scanner -->\n") + len(
        "<!-- skf:end service sitemap_scanner -->\n"
    )
    block = text[start:end]
    prose = "Our own words: page the on-call when a queue stops moving.\n"
    doc.write_text(text[:start].rstrip("\n") + "\n\n" + prose + text[end:])
    result = skf(host, "--check")
    assert result.exit_code == 1
    assert "  service sitemap_scanner: not in the doc" in result.stdout.splitlines()
    assert skf(host).exit_code == 0
    after = doc.read_text()
    assert prose in after
    assert block in after
    assert skf(host, "--check").exit_code == 0


def test_a_stale_block_is_removed_and_a_hand_written_section_left_alone(host: Path) -> None:
    doc = host / DOC
    text = doc.read_text()
    stale = (
        "<!-- skf:begin service gone_service -->\n### gone_service\n\nOld.\n"
        "<!-- skf:end service gone_service -->\n"
    )
    hand = "### nightly_report\n\nWritten by hand; skf must not touch it.\n"
    doc.write_text(text + "\n" + stale + "\n" + hand)
    check = skf(host, "--check")
    assert check.exit_code == 1
    assert (
        "  service gone_service: documented, but no service registers it any more" in check.stdout
    )
    assert skf(host).exit_code == 0
    after = doc.read_text()
    assert "gone_service" not in after
    assert after.endswith(hand)


def test_a_hand_written_section_of_a_real_service_is_reported_not_rewritten(host: Path) -> None:
    doc = host / DOC
    text = doc.read_text()
    start = text.index("<!-- skf:begin service sitemap_scanner -->")
    end = text.index("<!-- skf:end service sitemap_scanner -->\n") + len(
        "<!-- skf:end service sitemap_scanner -->\n"
    )
    hand = (
        "### sitemap_scanner\n\nScans sitemaps; `process_pending_sitemap_domains` on `domains`.\n"
    )
    doc.write_text(text[:start] + hand + text[end:])
    result = skf(host)
    assert result.exit_code == 0
    assert "note: service sitemap_scanner" in result.stderr
    assert "is written by hand" in result.stderr
    assert hand in doc.read_text()


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("no-doc", "no such file (the architecture doc); run `skf init`"),
        ("syntax", "fix the syntax error first"),
        ("markers", "has no skf:end"),
        ("no-services", "refusing to remove every service block"),
    ],
)
def test_refusals_are_one_line_exit_2_and_write_nothing(
    host: Path, breakage: str, message: str
) -> None:
    doc = host / DOC
    if breakage == "no-doc":
        doc.unlink()
    elif breakage == "syntax":
        add_cancelled(host)
        (host / SERVICE).write_text((host / SERVICE).read_text() + "\ndef broken(:\n")
    elif breakage == "markers":
        doc.write_text(doc.read_text() + "\n<!-- skf:begin service x -->\n")
    else:
        for module in (host / "src/services").glob("*_scheduler.py"):
            module.unlink()
    before = doc.read_bytes() if doc.exists() else None
    result = skf(host)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert (doc.read_bytes() if doc.exists() else None) == before


def test_a_failed_write_leaves_the_doc_as_it_was(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skf import changes

    add_cancelled(host)
    before = (host / DOC).read_bytes()

    def failing(source: str, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(changes, "_replace", failing)
    result = skf(host)
    assert result.exit_code != 0
    assert (host / DOC).read_bytes() == before


@pytest.mark.slow
def test_what_skf_new_writes_is_what_skf_docs_writes(host: Path) -> None:
    """One renderer: a service generated into the host (a new model, so a new enum block
    too) leaves the doc exactly as `skf docs` would write it."""
    new = ["new", "service", "widget_pinger", "--new-model", "Widget", "--table", "widgets"]
    result = run(*new, "--defaults", "--no-check", "--project", str(host))
    assert result.exit_code == 0, result.output
    text = (host / DOC).read_text()
    assert "<!-- skf:begin service widget_pinger -->" in text
    assert "<!-- skf:begin enum WidgetStatus -->" in text
    check = skf(host, "--check")
    assert check.exit_code == 0, check.output
    assert "(6 blocks); nothing to do." in check.stdout
