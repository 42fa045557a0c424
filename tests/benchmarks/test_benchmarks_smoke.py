"""benchmarks/service_throughput.py runs end to end on PostgreSQL (`--quick`: small sizes) and
its last line is the JSON object of figures, with every key the README and the issue rely on.
The throughput targets themselves are the benchmark's business, not a unit test's."""

import os

import pytest
from benchmark_runs import quick_figures
from ci_requirements import reachable, unavailable
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRED = (
    "service_rows_per_s",
    "ceiling_rows_per_s",
    "ratio",
    "batch_size",
    "pickup_latency_ms_p50",
    "claim_ms_small",
    "claim_ms_large",
)


def require_postgres() -> None:
    """Skip without a reachable server, except under CI=true, where that is a failure."""
    url = make_url(POSTGRES_URL)
    if not reachable(url.host or "127.0.0.1", url.port or 5432):
        unavailable(f"PostgreSQL is unreachable at {url.render_as_string()}")


@pytest.mark.postgres
@pytest.mark.slow
def test_quick_run_prints_the_figures_as_its_last_line() -> None:
    require_postgres()
    figures = quick_figures(
        "service_throughput.py", env={**os.environ, "BENCH_POSTGRES_URL": POSTGRES_URL}
    )
    for key in REQUIRED:
        assert key in figures, key
    for key in REQUIRED:
        assert figures[key] > 0, key
    assert figures["ratio"] == pytest.approx(
        figures["service_rows_per_s"] / figures["ceiling_rows_per_s"], rel=0.01
    )
    assert figures["pickup_samples"] > 0
    assert figures["claim_large_completed_rows"] > 0
