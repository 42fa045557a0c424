"""SKF116 failure-without-traceback: a failed item's exception is logged with its traceback."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._failures import handlers
from skf.check.rules._reference import SERVICE, line_of
from skf.check.rules.run_not_logged import HAND_WRITTEN_SERVICE
from skf.project.inventory import Inventory

_NO_TRACEBACK = HAND_WRITTEN_SERVICE.replace(
    '            logger.exception("email_sender: message %s failed", row.id)\n',
    '            logger.error("email_sender: message %s failed", row.id)\n',
)


def _with_helper(log: str) -> str:
    """The service, its failures recorded by a helper the except clause hands them to."""
    helper = (
        "def failed(row: EmailMessage, error: Exception) -> EmailStatus:\n"
        f"    {log}\n"
        "    return EmailStatus.Error\n\n\n"
    )
    return HAND_WRITTEN_SERVICE.replace(
        "        except Exception:\n"
        '            logger.exception("email_sender: message %s failed", row.id)\n'
        "            status = EmailStatus.Error\n",
        "        except Exception as error:\n            status = failed(row, error)\n",
    ).replace(
        "async def process_pending_email_messages(",
        helper + "async def process_pending_email_messages(",
    )


_HELPER_LOGS = _with_helper('logger.error("message %s failed", row.id, exc_info=error)')
_HELPER_FORGETS = _with_helper('logger.error("message %s failed: %s", row.id, error)')


class FailureWithoutTraceback(Rule):
    code = "SKF116"
    name = "failure-without-traceback"
    checklist_item: ClassVar[int | None] = 6
    summary = "When an item fails, its exception is logged with the traceback."
    what_it_does = (
        "Reports a broad `except` (Exception, BaseException, bare) on the processing path "
        "that handles a failure (it sets a status or passes the exception on) without "
        "logging it with its traceback: `logger.exception(...)`, `exc_info=...`, or "
        "`traceback.format_exc()` in the message, there or in a function of the project the "
        "handler hands the exception to. Handlers that re-raise are not reported."
    )
    why_is_this_bad = (
        '`logger.error("failed")` tells you something broke, not what or where: the row is '
        "in Error and the only trace of why is gone. The pattern asks for the error status "
        "and the logged exception together."
    )
    VALID = (
        Example(files={SERVICE: HAND_WRITTEN_SERVICE}, focus=SERVICE),
        Example(files={SERVICE: _HELPER_LOGS}, focus=SERVICE),
    )
    INVALID = (
        Example(
            files={SERVICE: _NO_TRACEBACK},
            focus=SERVICE,
            expected_lines=(line_of(_NO_TRACEBACK, "except Exception:"),),
        ),
        Example(
            files={SERVICE: _HELPER_FORGETS},
            focus=SERVICE,
            expected_lines=(line_of(_HELPER_FORGETS, "except Exception as error:"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            for handler in handlers(inventory, service):
                if not handler.handles_items or handler.reraises or handler.swallows:
                    continue
                if handler.logs_traceback:
                    continue
                yield self.at(
                    f"{service.name} handles a failure in `{handler.frame.name}` without "
                    "logging the exception's traceback (use logger.exception or exc_info=)",
                    handler.frame.source,
                    handler.node,
                    service=service.name,
                    symbol=f"{handler.frame.qualified_name}:except",
                )
