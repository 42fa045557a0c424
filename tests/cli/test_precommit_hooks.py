"""`.pre-commit-hooks.yaml`, run by pre-commit itself on a temporary git repository (a copy of
example_service) whose `.pre-commit-config.yaml` points at this repository at HEAD.

pre-commit builds a virtualenv and pip-installs skf from the repository (the committed HEAD,
as a project using the hooks would get a tagged release), so this is slow: one install,
shared by the clean run and the failing run. PRE_COMMIT_HOME is in the test's temp dir.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from git_repos import commit_all, git
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
SERVICE = "src/services/email_sender_scheduler.py"
MODEL = "src/models/email_message.py"


def test_hooks_file_declares_both_hooks_on_the_whole_project() -> None:
    hooks = YAML(typ="safe").load((REPO / ".pre-commit-hooks.yaml").read_text())
    by_id = {hook["id"]: hook for hook in hooks}
    assert set(by_id) == {"skf-check", "skf-docs"}
    assert by_id["skf-check"]["entry"] == "skf check"
    assert by_id["skf-docs"]["entry"] == "skf docs --check"
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert "python" in hook["types_or"]


@pytest.mark.slow
def test_pre_commit_runs_the_hooks_clean_then_failing(host: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    rev = git(REPO, "rev-parse", "HEAD")
    # The hooks come from the committed HEAD; this test file being committed is the proof
    # that the hooks file is too.
    assert git(REPO, "ls-files", ".pre-commit-hooks.yaml") == ".pre-commit-hooks.yaml"
    (host / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {REPO}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: skf-check\n"
        "      - id: skf-docs\n"
    )
    commit_all(host, "host")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("VIRTUAL_ENV", None)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
            cwd=host,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )

    clean = run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "skf check" in clean.stdout
    assert "skf docs --check" in clean.stdout
    assert clean.stdout.count("Passed") == 2

    text = (host / SERVICE).read_text()
    (host / SERVICE).write_text(
        text.replace(".with_for_update(skip_locked=True)", ".with_for_update()")
    )
    model = (host / MODEL).read_text()
    (host / MODEL).write_text(
        model.replace('    Error = "Error"\n', '    Error = "Error"\n    Cancelled = "Cancelled"\n')
    )
    failing = run()
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert failing.stdout.count("Failed") == 2
    assert " SKF102 " in failing.stdout
    assert "enum EmailStatus: `Cancelled` is not listed" in failing.stdout
