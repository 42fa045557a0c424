"""`skf list` on a copy of example_service: the table, JSON, where values come from,
template versions, compliance, and a hand-written service."""

import json
import shutil
from pathlib import Path

from cli_support import edit, skf

from skf.generate.template import template_version

SERVICE = "src/services/email_sender_scheduler.py"
COMPOSE = "docker-compose.yml"


def rows(root: Path) -> dict[str, dict[str, object]]:
    result = skf("list", str(root), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["version"] == 1
    return {row["name"]: row for row in document["services"]}


def table_row(root: Path, service: str) -> str:
    """`service`'s line of the plain `skf list` table."""
    return next(row for row in skf("list", str(root)).stdout.splitlines() if service in row)


def test_table_lists_every_service_plainly_when_not_a_terminal(host: Path) -> None:
    result = skf("list", str(host))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "\x1b[" not in result.stdout  # no colours
    header = lines[0].split()
    assert header[:4] == ["SERVICE", "MODULE", "JOB", "MODEL"]
    body = {line.split()[0]: line for line in lines[2:]}
    assert set(body) == {"email_sender", "sitemap_scanner"}
    email = body["email_sender"]
    for cell in (
        "src/services/email_sender_scheduler.py",
        "process_pending_email_messages",
        "EmailMessage / email_messages",
        "Processing, Completed, Queued, Error",
        "every 60 seconds (compose)",
        "50 (compose)",
        "300 s (compose)",
        f"v{template_version()} ",  # the record's version: the current one, nothing more
    ):
        assert cell in email, (cell, email)
    assert email.rstrip().endswith(" ok")
    # Stable: the same project gives the same bytes.
    assert skf("list", str(host)).stdout == result.stdout


def test_json_says_where_each_value_comes_from(host: Path) -> None:
    edit(host, COMPOSE, 'EMAIL_SENDER_BATCH_SIZE: "50"', 'EMAIL_SENDER_BATCH_SIZE: "80"')
    compose_lines = (host / COMPOSE).read_text().splitlines()
    interval_line = compose_lines.index('      EMAIL_SENDER_INTERVAL_SECONDS: "60"') + 1
    compose = (host / COMPOSE).read_text()
    (host / COMPOSE).write_text(compose.replace('      EMAIL_SENDER_MAX_INSTANCES: "1"\n', ""))
    grace_line = edit(
        host,
        SERVICE,
        "misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,",
        "misfire_grace_time=1800,",
    )
    email = rows(host)["email_sender"]
    assert email["schedule"] == {
        "trigger": "interval",
        "fields": {
            "seconds": {
                "value": "60",
                "source": "compose",
                "setting": "EMAIL_SENDER_INTERVAL_SECONDS",
                "env": "EMAIL_SENDER_INTERVAL_SECONDS",
                "default": "60",
                "location": f"{COMPOSE}:{interval_line}",
            }
        },
    }
    batch = email["batch_size"]
    assert isinstance(batch, dict)
    assert (batch["value"], batch["source"], batch["default"]) == ("80", "compose", "50")
    max_instances = email["max_instances"]
    assert isinstance(max_instances, dict)
    assert (max_instances["value"], max_instances["source"]) == ("1", "settings")
    assert str(max_instances["location"]).startswith("src/config/settings.py:")
    assert email["misfire_grace_seconds"] == {
        "value": "1800",
        "source": "literal",
        "setting": None,
        "env": None,
        "default": None,
        "location": f"{SERVICE}:{grace_line}",
    }
    assert email["findings"] == 2  # the literal (SKF104) and the unset env var (SKF124)
    assert email["failing_checklist_items"] == [4]
    table = skf("list", str(host)).stdout
    line = next(line for line in table.splitlines() if line.startswith("email_sender"))
    assert "80 (compose; default 50)" in line
    assert "1800 s (literal)" in line
    assert line.rstrip().endswith("2 (items 4)")


def test_a_hand_written_service_has_no_template_version(host: Path) -> None:
    shutil.rmtree(host / ".skf")
    email = rows(host)["email_sender"]
    assert email["template_version"] is None
    assert email["monitored"] == "Queued"
    assert email["sets"] == ["Processing", "Completed", "Queued", "Error"]
    assert email["model"] == "src.models.email_message.EmailMessage"
    assert email["table"] == "email_messages"
    assert email["status_column"] == "status"
    line = next(
        line for line in skf("list", str(host)).stdout.splitlines() if line.startswith("email_")
    )
    assert " - " in line  # the TEMPLATE column


def test_no_service_and_bad_root(tmp_path: Path) -> None:
    empty = skf("list", str(tmp_path))
    assert empty.exit_code == 0
    assert empty.stdout.startswith("No background services found")
    missing = skf("list", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("skf: error: project root")


def test_an_update_is_offered_only_when_the_template_would_change_the_service(
    host: Path,
) -> None:
    """Templates v3 and v4 changed only the host part: a service at v2 has nothing to update (no
    SKF208); one at v1 does. The table and JSON say what SKF208 says."""
    record = ".skf/services/sitemap_scanner.yml"
    current = template_version()
    edit(host, record, f"template_version: {current}\n", "template_version: 2\n")
    alike = rows(host)["sitemap_scanner"]
    assert (alike["template_version"], alike["update_available"]) == (2, False)
    line = table_row(host, "sitemap_scanner")
    assert " v2 " in line
    assert "available" not in line
    edit(host, record, "template_version: 2\n", "template_version: 1\n")
    behind = rows(host)["sitemap_scanner"]
    assert (behind["template_version"], behind["update_available"]) == (1, True)
    assert behind["hazards"] == ["SKF208"]
    line = table_row(host, "sitemap_scanner")
    assert f" v1 (v{current} available) " in line
    assert rows(host)["email_sender"]["update_available"] is False
