"""benchmarks/generate_speed.py runs end to end (one run of each) and its last line is the JSON
object of figures. The speed targets themselves are the benchmark's business."""

import pytest
from benchmark_runs import quick_figures


@pytest.mark.slow
def test_quick_run_prints_the_figures_as_its_last_line() -> None:
    figures = quick_figures("generate_speed.py")
    assert figures["runs"] == 1
    assert figures["skf_new_s"] > 0
    assert figures["copier_s"] > 0
    assert figures["ratio"] == pytest.approx(figures["skf_new_s"] / figures["copier_s"], rel=0.01)
