"""Small helpers the rule modules share."""

import libcst as cst

from skf.check.findings import Finding
from skf.project.inventory import Inventory, Service


def service_of(inventory: Inventory, finding: Finding) -> Service | None:
    """The service a finding is about, in a freshly built inventory."""
    return next((s for s in inventory.services if s.name == finding.service), None)


def call_name(call: cst.Call) -> cst.CSTNode:
    """Where a finding about a call points: the method or function name."""
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr
    return func


def listing(items: list[str]) -> str:
    quoted = [f"`{item}`" for item in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
