"""Baselines through the real engine: a recorded finding stays hidden when unrelated code is
edited and when the code around it moves, and a new defect still shows."""

from pathlib import Path

from example_hosts import copy_example

from skf.check.baseline import load_baseline, write_baseline
from skf.check.report import check_project

SERVICE = "src/services/email_sender_scheduler.py"
SETUP = "\n\ndef setup_email_sender_scheduler() -> None:"


def replace_once(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert text.count(old) == 1, old
    file.write_text(text.replace(old, new))


def test_a_baseline_survives_edits_and_moved_code(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    service = host / SERVICE
    replace_once(service, ".with_for_update(skip_locked=True)", ".with_for_update()")
    before = check_project(host).result.findings
    assert [f.code for f in before] == ["SKF102"]
    baseline_file = tmp_path / "baseline.json"
    write_baseline(baseline_file, before)
    baseline = load_baseline(baseline_file)

    # An unrelated edit above the finding: every line below moves down.
    replace_once(
        service,
        "logger = logging.getLogger(__name__)\n",
        'logger = logging.getLogger(__name__)\n\nRETRY_NOTE = (\n    "unrelated"\n)\n',
    )
    # The setup function moves from the bottom of the module to above the job function.
    text = service.read_text()
    head, setup = text.split(SETUP)
    job = "\n\nasync def process_pending_email_messages("
    assert head.count(job) == 1
    service.write_text(head.replace(job, SETUP + setup.rstrip("\n") + "\n" + job))
    moved = check_project(host, baseline=baseline)
    [finding] = moved.baselined
    assert finding.line != before[0].line
    assert finding.fingerprint == before[0].fingerprint
    assert moved.result.findings == []

    # A new defect is reported; the recorded one stays hidden.
    replace_once(service, "        replace_existing=True,\n", "")
    after = check_project(host, baseline=baseline)
    assert [f.code for f in after.result.findings] == ["SKF103"]
    assert [f.code for f in after.baselined] == ["SKF102"]
