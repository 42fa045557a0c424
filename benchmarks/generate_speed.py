"""How fast `skf new service` is, against a bare `copier copy` of the same template, same run.

On fresh copies of example_service, each measured as a command (interpreter start-up
included), best of `--repeat` runs (Copier and skf take turns):

- `skf new service widget_pinger --new-model Widget --defaults --no-check`: everything the
  generator does - answers validated, the model read, the template rendered, settings,
  startup, compose, models and docs patched, the record written, all applied at once;
- the same with the checklist verified by `skf check` (without `--no-check`), when the checker
  is installed: generation plus a check of the whole project with a cold cache;
- `copier copy` of the same template with the same answers into an empty directory: only the
  rendering, which skf does too.

Targets: `skf new` under one second and within 1.5x of bare Copier. The last line printed is
one JSON object with the figures and the ratio.

    python benchmarks/generate_speed.py             # 5 runs of each
    python benchmarks/generate_speed.py --quick     # 1 run, no checked run: a smoke test
"""

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from skf.config import load_layout
from skf.generate import record

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLE = REPOSITORY / "example_service"
TEMPLATE = REPOSITORY / "template"
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*", "outbox", ".pytest_cache")
SERVICE = ("widget_pinger", "Widget", "widgets")


def _bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def skf_command(host: Path, check: bool) -> list[str]:
    name, model, table = SERVICE
    command = [
        sys.executable, "-m", "skf", "new", "service", name, "--new-model", model,
        "--table", table, "--defaults", "--project", str(host),
    ]  # fmt: skip
    return command if check else [*command, "--no-check"]


def copier_command() -> list[str]:
    """`copier copy` of the service part with the answers skf renders it with (its record
    lists them), but for the destination."""
    with tempfile.TemporaryDirectory(prefix="skf-bench-answers-") as directory:
        answers_host = Path(directory) / "host"
        shutil.copytree(EXAMPLE, answers_host, ignore=JUNK)
        subprocess.run(skf_command(answers_host, check=False), check=True, capture_output=True)
        generated = record.read(load_layout(answers_host), "widget_pinger")
    assert generated is not None, "skf new wrote no record"
    answers = generated.answers
    data = [f"--data={key}={str(value).lower() if isinstance(value, bool) else value}"
            for key, value in answers.items()]  # fmt: skip
    return [
        _bin("copier"), "copy", "--quiet", "--defaults", "--overwrite", "--data=part=service",
        *data, str(TEMPLATE),
    ]  # fmt: skip


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])}... failed:\n{process.stdout}{process.stderr}")
    return elapsed


def in_fresh_directory(measure: Callable[[Path], float]) -> float:
    with tempfile.TemporaryDirectory(prefix="skf-bench-") as directory:
        return measure(Path(directory))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (best is kept)")
    parser.add_argument("--quick", action="store_true", help="one run of each")
    arguments = parser.parse_args()
    runs = 1 if arguments.quick else arguments.repeat

    def skf_run(directory: Path, check: bool = False) -> float:
        host = directory / "host"
        shutil.copytree(EXAMPLE, host, ignore=JUNK)
        return timed(skf_command(host, check))

    copier = copier_command()

    def copier_run(directory: Path) -> float:
        return timed([*copier, str(directory / "out")])

    # Copier and skf take turns, so that both see the same drift in the machine's speed.
    copier_times: list[float] = []
    skf_times: list[float] = []
    for _ in range(runs):
        copier_times.append(in_fresh_directory(copier_run))
        skf_times.append(in_fresh_directory(skf_run))
    copier_s, skf_s = min(copier_times), min(skf_times)
    checker = importlib.util.find_spec("skf.check.engine") is not None
    # The checked run is informative, not a target: the quick smoke run leaves it out.
    checked_s = (
        min(in_fresh_directory(lambda d: skf_run(d, check=True)) for _ in range(runs))
        if checker and runs > 1
        else None
    )
    print(f"bare copier copy:                {copier_s:.3f} s")
    print(f"skf new service (--no-check):    {skf_s:.3f} s  ({skf_s / copier_s:.2f}x copier)")
    if checked_s is not None:
        print(f"skf new service + skf check:     {checked_s:.3f} s")
    figures = {
        "runs": runs,
        "skf_new_s": round(skf_s, 3),
        "copier_s": round(copier_s, 3),
        "ratio": round(skf_s / copier_s, 3),
        "skf_new_checked_s": None if checked_s is None else round(checked_s, 3),
        "target_s": 1.0,
        "target_ratio": 1.5,
        # Other work on the machine slows both sides, but skf's overlap of rendering and
        # patching (two processes) the most: read the ratio with the load in mind.
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
