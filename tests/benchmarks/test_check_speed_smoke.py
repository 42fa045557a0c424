"""benchmarks/check_speed.py runs end to end (on a small tree, without Fixit) and its last
line is the JSON object of figures. The speed targets themselves are the benchmark's
business, not a unit test's."""

import pytest
from benchmark_runs import quick_figures


@pytest.mark.slow
def test_quick_run_prints_the_figures_as_its_last_line() -> None:
    figures = quick_figures("check_speed.py")
    assert figures["lines"] > 10_000
    assert figures["files"] > 50
    for key in ("skf_cold_s", "skf_warm_s", "libcst_parse_s"):
        assert figures[key] > 0, key
    assert figures["fixit_s"] is None
    assert figures["cold_over_parse"] == pytest.approx(
        figures["skf_cold_s"] / figures["libcst_parse_s"], rel=0.01
    )
    # example_service's reference service plus the copies dropped into the packages.
    assert figures["services"] >= 5
