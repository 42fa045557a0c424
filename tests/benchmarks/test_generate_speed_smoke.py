"""benchmarks/generate_speed.py runs end to end (one run of each) and its last line is the JSON
object of figures. The speed targets themselves are the benchmark's business."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "generate_speed.py"


@pytest.mark.slow
def test_quick_run_prints_the_figures_as_its_last_line() -> None:
    process = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, check=False
    )
    assert process.returncode == 0, process.stdout + process.stderr
    figures = json.loads(process.stdout.strip().splitlines()[-1])
    assert figures["runs"] == 1
    assert figures["skf_new_s"] > 0
    assert figures["copier_s"] > 0
    assert figures["ratio"] == pytest.approx(figures["skf_new_s"] / figures["copier_s"], rel=0.01)
