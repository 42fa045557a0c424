"""Running a benchmark script as its smoke tests do: `--quick`, and the figures of its last
line (every benchmark ends with one JSON object)."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def quick_figures(script: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    process = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=env,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    figures: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return figures
