"""`skf check` end to end on a copy of example_service: exit codes, every format, every option."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from cli_support import edit, skf
from git_repos import commit_all, git

SERVICE = "src/services/email_sender_scheduler.py"
SKIP_LOCKED = ".with_for_update(skip_locked=True)"
NO_SKIP = ".with_for_update()"
SCHEMA = Path(__file__).resolve().parents[1] / "check" / "sarif-schema-2.1.0.json"


@pytest.fixture
def in_host(host: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(host)
    return host


def break_claim(root: Path) -> int:
    """The claim loses skip_locked (SKF102, a safe fix); returns its line."""
    return edit(root, SERVICE, SKIP_LOCKED, NO_SKIP)


def test_clean_host_through_the_installed_console_script(host: Path) -> None:
    console_script = Path(sys.executable).parent / "skf"
    process = subprocess.run(
        [str(console_script), "check", str(host)], capture_output=True, text=True, check=False
    )
    assert (process.returncode, process.stderr) == (0, "")
    assert process.stdout.startswith("All checks passed (2 services, ")


def test_a_violation_is_reported_at_its_line_with_exit_code_1(host: Path) -> None:
    line = break_claim(host)
    process = subprocess.run(
        [sys.executable, "-m", "skf", "check", str(host)],
        capture_output=True,
        text=True,
        check=False,
        cwd=host.parent,
    )
    assert process.returncode == 1, process.stderr
    first, summary, fixable = process.stdout.splitlines()
    assert first.startswith(f"host/{SERVICE}:{line}:")
    assert " SKF102 [*] " in first
    assert first.endswith("[checklist item 2]")
    assert re.fullmatch(r"Found 1 finding \(2 services, \d+ files checked\)\.", summary)
    assert fixable == "[*] 1 fixable with `skf check --fix`."


def test_bad_configuration_is_one_line_and_exit_code_2(in_host: Path) -> None:
    pyproject = in_host / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.skf]\nbogus = 1\n")
    result = skf("check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("skf: error: ")
    assert "unknown [tool.skf] key(s) bogus" in result.stderr


def test_an_unparsable_file_is_reported_and_the_rest_still_checked(in_host: Path) -> None:
    line = break_claim(in_host)
    broken = in_host / "src" / "services" / "broken_scheduler.py"
    broken.write_text("def setup_broken_scheduler(:\n    scheduler.add_job(job)\n")
    result = skf("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("src/services/broken_scheduler.py:1:")
    assert " SKF001 cannot parse" in lines[0]
    assert lines[1].startswith(f"{SERVICE}:{line}:")
    assert " SKF102 " in lines[1]


def test_json_is_the_documented_contract(in_host: Path) -> None:
    line = break_claim(in_host)
    result = skf("check", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert list(document) == ["version", "findings", "services", "summary"]
    [finding] = document["findings"]
    assert list(finding) == [
        "code",
        "name",
        "checklist_item",
        "severity",
        "service",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "fix",
        "fingerprint",
    ]
    assert (finding["code"], finding["checklist_item"], finding["service"]) == (
        "SKF102",
        2,
        "email_sender",
    )
    assert (finding["path"], finding["line"]) == (SERVICE, line)
    assert finding["fix"]["applicability"] == "safe"
    assert document["services"][0]["name"] == "email_sender"
    assert document["summary"]["findings"] == 1


def test_sarif_is_valid_and_points_at_the_line(in_host: Path) -> None:
    line = break_claim(in_host)
    result = skf("check", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text())).validate(log)
    run = log["runs"][0]
    [sarif_result] = run["results"]
    rule = run["tool"]["driver"]["rules"][sarif_result["ruleIndex"]]
    assert rule["id"] == sarif_result["ruleId"] == "SKF102"
    assert "## Use instead" in rule["help"]["markdown"]
    location = sarif_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == SERVICE
    assert location["region"]["startLine"] == line


def test_github_annotations(in_host: Path) -> None:
    line = break_claim(in_host)
    result = skf("check", "--format", "github")
    assert result.exit_code == 1
    [annotation] = result.stdout.splitlines()
    assert annotation.startswith(f"::error file={SERVICE},line={line},col=")
    assert ",title=SKF102 claim-without-skip-locked::" in annotation


def test_clean_run_in_every_format(in_host: Path) -> None:
    assert skf("check", "--format", "github").stdout == ""
    assert json.loads(skf("check", "--format", "json").stdout)["findings"] == []
    assert json.loads(skf("check", "--format", "sarif").stdout)["runs"][0]["results"] == []


def test_output_file(in_host: Path) -> None:
    break_claim(in_host)
    result = skf("check", "--format", "json", "--output", "reports/skf.json")
    assert (result.exit_code, result.stdout) == (1, "")
    document = json.loads((in_host / "reports" / "skf.json").read_text())
    assert document["summary"]["findings"] == 1


def test_fix_applies_prints_rechecks_and_is_idempotent(in_host: Path) -> None:
    break_claim(in_host)
    result = skf("check", "--fix")
    assert result.exit_code == 0
    fixed, changed, summary = result.stdout.splitlines()
    assert (fixed, changed) == ("Fixed 1 finding in 1 file:", f"  modify  {SERVICE}")
    assert summary.startswith("All checks passed (2 services, ")
    assert SKIP_LOCKED in (in_host / SERVICE).read_text()
    again = skf("check", "--fix")
    assert again.exit_code == 0
    assert again.stdout.startswith("Nothing to fix.\nAll checks passed")


def test_fix_with_a_machine_format_keeps_stdout_parseable(in_host: Path) -> None:
    break_claim(in_host)
    result = skf("check", "--fix", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["findings"] == []
    assert "Fixed 1 finding in 1 file:" in result.stderr


def test_unsafe_fixes_only_with_the_flag(in_host: Path) -> None:
    # No misfire grace at all: the fix adds a setting whose default (APScheduler's 1 s)
    # changes nothing, but only the user can say that is the grace they want: unsafe.
    edit(
        in_host,
        SERVICE,
        "        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n",
        "",
    )
    before = (in_host / SERVICE).read_text()
    safe_only = skf("check", "--fix")
    assert safe_only.exit_code == 1
    assert safe_only.stdout.startswith("Nothing to fix.\n")
    assert " SKF104 " in safe_only.stdout
    assert "1 more fixable with `skf check --fix --unsafe-fixes`." in safe_only.stdout
    assert (in_host / SERVICE).read_text() == before
    unsafe = skf("check", "--fix", "--unsafe-fixes")
    assert unsafe.exit_code == 0, unsafe.stdout
    assert unsafe.stdout.startswith("Fixed 1 finding in ")
    assert "misfire_grace_time=settings." in (in_host / SERVICE).read_text()


def test_diff_shows_the_fix_and_writes_nothing(in_host: Path) -> None:
    break_claim(in_host)
    before = (in_host / SERVICE).read_text()
    result = skf("check", "--diff")
    assert result.exit_code == 1
    assert f"--- a/{SERVICE}\n+++ b/{SERVICE}\n" in result.stdout
    assert f"-                {NO_SKIP}\n+                {SKIP_LOCKED}\n" in result.stdout
    assert "Would fix 1 of 1 finding in 1 file (nothing written)." in result.stderr
    assert (in_host / SERVICE).read_text() == before


def test_inline_suppressions(in_host: Path) -> None:
    line = break_claim(in_host)
    reason = "  # skf: ignore[SKF102] the legacy queue has one worker"
    edit(in_host, SERVICE, NO_SKIP, NO_SKIP + reason)
    result = skf("check")
    assert result.exit_code == 0
    assert re.fullmatch(
        r"All checks passed \(2 services, \d+ files checked, 1 suppressed\)\.\n", result.stdout
    )

    edit(in_host, SERVICE, reason, "  # skf: ignore[SKF102]")
    result = skf("check")
    assert result.exit_code == 1
    [reported, _summary] = result.stdout.splitlines()
    assert reported.startswith(f"{SERVICE}:{line}:")
    assert " SKF002 suppression has no reason" in reported

    edit(
        in_host,
        SERVICE,
        NO_SKIP + "  # skf: ignore[SKF102]",
        SKIP_LOCKED + "  # skf: ignore[SKF102] x",
    )
    result = skf("check")
    assert result.exit_code == 1
    assert " SKF003 unused suppression (no SKF102 finding on this line)" in result.stdout


def test_a_suppression_applies_where_the_finding_points_even_outside_paths(
    in_host: Path,
) -> None:
    # SKF207 (an API requeue that does not check the current status) points into
    # src/api/emails.py, outside the PATHS given; the service it requeues for is under them,
    # so the finding is reported, and its suppression in the API module must apply to it.
    from skf.check.rules.unchecked_status_reset import _UNCHECKED

    (in_host / "src" / "api" / "emails.py").write_text(_UNCHECKED)
    unsuppressed = skf("check", ".", "src/services")
    assert unsuppressed.exit_code == 1
    assert unsuppressed.stdout.startswith("src/api/emails.py:")
    assert " SKF207 " in unsuppressed.stdout
    requeue = "message.status = EmailStatus.Queued"
    edit(in_host, "src/api/emails.py", requeue, requeue + "  # skf: ignore[SKF207] admin only")
    suppressed = skf("check", ".", "src/services")
    assert suppressed.exit_code == 0, suppressed.stdout
    assert ", 1 suppressed)." in suppressed.stdout


def test_suppression_text_in_a_string_suppresses_nothing(in_host: Path) -> None:
    break_claim(in_host)
    edit(
        in_host,
        SERVICE,
        NO_SKIP,
        NO_SKIP + '.where(text("# skf: ignore[SKF102] not a comment"))',
    )
    assert " SKF102 " in skf("check").stdout


def test_baseline_write_then_only_new_findings(in_host: Path) -> None:
    break_claim(in_host)
    written = skf("check", "--write-baseline", ".skf-baseline.json")
    assert written.exit_code == 0
    assert written.stderr == "Recorded 1 finding in .skf-baseline.json.\n"
    result = skf("check", "--baseline", ".skf-baseline.json")
    assert result.exit_code == 0
    assert re.fullmatch(
        r"All checks passed \(2 services, \d+ files checked, 1 in the baseline\)\.\n", result.stdout
    )
    edit(in_host, SERVICE, "        replace_existing=True,\n", "")
    result = skf("check", "--baseline", ".skf-baseline.json")
    assert result.exit_code == 1
    assert " SKF103 " in result.stdout
    assert " SKF102 " not in result.stdout


def test_missing_baseline_and_conflicting_options_are_usage_errors(in_host: Path) -> None:
    result = skf("check", "--baseline", "nope.json")
    assert result.exit_code == 2
    assert result.stderr == (
        "skf: error: baseline nope.json does not exist (create it with --write-baseline)\n"
    )
    for extra in (["--fix"], ["--diff"], ["--baseline", "b.json"], ["--changed-since", "HEAD"]):
        result = skf("check", "--write-baseline", "b.json", *extra)
        assert result.exit_code == 2, extra
        assert result.stderr.startswith("skf: error: --write-baseline "), extra
    assert not (in_host / "b.json").exists()


def test_changed_since_checks_only_touched_services(in_host: Path) -> None:
    break_claim(in_host)
    commit_all(in_host, "base")
    untouched = skf("check", "--changed-since", "main")
    assert untouched.exit_code == 0
    assert untouched.stdout.startswith("All checks passed (0 services, ")
    (in_host / "tests" / "services" / "test_email_sender.py").write_text(
        (in_host / "tests" / "services" / "test_email_sender.py").read_text() + "\n# touched\n"
    )
    touched = skf("check", "--changed-since", "main")
    assert touched.exit_code == 1
    assert " SKF102 " in touched.stdout


def test_changed_since_errors(in_host: Path, tmp_path: Path) -> None:
    result = skf("check", "--changed-since", "main")
    assert result.exit_code == 2
    assert "--changed-since needs a git repository" in result.stderr
    git(in_host, "init", "-q")
    result = skf("check", "--changed-since", "no-such-rev")
    assert result.exit_code == 2
    assert result.stderr == "skf: error: --changed-since: unknown git revision 'no-such-rev'\n"


def test_paths_limit_the_check(in_host: Path) -> None:
    break_claim(in_host)
    assert skf("check", ".", "src/api").exit_code == 0
    assert skf("check", ".", "src/services").exit_code == 1
    assert skf("check", ".", SERVICE).exit_code == 1
    missing = skf("check", ".", "src/nowhere.py")
    assert (missing.exit_code, missing.stderr) == (
        2,
        "skf: error: src/nowhere.py: no such file or directory\n",
    )


def test_paths_relative_to_the_root_or_the_working_directory(
    host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    break_claim(host)
    monkeypatch.chdir(host.parent)
    by_root = skf("check", "host", "src/services")
    by_cwd = skf("check", "host", "host/src/services")
    assert by_root.exit_code == by_cwd.exit_code == 1
    assert by_root.stdout == by_cwd.stdout
    assert by_root.stdout.startswith(f"host/{SERVICE}:")
    outside = skf("check", "host", str(host.parent))
    assert outside.exit_code == 2
    assert "is outside the project root" in outside.stderr


def test_no_cache_writes_no_cache(in_host: Path) -> None:
    shutil.rmtree(in_host / ".skf-cache", ignore_errors=True)
    assert skf("check", "--no-cache").exit_code == 0
    assert not (in_host / ".skf-cache").exists()
    assert skf("check").exit_code == 0
    assert (in_host / ".skf-cache").is_dir()


def test_usage_errors(in_host: Path) -> None:
    result = skf("check", "--format", "xml")
    assert result.exit_code == 2
    result = skf("check", "no-such-dir")
    assert (result.exit_code, result.stderr) == (
        2,
        "skf: error: project root no-such-dir is not a directory\n",
    )
