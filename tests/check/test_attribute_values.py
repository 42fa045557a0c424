"""Statements and statuses held in object attributes: a runtime-style helper class that
builds its UPDATE statements once, in `__init__`, and uses them from its methods
(`self._claim_update.where(...)`), from subclasses (a status named as a class attribute) and
from the job (`session.execute(CONTACTS.rescue)`). The checker reads each attribute's value
with the constructor's arguments bound, so the statuses it writes are seen, and a status
that is not a member of the enum is reported where the value is written, once."""

from pathlib import Path

import pytest
from hosts import small_host
from realworld import FILES

from skf.check.engine import run_check
from skf.config import load_layout
from skf.project.inventory import build_inventory, is_rescue

RUNNER_PATH = "src/services/status_runner.py"
CONTACT = "src/services/background/contact_sync_scheduler.py"

RUNNER = '''\
"""What every job shares, as an object: the statements are built once, when the runner is
made, and each run only adds what varies (which rows, what time)."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import bindparam, select, update

from src.session.async_session import get_background_session

logger = logging.getLogger(__name__)


class StatusRunner:
    failed: ClassVar[Any] = None
    """The error status: each subclass names its own."""

    def __init__(
        self,
        *,
        model: Any,
        queued: Any,
        processing: Any,
        completed: Any,
        batch_size: int,
        lease_minutes: int,
    ) -> None:
        self.model = model
        self.queued, self.completed = queued, completed
        self.batch_size = batch_size
        self.lease = timedelta(minutes=lease_minutes)
        self.rescue = (
            update(model)
            .where(model.sync_status == processing, model.updated_at < bindparam("cutoff"))
            .values(sync_status=queued)
        )
        self._claim_update = (
            update(model)
            .values({model.sync_status: processing, model.updated_at: bindparam("now")})
            .returning(model.id)
        )
        self._finish = update(model).where(model.id == bindparam("item_id"))

    async def run(self, process_item: Callable[[Any], Awaitable[None]]) -> int:
        logger.info("%s: run started", self.model.__tablename__)
        async with get_background_session() as session:
            due = (
                select(self.model.id)
                .where(self.model.sync_status == self.queued)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            claimed = self._claim_update.where(self.model.id.in_(due.scalar_subquery()))
            ids = (await session.scalars(claimed, {"now": datetime.now(UTC)})).all()
        done = 0
        for item_id in ids:
            try:
                await process_item(item_id)
            except Exception:
                logger.exception("%s %s failed", self.model.__tablename__, item_id)
                new_status = self.failed
            else:
                new_status = self.completed
                done += 1
            async with get_background_session() as session:
                await session.execute(
                    self._finish.values(sync_status=new_status), {"item_id": item_id}
                )
        logger.info("%s: run finished, %d of %d done", self.model.__tablename__, done, len(ids))
        return done
'''

CONTACT_SYNC = '''\
"""contact_sync: pushes queued contacts to the CRM."""

from datetime import UTC, datetime

from apscheduler.triggers.interval import IntervalTrigger

from src.config.settings import get_settings, settings
from src.integrations.crm import push_contact
from src.models.models import Contact, ContactStatus
from src.scheduler_instance import scheduler as shared
from src.services.status_runner import StatusRunner
from src.session.async_session import get_background_session


class ContactRunner(StatusRunner):
    failed = ContactStatus.failed


CONTACTS = ContactRunner(
    model=Contact,
    queued=ContactStatus.queued,
    processing=ContactStatus.processing,
    completed=ContactStatus.completed,
    batch_size=settings.CONTACT_SYNC_BATCH_SIZE,
    lease_minutes=settings.JOB_LEASE_MINUTES,
)


async def process_pending_contacts() -> int:
    async with get_background_session() as session:
        await session.execute(CONTACTS.rescue, {"cutoff": datetime.now(UTC) - CONTACTS.lease})
    return await CONTACTS.run(push_contact)


def setup_contact_sync_scheduler() -> None:
    config = get_settings()
    shared.add_job(
        process_pending_contacts,
        IntervalTrigger(minutes=config.CONTACT_SYNC_INTERVAL_MINUTES),
        id="process_pending_contacts",
        max_instances=config.CONTACT_SYNC_MAX_INSTANCES,
        misfire_grace_time=config.CONTACT_SYNC_MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )
'''

CLAIM_VALUES = '{model.sync_status: processing, model.updated_at: bindparam("now")}'


def runner_host(destination: Path, runner: str = RUNNER, job: str = CONTACT_SYNC) -> Path:
    """The REAL_WORLD host with contact_sync running on the runner class instead of the
    `run_job_loop` function."""
    files = {path: text for path, text in FILES.items() if path != "src/services/job_loop.py"}
    return small_host(destination, {**files, RUNNER_PATH: runner, CONTACT: job})


def test_statuses_written_by_statements_built_in_init_are_seen(tmp_path: Path) -> None:
    host = runner_host(tmp_path / "host")
    result = run_check(host, use_cache=False)
    assert [(f.code, f.path, f.line, f.message) for f in result.findings] == []

    inventory = build_inventory(load_layout(host))
    contact = next(s for s in inventory.services if s.name == "contact_sync")
    assert contact.statuses() == {
        "monitored": "queued",
        "processing": "processing",  # `.values({...: processing})` of `self._claim_update`
        "completed": "completed",
        "error": "failed",  # ContactRunner's class attribute, read as `self.failed`
    }
    claim = contact.claim
    assert claim is not None
    assert (claim.source.path, claim.query.kind, claim.query.skip_locked) == (
        RUNNER_PATH,
        "select",
        True,
    )
    assert contact.batch is not None
    assert (contact.batch.where, contact.batch.value.setting) == (
        "limit",
        "CONTACT_SYNC_BATCH_SIZE",
    )
    # The claim UPDATE: `.where(...)` in `run`, the rest of the chain written in `__init__`.
    continued = next(q for q in contact.queries if q.kind == "update" and q.method("returning"))
    values = continued.method("values")
    assert values is not None
    assert [name for name, _ in continued.methods] == ["where", "returning", "values"]
    runner = continued.source_of(values)
    assert (continued.source.path, runner.path) == (RUNNER_PATH, RUNNER_PATH)
    assert CLAIM_VALUES in runner.code(values)
    # The rescue the job executes as `CONTACTS.rescue`, read where `__init__` builds it.
    rescues = [q for q in contact.queries if is_rescue(q)]
    assert [(q.source.path, [m.member for m in q.monitored()]) for q in rescues] == [
        (RUNNER_PATH, ["processing"])
    ]


def test_an_update_built_in_steps_on_the_same_attribute(tmp_path: Path) -> None:
    """`self._claim_update = self._claim_update.values(...)`: every assignment counts, and a
    value that reads the attribute it is assigned to does not send the checker round in
    circles."""
    runner = RUNNER.replace(
        "        self._claim_update = (\n"
        "            update(model)\n"
        f"            .values({CLAIM_VALUES})\n"
        "            .returning(model.id)\n"
        "        )\n",
        "        self._claim_update = update(model).returning(model.id)\n"
        f"        self._claim_update = self._claim_update.values({CLAIM_VALUES})\n",
    )
    assert runner != RUNNER
    host = runner_host(tmp_path / "host", runner=runner)
    assert run_check(host, use_cache=False).findings == []
    inventory = build_inventory(load_layout(host))
    contact = next(s for s in inventory.services if s.name == "contact_sync")
    assert contact.statuses()["processing"] == "processing"


def test_a_statement_built_but_never_executed_is_not_a_rescue(tmp_path: Path) -> None:
    job = CONTACT_SYNC.replace(
        "    async with get_background_session() as session:\n"
        '        await session.execute(CONTACTS.rescue, {"cutoff": datetime.now(UTC) - '
        "CONTACTS.lease})\n",
        "",
    )
    assert job != CONTACT_SYNC
    result = run_check(runner_host(tmp_path / "host", job=job), use_cache=False)
    assert [(f.code, f.path) for f in result.findings] == [("SKF202", CONTACT)]


@pytest.mark.parametrize(
    ("claimed", "imports", "code", "message"),
    [
        pytest.param(
            "ContactStatus.claimed",
            "from src.models.models import ContactStatus\n",
            "SKF122",
            "`ContactStatus` has no member `claimed` (did you mean `ContactStatus.processing`?)",
            id="member-missing-from-the-enum",
        ),
        pytest.param(
            '"claimed"',
            "",
            "SKF122",
            "'claimed' is neither a name nor a value of `ContactStatus`",
            id="string-that-is-no-status",
        ),
        pytest.param(
            '"processing"',
            "",
            "SKF132",
            "status written as the string 'processing'; use `ContactStatus.processing`",
            id="string-standing-for-a-member",
        ),
    ],
)
def test_a_status_written_in_init_is_judged_where_it_is_written(
    tmp_path: Path, claimed: str, imports: str, code: str, message: str
) -> None:
    runner = RUNNER.replace(
        CLAIM_VALUES, CLAIM_VALUES.replace(": processing,", f": {claimed},")
    ).replace("from src.session", f"{imports}from src.session")
    assert runner.count(claimed) == 1
    result = run_check(runner_host(tmp_path / "host", runner=runner), use_cache=False)
    line = next(n for n, text in enumerate(runner.splitlines(), 1) if claimed in text)
    assert [(f.code, f.path, f.line) for f in result.findings] == [(code, RUNNER_PATH, line)], [
        f.message for f in result.findings
    ]
    assert message in result.findings[0].message


@pytest.mark.parametrize("runner", [True, False], ids=["runner-class", "job-loop-function"])
def test_a_processing_status_named_otherwise_is_rescued_by_role(
    tmp_path: Path, runner: bool
) -> None:
    """`ContactStatus.working` plays the processing role: the names it is reached through
    (`processing=`, `processing_status`) say so, and the rescue that takes rows back from it
    is a rescue, whatever the member is called."""
    files = dict(FILES)
    if runner:
        files = {path: text for path, text in files.items() if path != "src/services/job_loop.py"}
        files[RUNNER_PATH] = RUNNER
        files[CONTACT] = CONTACT_SYNC
    models, doc = "src/models/models.py", next(p for p in files if p.endswith(".md"))
    renames = {
        models: ('    processing = "processing"\n', '    working = "working"\n'),
        doc: ("- `processing`: claimed\n", "- `working`: claimed\n"),
        CONTACT: ("=ContactStatus.processing,", "=ContactStatus.working,"),
    }
    for path, (old, new) in renames.items():
        assert files[path].count(old) == 1, (path, old)
        files[path] = files[path].replace(old, new)
    host = small_host(tmp_path / "host", files)
    assert [(f.code, f.path, f.message) for f in run_check(host, use_cache=False).findings] == []
    inventory = build_inventory(load_layout(host))
    contact = next(s for s in inventory.services if s.name == "contact_sync")
    assert contact.statuses()["processing"] == "working"
    assert [[m.member for m in q.monitored()] for q in contact.queries if is_rescue(q)] == [
        ["working"]
    ]
