"""SKF208 outdated-template on real hosts (its VALID/INVALID examples run with every rule's)."""

from pathlib import Path

from generate_support import copy_example
from lifecycle_support import edit

from skf.check.engine import run_check
from skf.generate.template import template_version


def test_a_record_falling_behind_is_reported_even_from_a_warm_cache(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    assert [f.code for f in run_check(host).findings] == []  # fills the cache
    current = template_version()
    record = host / ".skf/services/sitemap_scanner.yml"
    edit(record, f"template_version: {current}\n", f"template_version: {current - 1}\n")
    (finding,) = run_check(host).findings  # no Python file changed: the cache key must see it
    assert finding.code == "SKF208"
    assert (finding.path, finding.line, finding.service) == (
        ".skf/services/sitemap_scanner.yml",
        6,
        "sitemap_scanner",
    )
    assert finding.message == (
        f"service sitemap_scanner was generated from template v{current - 1}; the current "
        f"template is v{current}: run `skf update sitemap_scanner` to merge what changed"
    )


def test_a_service_without_a_record_is_not_judged(tmp_path: Path) -> None:
    host = copy_example(tmp_path / "host")
    (host / ".skf/services/sitemap_scanner.yml").unlink()
    assert [f.code for f in run_check(host, use_cache=False).findings] == []
