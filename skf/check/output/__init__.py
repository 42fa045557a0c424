"""Output formats of `skf check`: one reporter module per format, one dispatch point.

Every reporter renders the same `Report` (the findings left after suppressions and the
baseline); `json` is exactly `CheckResult.to_json()`, the contract in DESIGN.md.
"""

from collections.abc import Callable

from skf.check.output import github, html, json, sarif, text
from skf.check.output.context import RenderContext
from skf.check.report import Report
from skf.errors import UsageError

Reporter = Callable[[Report, RenderContext], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json.render,
    "sarif": sarif.render,
    "github": github.render,
    "html": html.render,
}

FORMATS: tuple[str, ...] = tuple(REPORTERS)

__all__ = ["FORMATS", "RenderContext", "render"]


def render(report: Report, output_format: str, context: RenderContext | None = None) -> str:
    """`report` in `output_format` (one of FORMATS), ending with a newline."""
    reporter = REPORTERS.get(output_format)
    if reporter is None:
        raise UsageError(
            f"unknown output format {output_format!r}; choose one of {', '.join(FORMATS)}"
        )
    return reporter(report, context or RenderContext())
