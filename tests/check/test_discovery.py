"""Services found from what the code does, in REAL_WORLD-style code: jobs outside
src/services/, a claim delegated to a project helper, aliased imports, IntervalTrigger, a
cached get_settings(), settings imported inside functions. No false positives on the
compliant host; each defect gives its own finding and nothing else."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from hosts import small_host
from realworld import FILES

from skf.check.engine import run_check
from skf.config import load_layout
from skf.project.inventory import Service, build_inventory

CONTACT = "src/services/background/contact_sync_scheduler.py"
PAGE = "src/services/background/page_scrape_scheduler.py"
JOB_LOOP = "src/services/job_loop.py"


def service(tmp_path: Path, name: str) -> Service:
    inventory = build_inventory(load_layout(small_host(tmp_path / "host", FILES)))
    return next(s for s in inventory.services if s.name == name)


def test_the_real_world_host_has_no_findings(tmp_path: Path) -> None:
    result = run_check(small_host(tmp_path / "host", FILES), use_cache=False)
    assert [(f.code, f.path, f.line, f.message) for f in result.findings] == []
    assert {s.name: s.path for s in result.services} == {
        "contact_sync": CONTACT,
        "page_scrape": PAGE,
    }


def test_a_claim_delegated_to_a_helper_is_followed(tmp_path: Path) -> None:
    contact = service(tmp_path, "contact_sync")
    assert contact.site.scheduler == "shared"  # `scheduler as shared`
    assert contact.job is not None
    assert contact.job.qualified_name == (
        "src.services.background.contact_sync_scheduler.process_pending_contacts"
    )
    claim = contact.claim
    assert claim is not None
    assert claim.source.path == JOB_LOOP
    assert claim.query.skip_locked
    assert claim.model is not None
    assert claim.model.name == "Contact"
    assert claim.attribute == "sync_status"
    assert [m.member for m in claim.monitored] == ["queued"]  # the helper's `queued_status`
    assert contact.statuses() == {
        "monitored": "queued",
        "processing": "processing",
        "completed": "completed",
        "error": "failed",
    }
    assert contact.batch is not None
    assert (contact.batch.where, contact.batch.value.setting) == (
        "limit",
        "CONTACT_SYNC_BATCH_SIZE",
    )


def test_registration_values_and_where_they_come_from(tmp_path: Path) -> None:
    contact = service(tmp_path, "contact_sync")
    assert contact.trigger is not None
    assert contact.trigger.kind == "interval"
    interval = contact.trigger.fields["minutes"]  # IntervalTrigger(minutes=config.X)
    assert (interval.kind, interval.setting) == ("setting", "CONTACT_SYNC_INTERVAL_MINUTES")
    misfire = contact.keywords["misfire_grace_time"]  # get_settings().X, a cached getter
    assert (misfire.kind, misfire.setting) == ("setting", "CONTACT_SYNC_MISFIRE_GRACE_SECONDS")
    assert contact.keywords["max_instances"].setting == "CONTACT_SYNC_MAX_INSTANCES"
    assert (
        contact.keywords["replace_existing"].kind,
        contact.keywords["replace_existing"].value,
    ) == (
        "literal",
        True,
    )
    assert contact.keywords["id"].value == "process_pending_contacts"


def test_a_hand_written_claim_with_aliases_and_scalars(tmp_path: Path) -> None:
    page = service(tmp_path, "page_scrape")
    claim = page.claim
    assert claim is not None
    assert claim.source.path == PAGE
    assert claim.query.kind == "select"  # `sa.select`, assigned to `stmt`, run by scalars
    assert claim.query.skip_locked
    assert page.batch is not None
    assert (page.batch.parameter, page.batch.value.setting) == ("limit", "PAGE_SCRAPE_BATCH_SIZE")
    assert page.statuses()["completed"] == "Complete"
    assert set(page.settings_used) >= {"PAGE_SCRAPE_INTERVAL_SECONDS", "JOB_LEASE_MINUTES"}


@dataclass(frozen=True)
class Defect:
    code: str
    path: str
    old: str
    new: str
    at: str
    """Text on the line the finding points at."""
    extra: tuple[tuple[str, str], ...] = ()


DEFECTS = [
    Defect(
        "SKF104",
        CONTACT,
        "misfire_grace_time=get_settings().CONTACT_SYNC_MISFIRE_GRACE_SECONDS",
        "misfire_grace_time=1800",
        "misfire_grace_time=1800",
    ),
    Defect(
        "SKF104",
        CONTACT,
        "    config = get_settings()\n",
        "    config = get_settings()\n    every = 5\n",
        "IntervalTrigger(minutes=every)",
        (
            (
                "IntervalTrigger(minutes=config.CONTACT_SYNC_INTERVAL_MINUTES)",
                "IntervalTrigger(minutes=every)",
            ),
        ),
    ),
    Defect(
        "SKF104",
        PAGE,
        "limit: int = _settings().PAGE_SCRAPE_BATCH_SIZE",
        "limit: int = 10",
        "limit: int = 10",
    ),
    Defect(
        "SKF104",
        PAGE,
        '        "interval",\n        seconds=settings.PAGE_SCRAPE_INTERVAL_SECONDS,\n',
        '        "cron",\n        minute="*/5",\n',
        'minute="*/5"',
    ),
    Defect(
        "SKF102",
        JOB_LOOP,
        ".with_for_update(skip_locked=True)",
        ".with_for_update()",
        ".with_for_update()",
    ),
    Defect(
        "SKF113",
        PAGE,
        "from src.scheduler_instance import scheduler\n",
        "from apscheduler.schedulers.asyncio import AsyncIOScheduler\n\n"
        "scheduler = AsyncIOScheduler()\n",
        "scheduler.add_job(",
    ),
    Defect(
        "SKF122",
        CONTACT,
        "queued_status=ContactStatus.queued",
        "queued_status=ContactStatus.pending",
        "queued_status=ContactStatus.pending",
    ),
    Defect(
        "SKF132",
        PAGE,
        ".where(Page.status == PageStatus.Queued)",
        '.where(Page.status == "Queued")',
        '.where(Page.status == "Queued")',
    ),
    Defect(
        "SKF114",
        PAGE,
        "seconds=settings.PAGE_SCRAPE_INTERVAL_SECONDS",
        "seconds=settings.PAGE_SCRAPE_INTERVAL",
        "seconds=settings.PAGE_SCRAPE_INTERVAL",
    ),
    Defect(
        "SKF201",
        PAGE,
        "        for page in pages:\n            page.status = PageStatus.Processing\n",
        "        for page in pages:\n            page.status = PageStatus.Processing\n"
        "            await fetch(page.url)\n",
        "            await fetch(page.url)",
    ),
    Defect(
        "SKF203",
        PAGE,
        '            logger.exception("page %s failed", page.id)\n',
        '            logger.exception("page %s failed", page.id)\n'
        "            page.retry_count += 1\n",
        "page.retry_count += 1",
    ),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda d: f"{d.code}-{d.at.strip()[:30]}")
def test_each_defect_gives_one_finding(tmp_path: Path, defect: Defect) -> None:
    host = small_host(tmp_path / "host", FILES)
    target = host / defect.path
    text = target.read_text()
    for old, new in ((defect.old, defect.new), *defect.extra):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    target.write_text(text)

    result = run_check(host, use_cache=False)

    found = [(f.code, f.path, f.line) for f in result.findings]
    line = next(n for n, content in enumerate(text.splitlines(), 1) if defect.at in content)
    assert found == [(defect.code, defect.path, line)], [f.message for f in result.findings]


def test_a_setting_missing_from_compose_is_found_through_env_files(tmp_path: Path) -> None:
    files = dict(FILES)
    files[".env.scrape"] = FILES[".env.scrape"].replace("PAGE_SCRAPE_BATCH_SIZE=10\n", "")
    files["docker-compose.yml"] = FILES["docker-compose.yml"] + (
        "    environment:\n      PAGE_SCRAPE_BATCH_SIZE: 10\n"
    )
    result = run_check(small_host(tmp_path / "host", files), use_cache=False)
    assert [(f.code, f.path, f.line, f.symbol) for f in result.findings] == [
        ("SKF124", "docker-compose.yml", 4, "PAGE_SCRAPE_BATCH_SIZE")
    ]
    assert "only for db" in result.findings[0].message


def test_comments_docstrings_and_strings_never_make_a_service(tmp_path: Path) -> None:
    files = dict(FILES)
    files["src/services/background/notes_scheduler.py"] = (
        '"""How to add a job: `scheduler.add_job(process, "interval", seconds=60)` in\n'
        'setup_notes_scheduler(); claim with .with_for_update().\n"""\n\n'
        "# def setup_notes_scheduler(): scheduler.add_job(process_notes, minutes=5)\n"
        'EXAMPLE = "scheduler.add_job(process_notes, minutes=5)"\n'
    )
    result = run_check(small_host(tmp_path / "host", files), use_cache=False)
    assert result.findings == []
    assert {s.name for s in result.services} == {"contact_sync", "page_scrape"}


def test_an_undefined_setting_is_not_also_a_missing_compose_entry(tmp_path: Path) -> None:
    files = dict(FILES)
    files[PAGE] = FILES[PAGE].replace(
        "max_instances=settings.PAGE_SCRAPE_MAX_INSTANCES",
        "max_instances=settings.PAGE_SCRAPE_WORKERS",
    )
    result = run_check(small_host(tmp_path / "host", files), use_cache=False)
    assert [f.code for f in result.findings] == ["SKF114"]


def test_a_status_missing_from_the_enum_is_not_also_undocumented(tmp_path: Path) -> None:
    files = dict(FILES)
    files[PAGE] = FILES[PAGE].replace(
        "status = PageStatus.Complete", "status = PageStatus.Completed"
    )
    result = run_check(small_host(tmp_path / "host", files), use_cache=False)
    assert [(f.code, f.symbol) for f in result.findings] == [("SKF122", "PageStatus.Completed")]
    assert "did you mean `PageStatus.Complete`" in result.findings[0].message


def test_a_run_logged_by_a_project_decorator_is_logged(tmp_path: Path) -> None:
    files = dict(FILES)
    files["src/services/logged.py"] = (
        "import functools\nimport logging\n\nlogger = logging.getLogger(__name__)\n\n\n"
        "def log_run(job):\n"
        "    @functools.wraps(job)\n"
        "    async def wrapper(*args, **kwargs):\n"
        '        logger.info("%s started", job.__name__)\n'
        "        try:\n"
        "            return await job(*args, **kwargs)\n"
        "        finally:\n"
        '            logger.info("%s finished", job.__name__)\n\n'
        "    return wrapper\n"
    )
    page = FILES[PAGE]
    for line in (
        '    logger.info("page_scrape: run started")\n',
        '    logger.info("page_scrape: run finished (%d pages)", len(pages))\n',
    ):
        page = page.replace(line, "")
    silent = small_host(tmp_path / "silent", {**files, PAGE: page})
    assert [f.code for f in run_check(silent, use_cache=False).findings] == ["SKF106"]
    decorated = page.replace(
        "async def process_pending_pages(", "@log_run\nasync def process_pending_pages("
    ).replace(
        "import sqlalchemy as sa\n",
        "import sqlalchemy as sa\n\nfrom src.services.logged import log_run\n",
    )
    host = small_host(tmp_path / "decorated", {**files, PAGE: decorated})
    assert run_check(host, use_cache=False).findings == []


def test_a_job_handed_to_tests_by_a_conftest_fixture_is_exercised(tmp_path: Path) -> None:
    files = {path: text for path, text in FILES.items() if path != "tests/test_jobs.py"}
    files["tests/conftest.py"] = (
        "import pytest\n\n"
        "from src.services.background.contact_sync_scheduler import process_pending_contacts\n"
        "from src.services.background.page_scrape_scheduler import process_pending_pages\n\n\n"
        "@pytest.fixture\ndef jobs():\n"
        "    return [process_pending_contacts, process_pending_pages]\n"
    )
    files["tests/test_jobs.py"] = (
        "async def test_jobs_run(jobs):\n    for job in jobs:\n        await job()\n"
    )
    assert run_check(small_host(tmp_path / "host", files), use_cache=False).findings == []


def test_one_enum_type_mapped_two_ways_is_a_storage_mismatch(tmp_path: Path) -> None:
    files = dict(FILES)
    files["src/models/archive.py"] = (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from src.models.models import Base, PageStatus\n\n\n"
        "class ArchivedPage(Base):\n"
        '    __tablename__ = "archived_pages"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    status: Mapped[PageStatus] = mapped_column(\n"
        '        sa.Enum(PageStatus, name="page_status", native_enum=False)\n'
        "    )\n"
    )
    result = run_check(small_host(tmp_path / "host", files), use_cache=False)
    assert [(f.code, f.path) for f in result.findings] == [("SKF204", "src/models/models.py")]
    assert "ArchivedPage.status maps it as a VARCHAR" in result.findings[0].message
