"""SKF118 incomplete-tests: the job's tests cover a success path and an error path."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import TESTS
from skf.check.rules.untested_job import TESTS_VALID
from skf.project.inventory import Inventory
from skf.project.tests_index import tests_for

_ONLY_SUCCESS = TESTS_VALID[: TESTS_VALID.index("async def test_a_failure")].rstrip() + "\n"


class IncompleteTests(Rule):
    code = "SKF118"
    name = "incomplete-tests"
    checklist_item: ClassVar[int | None] = 8
    summary = "The job's tests include at least one success-path and one error-path test."
    what_it_does = (
        "In the test modules that exercise a service's job, looks for a success-path test and "
        "an error-path test: one named for a failure (error, fail, retry, timeout, ...), "
        "expecting an exception (`pytest.raises`), or making something raise."
    )
    why_is_this_bad = (
        "The error path is where status-driven services go wrong: rows left in Processing, "
        "retries that never fire, errors swallowed without a trace. A suite with only the "
        "happy path proves none of that."
    )
    VALID = (Example(files={TESTS: TESTS_VALID}, focus=TESTS),)
    INVALID = (Example(files={TESTS: _ONLY_SUCCESS}, focus=TESTS, expected_lines=(1,)),)

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        for service in inventory.services:
            modules = [m for m in tests_for(inventory, service) if not m.fixture]
            if not modules:
                continue
            success = [t for m in modules for t in m.success_tests]
            errors = [t for m in modules for t in m.error_tests]
            lacking = [
                kind
                for kind, tests in (("success-path", success), ("error-path", errors))
                if not tests
            ]
            if not lacking:
                continue
            module = modules[0]
            yield self.finding(
                f"the tests of `{service.job_name}` ({module.path}) have no "
                + " and no ".join(lacking)
                + " test",
                module.path,
                (1, 1, 1, 1),
                service=service.name,
                symbol=" ".join(lacking),
            )
