"""SKF001 syntax-error: a file skf needs to read is not valid Python."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_BROKEN = service_variant(
    ("def setup_email_sender_scheduler() -> None:", "def setup_email_sender_scheduler( -> None:")
)


class SyntaxError_(Rule):
    code = "SKF001"
    name = "syntax-error"
    checklist_item: ClassVar[int | None] = None
    summary = "Every file skf has to read parses as Python."
    what_it_does = (
        "Reports a file that may hold a background service (it registers jobs, or the code "
        "of a service leads to it) but is not valid Python, or cannot be decoded in its "
        "declared encoding, with the line where parsing stopped. The rest of the project is "
        "still checked."
    )
    why_is_this_bad = (
        "A module that does not parse cannot be imported: the service it defines never "
        "starts, and skf cannot check it either, so none of its other problems are reported "
        "until it parses."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _BROKEN},
            focus=SERVICE,
            expected_lines=(line_of(_BROKEN, "def setup_email_sender_scheduler("),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for error in inventory.all_parse_errors():
            yield self.finding(
                f"cannot parse: {error.message}",
                error.path,
                (error.line, error.column, error.line, error.column),
                symbol="syntax",
            )
