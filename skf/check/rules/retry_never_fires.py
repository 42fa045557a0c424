"""SKF203 retry-never-fires: retry bookkeeping is only written when the claim can retry."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of
from skf.check.rules.run_not_logged import HAND_WRITTEN_SERVICE
from skf.project.flow import Context
from skf.project.inventory import Inventory, Service
from skf.project.resolve import Frame
from skf.project.source import SourceFile

RETRY_COUNT = re.compile(r"retr(y|ies)|attempt|tries|fail(ure)?s?_count", re.IGNORECASE)
NEXT_TIME = re.compile(
    r"((next|retry|available|run|due|scheduled)_?(at|after|time|on)|not_before|backoff_until)$",
    re.IGNORECASE,
)
_FAILURE_FRAME = re.compile(r"fail|error|retry|backoff", re.IGNORECASE)

_NEVER = (
    HAND_WRITTEN_SERVICE.replace(
        '            logger.exception("email_sender: message %s failed", row.id)\n'
        "            status = EmailStatus.Error\n",
        '            logger.exception("email_sender: message %s failed", row.id)\n'
        "            row.attempts += 1\n"
        "            row.available_at = utcnow() + timedelta(minutes=5 * 2**row.attempts)\n"
        "            status = EmailStatus.Error\n",
    )
    .replace(
        "import logging\n",
        "import logging\nfrom datetime import timedelta\n",
    )
    .replace(
        "from src.session.async_session import get_background_session\n",
        "from src.session.async_session import get_background_session\n"
        "from src.status_queue import utcnow\n",
    )
)


@dataclass(frozen=True)
class _Write:
    names: frozenset[str]
    node: cst.CSTNode
    source: SourceFile


class RetryNeverFires(Rule):
    code = "SKF203"
    name = "retry-never-fires"
    checklist_item: ClassVar[int | None] = None
    summary = "Retry bookkeeping written on failure can actually cause a retry."
    what_it_does = (
        "Reports a failure path (an `except` on the processing path, or a helper named for "
        "failures) that writes retry bookkeeping (a retry/attempt count, a next-retry time) "
        "while the same path only sets statuses the claim never selects, or writes a "
        "next-retry time the claim's WHERE never reads. Error as a terminal status with no "
        "retry bookkeeping is the pattern and is not reported."
    )
    why_is_this_bad = (
        "The code looks like it retries with backoff; in fact the row sits in Error forever "
        "and nobody investigates because 'it retries'. REAL_WORLD: `retry_count += 1` and "
        "`next_retry_at = now + 5 * 2^n` minutes on rows set to Error, with a claim that only "
        "selected Queued and never read `next_retry_at`."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _NEVER},
            focus=SERVICE,
            expected_lines=(line_of(_NEVER, "row.attempts += 1"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            claim = service.claim
            if claim is None:
                continue
            bookkeeping = [w for w in _failure_writes(inventory, service) if _is_bookkeeping(w)]
            if not bookkeeping:
                continue
            reasons: list[str] = []
            statuses = _failure_statuses(inventory, service)
            monitored = set(claim.monitored_names)
            if statuses and not statuses & monitored:
                reasons.append(
                    f"the failure path sets {', '.join(sorted(statuses))}, which the claim "
                    f"never selects (it selects {', '.join(sorted(monitored))})"
                )
            times = sorted({n for w in bookkeeping for n in w.names if NEXT_TIME.search(n)})
            unread = [t for t in times if not _read_by(t, claim.query.where_names)]
            if unread:
                reasons.append(f"the claim never reads {', '.join(unread)}")
            if not reasons:
                continue
            first = bookkeeping[0]
            yield self.at(
                f"{service.name} writes retry bookkeeping that can never cause a retry: "
                + "; ".join(reasons),
                first.source,
                first.node,
                service=service.name,
                symbol="retry",
            )


def _read_by(name: str, where: set[str]) -> bool:
    """Whether the claim's WHERE reads column `name` (also through a column prefix: a runtime
    attribute `available_at` is the column `sitemap_available_at`)."""
    return any(w == name or w.endswith("_" + name) or name.endswith("_" + w) for w in where)


def _failure_frames(service: Service) -> list[Frame]:
    return [f for f in service.frames if _FAILURE_FRAME.search(f.name)]


def _in_failure(frame: Frame, context: Context, failure_frames: list[Frame]) -> bool:
    return context.handler is not None or any(f.function is frame.function for f in failure_frames)


def _failure_writes(inventory: Inventory, service: Service) -> list[_Write]:
    failure_frames = _failure_frames(service)
    writes: list[_Write] = []
    for frame in service.frames:
        facts = inventory.builder.facts(frame)
        for site in facts.assignments:
            if site.value is None or not _in_failure(frame, site.context, failure_frames):
                continue
            writes.append(_Write(frozenset(_target_names(site.target)), site.target, frame.source))
        for call in facts.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "values"):
                continue
            if not _in_failure(frame, call.context, failure_frames):
                continue
            for arg in call.node.args:
                if arg.keyword is not None:
                    writes.append(_Write(frozenset({arg.keyword.value}), arg, frame.source))
    return writes


def _target_names(target: cst.CSTNode) -> set[str]:
    if isinstance(target, cst.Attribute):
        return {target.attr.value}
    if isinstance(target, cst.Subscript):
        names: set[str] = set()

        class Names(cst.CSTVisitor):
            def visit_Name(self, node: cst.Name) -> None:
                names.add(node.value)

        for element in target.slice:
            element.visit(Names())
        return names
    return set()


def _is_bookkeeping(write: _Write) -> bool:
    return any(RETRY_COUNT.search(n) or NEXT_TIME.search(n) for n in write.names)


def _failure_statuses(inventory: Inventory, service: Service) -> set[str]:
    failure_frames = _failure_frames(service)
    found: set[str] = set()
    for use in service.uses_of_enum():
        if use.access != "write" or use.frame is None or not use.ref.exists:
            continue
        frame = use.frame
        if any(f.function is frame.function for f in failure_frames):
            found.add(use.member)
            continue
        facts = inventory.builder.facts(frame)
        position = frame.source.position(use.node)
        for handler in facts.handlers:
            where = frame.source.position(handler.node)
            if (position[0], position[1]) >= (where[0], where[1]) and (
                position[2],
                position[3],
            ) <= (where[2], where[3]):
                found.add(use.member)
    return found
