"""`--format json`: exactly `CheckResult.to_json()`, the contract in DESIGN.md."""

import json

from skf.check.output.context import RenderContext
from skf.check.report import Report


def render(report: Report, context: RenderContext) -> str:
    return json.dumps(report.result.to_json(), indent=2) + "\n"
