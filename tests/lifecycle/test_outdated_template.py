"""SKF208 outdated-template on real hosts (its VALID/INVALID examples run with every rule's)."""

from pathlib import Path

from example_hosts import copy_example
from lifecycle_support import edit

from skf.check.engine import run_check
from skf.generate.template import template_version
from skf.generate.versions import TemplateSource, render_inputs, service_sources


def test_a_record_falling_behind_is_reported_even_from_a_warm_cache(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    assert [f.code for f in run_check(host).findings] == []  # fills the cache
    current = template_version()
    record = host / ".skf/services/sitemap_scanner.yml"
    edit(record, f"template_version: {current}\n", "template_version: 1\n")
    (finding,) = run_check(host).findings  # no Python file changed: the cache key must see it
    assert finding.code == "SKF208"
    assert (finding.path, finding.line, finding.service) == (
        ".skf/services/sitemap_scanner.yml",
        6,
        "sitemap_scanner",
    )
    assert finding.message == (
        f"service sitemap_scanner was generated from template v1; the current "
        f"template is v{current}: run `skf update sitemap_scanner` to merge what changed"
    )


def test_a_version_that_renders_services_alike_is_not_reported() -> None:
    """Which versions make a service behind: those whose service part renders differently
    (version 2 changed the generated tests); a host-only change, a new question help text or
    validator, and the version number itself do not count."""
    source = TemplateSource.installed()
    assert not source.renders_alike(1, 2, service_sources)
    files = source.files(source.current)
    config = files["copier.yml"].decode()
    version = f"_skf_template_version: {source.current}"
    alike = {
        **files,
        "copier.yml": config.replace(version, "_skf_template_version: 99")
        .replace("help: Table name", "help: The table's name")
        .replace("a snake_case name", "a snake_case table name")
        .encode(),
        "host/{{ runtime_module }}.jinja": b"# another runtime\n",
    }
    assert render_inputs(alike, service_sources, "service") == render_inputs(
        files, service_sources, "service"
    )
    different = {**files, "_macros.jinja": files["_macros.jinja"] + b"\n"}
    assert render_inputs(different, service_sources, "service") != render_inputs(
        files, service_sources, "service"
    )
    declared = {**files, "copier.yml": config.encode() + b"_skf_settings: []\n"}
    runtime = "host/{{ runtime_module }}.jinja".__eq__
    assert render_inputs(declared, runtime, "host") == render_inputs(files, runtime, "host")
    assert render_inputs(declared, service_sources, "service") != render_inputs(
        files, service_sources, "service"
    )


def test_a_service_without_a_record_is_not_judged(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    (host / ".skf/services/sitemap_scanner.yml").unlink()
    assert [f.code for f in run_check(host, use_cache=False).findings] == []


def test_a_host_file_falling_behind_is_reported_even_from_a_warm_cache(tmp_path: Path) -> None:
    """SKF209 outdated-host on example_service: its host record lists the runtime module,
    the session module and the fixtures at the current version; one set back to version 1
    (whose runtime differs) is reported, with the command to run."""
    host = copy_example(tmp_path / "host")
    assert [f.code for f in run_check(host).findings] == []  # fills the cache
    current = template_version()
    edit(host / ".skf/host.yml", f"src/status_queue.py: {current}\n", "src/status_queue.py: 1\n")
    (finding,) = run_check(host).findings
    assert (finding.code, finding.path, finding.line, finding.service) == (
        "SKF209",
        ".skf/host.yml",
        8,
        None,
    )
    assert finding.message == (
        f"src/status_queue.py (the host's runtime module) is template v1's, and template "
        f"v{current} changed it: run `skf update --host` to merge what changed"
    )
