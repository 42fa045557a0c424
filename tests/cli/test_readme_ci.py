"""The README's "Services, checklists and docs" and "CI and editors" sections: every YAML
snippet is valid, the GitHub Actions job uploads the file skf writes, the pre-commit snippet
names the hooks this repository declares, and every `skf` command line in them runs with the
real CLI (parsed and executed, not `--help`) on a git copy of example_service."""

import json
import re
import shlex
from pathlib import Path

import pytest
from git_repos import commit_all, git
from ruamel.yaml import YAML
from typer.testing import CliRunner

from skf.cli import app

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def code_blocks(text: str, language: str = "") -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


SNIPPETS = [
    YAML(typ="safe").load(block) for block in code_blocks(section("CI and editors"), "yaml")
]


def workflow() -> dict[str, object]:
    return next(s for s in SNIPPETS if isinstance(s, dict) and "jobs" in s)


def steps() -> list[dict[str, object]]:
    jobs = workflow()["jobs"]
    assert isinstance(jobs, dict)
    (job,) = jobs.values()
    return list(job["steps"])


def command_lines() -> list[str]:
    """Every `skf ...` command line: the workflow's `run:` steps and the shell blocks."""
    lines = [
        line.strip()
        for step in steps()
        if isinstance(step.get("run"), str)
        for line in str(step["run"]).splitlines()
    ]
    for block in code_blocks(section("Services, checklists and docs")):
        lines += [line.split("  #")[0].strip() for line in block.splitlines()]
    return [line for line in lines if line.startswith("skf ")]


def test_snippets_are_valid_yaml_naming_real_hooks_and_actions() -> None:
    assert len(SNIPPETS) == 2
    pre_commit = next(s for s in SNIPPETS if isinstance(s, dict) and "repos" in s)
    declared = {hook["id"] for hook in YAML(typ="safe").load(REPO / ".pre-commit-hooks.yaml")}
    (repo,) = pre_commit["repos"]
    assert {hook["id"] for hook in repo["hooks"]} == declared
    uses = [str(step.get("uses")) for step in steps()]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    upload = next(s for s in steps() if str(s.get("uses")).startswith("github/codeql-action/"))
    check = next(s for s in steps() if str(s.get("run", "")).startswith("skf check"))
    argv = shlex.split(str(check["run"]))
    assert argv[argv.index("--format") + 1] == "sarif"
    assert argv[argv.index("--changed-since") + 1] == "origin/main"
    assert upload["with"]["sarif_file"] == argv[argv.index("--output") + 1]  # type: ignore[index]
    assert any("skf checklist" in str(step.get("run", "")) for step in steps())
    checkout = next(s for s in steps() if str(s.get("uses")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # type: ignore[index]  # origin/main must exist


@pytest.fixture
def git_host(host: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    commit_all(host, "host")
    git(host, "update-ref", "refs/remotes/origin/main", "HEAD")
    monkeypatch.chdir(host)
    return host


def test_every_skf_command_line_runs(git_host: Path) -> None:
    lines = command_lines()
    assert len(lines) >= 8, lines
    for line in lines:
        # Shell redirection is the shell's business: run what skf is given.
        argv = shlex.split(line.split(">>")[0])[1:]
        result = CliRunner().invoke(app, argv)
        assert result.exception is None or isinstance(result.exception, SystemExit), line
        assert result.exit_code == 0, (line, result.output)
        assert "Usage:" not in result.output, line
    sarif = json.loads((git_host / "skf.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert "<table" in (git_host / "report.html").read_text()
