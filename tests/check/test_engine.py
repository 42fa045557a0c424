"""run_check as a whole: unparsable files, limiting to paths and changed files, the result
cache, unreadable inputs, and `[tool.skf]` overrides of the layout."""

from pathlib import Path

import libcst as cst
import pytest
from example_hosts import copy_example, write_files

from skf.check.engine import run_check
from skf.config import Layout
from skf.errors import ConfigError, ProjectError
from skf.project import discovery
from skf.project.discovery import RegistrationSite
from skf.project.resolve import Resolver
from skf.project.scan import Scan
from skf.project.source import SourceFile

EMAIL = "src/services/email_sender_scheduler.py"
SITEMAP = "src/services/sitemap_scanner_scheduler.py"


def break_email_sender(host: Path) -> None:
    """A defect in email_sender only (SKF104 on its registration)."""
    path = host / EMAIL
    path.write_text(
        path.read_text().replace(
            "misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS",
            "misfire_grace_time=1800",
        )
    )


def test_an_unparsable_candidate_is_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    break_email_sender(host)
    write_files(
        host,
        {
            "src/services/broken_scheduler.py": (
                "def setup_broken_scheduler(:\n    scheduler.add_job(f)\n"
            )
        },
    )
    result = run_check(host, use_cache=False)
    found = {(f.code, f.path, f.line) for f in result.findings}
    assert ("SKF001", "src/services/broken_scheduler.py", 1) in found
    assert any(code == "SKF104" and path == EMAIL for code, path, _ in found)
    syntax = next(f for f in result.findings if f.code == "SKF001")
    assert syntax.checklist_item is None
    assert syntax.name == "syntax-error"
    assert syntax.column is not None


def test_undecodable_source_is_a_syntax_error_not_a_crash(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    (host / "src/services/latin_scheduler.py").write_bytes(
        b"# -*- coding: ascii -*-\nx = 'caf\xe9'\nscheduler.add_job(x)\n"
    )
    result = run_check(host, use_cache=False)
    assert [(f.code, f.path, f.line) for f in result.findings] == [
        ("SKF001", "src/services/latin_scheduler.py", 2)
    ]


def test_paths_limit_the_services_checked(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    break_email_sender(host)
    only_sitemap = run_check(host, [SITEMAP], use_cache=False)
    assert [s.name for s in only_sitemap.services] == ["sitemap_scanner"]
    assert only_sitemap.findings == []
    services_dir = run_check(host, ["src/services"], use_cache=False)
    assert {s.name for s in services_dir.services} == {"email_sender", "sitemap_scanner"}
    assert [f.code for f in services_dir.findings] == ["SKF104"]
    assert run_check(host, ["src/api"], use_cache=False).services == []
    # Shared configuration is not a service's code: checking it alone checks no service.
    assert run_check(host, ["docker-compose.yml"], use_cache=False).services == []
    by_model = run_check(host, ["src/models/domain.py"], use_cache=False)
    assert [s.name for s in by_model.services] == ["sitemap_scanner"]


def test_changed_files_limit_the_services_to_those_touched(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    break_email_sender(host)
    model = run_check(host, changed_files={"src/models/email_message.py"}, use_cache=False)
    assert [s.name for s in model.services] == ["email_sender"]
    assert [f.code for f in model.findings] == ["SKF104"]
    domain = run_check(host, changed_files={"src/models/domain.py"}, use_cache=False)
    assert [s.name for s in domain.services] == ["sitemap_scanner"]
    assert domain.findings == []
    shared = run_check(host, changed_files={"docker-compose.yml"}, use_cache=False)
    assert {s.name for s in shared.services} == {"email_sender", "sitemap_scanner"}
    assert run_check(host, changed_files=set(), use_cache=False).services == []


def test_the_cache_answers_unchanged_trees_and_never_goes_stale(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    first = run_check(host)
    cache = host / ".skf-cache"
    assert (cache / ".gitignore").read_text().endswith("*\n")
    assert run_check(host) == first
    break_email_sender(host)
    assert [f.code for f in run_check(host).findings] == ["SKF104"]
    compose = host / "docker-compose.yml"
    compose.write_text(compose.read_text().replace('      EMAIL_SENDER_BATCH_SIZE: "50"\n', ""))
    assert sorted(f.code for f in run_check(host).findings) == ["SKF104", "SKF124"]


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    run_check(host, use_cache=False)
    assert not (host / ".skf-cache").exists()


def test_invalid_compose_yaml_is_a_project_error(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    (host / "docker-compose.yml").write_text("services:\n  app: [unclosed\n")
    with pytest.raises(ProjectError, match=r"docker-compose\.yml: invalid YAML"):
        run_check(host, use_cache=False)


def test_an_unknown_tool_skf_key_is_a_config_error(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    pyproject = host / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.skf]\nscheduler_modul = "x.py"\n')
    with pytest.raises(ConfigError, match=r"unknown \[tool\.skf\] key"):
        run_check(host, use_cache=False)


def move_scheduler(host: Path) -> None:
    """The shared scheduler in `src/core/jobs.py` as `job_scheduler`; compose's app is `api`."""
    (host / "src/scheduler_instance.py").rename(host / "src/core_jobs.py")
    (host / "src/core").mkdir()
    (host / "src/core/__init__.py").write_text("")
    (host / "src/core_jobs.py").rename(host / "src/core/jobs.py")
    jobs = host / "src/core/jobs.py"
    jobs.write_text(
        jobs.read_text()
        .replace("\nscheduler = ", "\njob_scheduler = ")
        .replace("\nscheduler.add_listener(", "\njob_scheduler.add_listener(")
    )
    for path in host.rglob("*.py"):
        text = path.read_text()
        if "from src.scheduler_instance import scheduler" in text:
            path.write_text(
                text.replace(
                    "from src.scheduler_instance import scheduler",
                    "from src.core.jobs import job_scheduler as scheduler",
                )
            )
    compose = host / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("\n  app:\n", "\n  api:\n"))


def test_tool_skf_overrides_where_the_shared_pieces_live(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    move_scheduler(host)
    defaults = run_check(host, use_cache=False)
    codes = sorted({f.code for f in defaults.findings})
    assert codes == ["SKF113", "SKF124"]  # a scheduler of their own; no `app` service
    pyproject = host / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.skf]\nscheduler_module = "src/core/jobs.py"\n'
        + 'scheduler_name = "job_scheduler"\ncompose_service = "api"\n'
    )
    configured = run_check(host, use_cache=False)
    assert configured.findings == []
    assert {s.name for s in configured.services} == {"email_sender", "sitemap_scanner"}


def test_registrations_found_in_parallel_match_the_serial_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = copy_example(tmp_path / "host")
    serial = run_check(host, use_cache=False)
    calls: list[int] = []
    original = discovery._worth_parallel

    def always(scan: Scan, pending: list[str]) -> bool:
        calls.append(len(pending))
        return len(pending) >= 2

    monkeypatch.setattr(discovery, "_worth_parallel", always)
    parallel = run_check(host, use_cache=False)
    assert calls == [2]
    assert parallel == serial
    assert original(Scan({}, {}), []) is False


def test_unchanged_candidates_are_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = copy_example(tmp_path / "host")
    write_files(host, {"src/tools/notes.py": "def f(jobs):\n    jobs.add_job(print)\n"})
    run_check(host)
    (host / EMAIL).write_text((host / EMAIL).read_text() + "\n# touched\n")
    parsed: list[str] = []
    original = discovery.registrations_in

    def spy(
        source: SourceFile, calls: list[tuple[str, cst.Call]], resolver: Resolver, layout: Layout
    ) -> list[RegistrationSite]:
        parsed.append(source.path)
        return original(source, calls, resolver, layout)

    monkeypatch.setattr(discovery, "registrations_in", spy)
    assert [f.code for f in run_check(host).findings] == []
    assert parsed == [EMAIL]
