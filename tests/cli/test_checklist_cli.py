"""`skf checklist` on a copy of example_service: ticks come from the checker, evidence from
the inventory; exit codes 0 / 1 / 2; Markdown and JSON."""

import json
import re
from pathlib import Path

from cli_support import edit
from cli_support import skf as run
from git_repos import commit_all
from typer.testing import Result

from skf.checklist import CHECKLIST

SERVICE = "src/services/email_sender_scheduler.py"
DOC = "Docs/Docs_6_Architecture_and_Status/BACKGROUND_SERVICES_ARCHITECTURE.md"


def skf(root: Path, *args: str) -> Result:
    return run("checklist", "--project", str(root), *args)


def line_of(root: Path, path: str, text: str) -> int:
    lines = (root / path).read_text().splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


def test_compliant_service_every_item_ticked_with_file_line_evidence(host: Path) -> None:
    result = skf(host, "email_sender")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("### Implementation Checklist: `email_sender`\n")
    assert "8 of 8 items satisfied" in text
    ticked = re.findall(r"^- \[x\] \*\*(\d)\. ", text, re.MULTILINE)
    assert ticked == [str(item.number) for item in CHECKLIST]
    assert "- [ ]" not in text
    job = line_of(host, SERVICE, "async def process_pending_email_messages(")
    add_job = line_of(host, SERVICE, "scheduler.add_job(")
    section = line_of(host, DOC, "### email_sender")
    enum = line_of(host, DOC, "### EmailStatus")
    for evidence in (
        f"job `async def process_pending_email_messages()`: `{SERVICE}:{job}`",
        f"adds the job to the shared scheduler (job id `process_pending_email_messages`): "
        f"`{SERVICE}:{add_job}`",
        "`setup_email_sender_scheduler()` called at startup: `src/main.py:",
        "misfire grace: `EMAIL_SENDER_MISFIRE_GRACE_SECONDS` (default 300), set to 300 in compose",
        f"`EmailStatus` listed under Authoritative ENUMs: `Queued`, `Processing`, `Completed`, "
        f"`Error`: `{DOC}:{enum}`",
        f"section `### email_sender` (maintained by `skf docs`): `{DOC}:{section}`",
        "`tests/services/test_email_sender.py`: ",
    ):
        assert evidence in text, evidence
    # Every evidence location points at a real line of a real file.
    for path, line in re.findall(r"`([\w./-]+\.(?:py|md)):(\d+)`", text):
        assert 1 <= int(line) <= len((host / path).read_text().splitlines()), (path, line)


def test_unticked_items_say_what_is_missing_and_how_to_fix_exit_1(host: Path) -> None:
    claim = edit(host, SERVICE, ".with_for_update(skip_locked=True)", ".with_for_update()")
    result = skf(host, "email_sender")
    assert result.exit_code == 1
    text = result.stdout
    assert "7 of 8 items satisfied" in text
    assert "- [ ] **2. Query target table for correct ENUM/status value**" in text
    item2 = text.split("- [ ] **2.")[1].split("- [x] **3.")[0]
    assert f"Missing: `{SERVICE}:{claim}`: the claim of email_sender locks its rows" in item2
    assert "(`SKF102` claim-without-skip-locked)" in item2
    assert "Fix: Adds `skip_locked=True`" in item2
    assert "`skf check --fix` applies it." in item2
    assert "Details: `skf rules explain SKF102`." in item2
    # The other service is not affected.
    assert skf(host, "sitemap_scanner").exit_code == 0


def test_json_format(host: Path) -> None:
    edit(host, SERVICE, ".with_for_update(skip_locked=True)", ".with_for_update()")
    result = skf(host, "email_sender", "sitemap_scanner", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1
    email, sitemap = document["checklists"]
    assert (email["service"], email["complete"]) == ("email_sender", False)
    assert (sitemap["service"], sitemap["complete"]) == ("sitemap_scanner", True)
    assert [item["number"] for item in email["items"]] == list(range(1, 9))
    item2 = email["items"][1]
    assert item2["done"] is False
    # What skf did find is still given (the claim, now without SKIP LOCKED).
    assert [e["text"] for e in item2["evidence"]] == ["claims `EmailMessage` rows in `Queued`"]
    (missing,) = item2["missing"]
    assert missing["code"] == "SKF102"
    assert missing["fixable"] == "safe"
    assert missing["explain"] == "skf rules explain SKF102"
    assert all(item["evidence"] for item in sitemap["items"])


def test_a_suppressed_finding_keeps_the_item_ticked_and_is_shown(host: Path) -> None:
    edit(
        host,
        SERVICE,
        "misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,",
        "misfire_grace_time=1800,  # skf: ignore[SKF104] ops want a fixed grace here",
    )
    result = skf(host, "email_sender")
    assert result.exit_code == 0, result.output
    assert "- [x] **4. Add/verify all required environment variables**" in result.stdout
    assert "Accepted in the code (`# skf: ignore`): `src/services/" in result.stdout
    assert "(`SKF104` hardcoded-schedule)" in result.stdout


def test_unknown_service_is_exit_2_listing_the_known_ones(host: Path) -> None:
    result = skf(host, "emial_sender")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "skf: error: no service named 'emial_sender'; known services: email_sender, "
        "sitemap_scanner\n"
    )


def test_every_service_by_default_and_changed_since(host: Path) -> None:
    both = skf(host)
    assert both.exit_code == 0
    assert both.stdout.count("### Implementation Checklist:") == 2

    commit_all(host, "base")
    nothing = skf(host, "--changed-since", "HEAD")
    assert (nothing.exit_code, nothing.stdout) == (
        0,
        "No service to check (none found, or none changed).\n",
    )
    edit(host, SERVICE, ".with_for_update(skip_locked=True)", ".with_for_update()")
    changed = skf(host, "--changed-since", "HEAD")
    assert changed.exit_code == 1
    assert changed.stdout.count("### Implementation Checklist:") == 1
    assert "`email_sender`" in changed.stdout
