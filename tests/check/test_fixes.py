"""plan_fixes: every file a fix touches, safe versus unsafe, formatting and comments kept,
idempotence, and fixes in the REAL_WORLD host's list-form compose."""

from pathlib import Path

from hosts import rule_host, small_host
from realworld import FILES

from skf.check.engine import run_check
from skf.check.fixes import plan_fixes
from skf.check.rules._reference import COMPOSE, DOC, SERVICE, SETTINGS, service_variant, variant

MINUTES = service_variant(
    (
        "        seconds=settings.EMAIL_SENDER_INTERVAL_SECONDS,\n",
        "        minutes=5,  # every five minutes, as agreed with the vendor\n",
    ),
)


def fix(host: Path, *, unsafe: bool = False) -> list[str]:
    """Check, fix, and return the codes of the findings fixed."""
    changes, fixed = plan_fixes(host, run_check(host, use_cache=False), unsafe=unsafe)
    changes.apply()
    return sorted(f.code for f in fixed)


def test_a_literal_interval_becomes_a_setting_everywhere(tmp_path: Path) -> None:
    host = rule_host(tmp_path / "host", {SERVICE: MINUTES})
    before = {path: (host / path).read_text() for path in (SETTINGS, COMPOSE, DOC)}

    assert fix(host) == ["SKF104"]

    service = (host / SERVICE).read_text()
    assert (
        "        minutes=settings.EMAIL_SENDER_INTERVAL_MINUTES,"
        "  # every five minutes, as agreed with the vendor\n" in service
    )
    assert service.replace("settings.EMAIL_SENDER_INTERVAL_MINUTES", "5") == MINUTES
    settings = (host / SETTINGS).read_text()
    assert "    EMAIL_SENDER_INTERVAL_MINUTES: PositiveInt = 5\n" in settings
    assert settings.startswith(before[SETTINGS].split("    # email_sender background")[0])
    compose = (host / COMPOSE).read_text()
    assert '      EMAIL_SENDER_INTERVAL_MINUTES: "5"\n' in compose
    assert len(compose.splitlines()) == len(before[COMPOSE].splitlines()) + 2
    doc = (host / DOC).read_text()
    assert "| `EMAIL_SENDER_INTERVAL_MINUTES` | 5 | minutes between runs |\n" in doc
    assert len(doc.splitlines()) == len(before[DOC].splitlines()) + 1
    after = run_check(host, use_cache=False)
    assert after.findings == []
    changes, fixed = plan_fixes(host, after, unsafe=True)
    assert (changes.is_empty, fixed) == (True, [])


def test_unsafe_fixes_wait_for_unsafe(tmp_path: Path) -> None:
    missing = service_variant(
        ("        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n", ""),
        ("        replace_existing=True,\n", ""),
    )
    host = rule_host(tmp_path / "host", {SERVICE: missing})
    result = run_check(host, use_cache=False)
    assert {(f.code, f.fix.applicability if f.fix else None) for f in result.findings} == {
        ("SKF104", "unsafe"),
        ("SKF103", "safe"),
    }
    assert fix(host) == ["SKF103"]
    assert "replace_existing=True," in (host / SERVICE).read_text()
    assert [f.code for f in run_check(host, use_cache=False).findings] == ["SKF104"]
    assert fix(host, unsafe=True) == ["SKF104"]
    assert run_check(host, use_cache=False).findings == []


def test_fixes_in_the_same_call_are_applied_together(tmp_path: Path) -> None:
    both = service_variant(
        (
            "        max_instances=settings.EMAIL_SENDER_MAX_INSTANCES,\n",
            "        max_instances=2,\n",
        ),
        ("        id=JOB_ID,\n", ""),
    )
    host = rule_host(tmp_path / "host", {SERVICE: both})
    assert fix(host, unsafe=True) == ["SKF103", "SKF104"]
    text = (host / SERVICE).read_text()
    assert "max_instances=settings.EMAIL_SENDER_MAX_INSTANCES," in text
    assert 'id="process_pending_email_messages",' in text
    assert run_check(host, use_cache=False).findings == []


def test_a_missing_compose_entry_is_added_in_list_form(tmp_path: Path) -> None:
    files = dict(FILES)
    files["docker-compose.yml"] = FILES["docker-compose.yml"].replace(
        "      - JOB_LEASE_MINUTES=15\n", ""
    )
    host = small_host(tmp_path / "host", files)
    assert fix(host) == ["SKF124"]
    compose = (host / "docker-compose.yml").read_text()
    assert "      - JOB_LEASE_MINUTES=15\n" in compose
    assert run_check(host, use_cache=False).findings == []


def test_the_module_s_own_spelling_of_the_settings_is_used(tmp_path: Path) -> None:
    no_import = service_variant(
        ("        misfire_grace_time=settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS,\n", ""),
    ).replace("from src.config.settings import settings\n", "")
    no_import = variant(
        no_import.replace("settings.EMAIL_SENDER_", "config.EMAIL_SENDER_"),
        (
            "from src.models.email_message import",
            "from src.config import settings as config_module\n"
            "from src.models.email_message import",
        ),
    )
    no_import = no_import.replace(
        "logger = logging.getLogger(__name__)\n",
        "logger = logging.getLogger(__name__)\nconfig = config_module.settings\n",
    )
    host = rule_host(tmp_path / "host", {SERVICE: no_import})
    assert fix(host, unsafe=True) == ["SKF104"]
    text = (host / SERVICE).read_text()
    assert "misfire_grace_time=config_module.settings.EMAIL_SENDER_MISFIRE_GRACE_SECONDS" in text
    assert run_check(host, use_cache=False).findings == []


def test_a_settings_import_is_added_where_isort_puts_it(tmp_path: Path) -> None:
    page = "src/services/background/page_scrape_scheduler.py"
    files = dict(FILES)
    files[page] = FILES[page].replace(
        "max_instances=settings.PAGE_SCRAPE_MAX_INSTANCES", "max_instances=3"
    )
    host = small_host(tmp_path / "host", files)
    assert fix(host, unsafe=True) == ["SKF104"]
    text = (host / page).read_text()
    assert "max_instances=settings.PAGE_SCRAPE_MAX_INSTANCES" in text
    assert (
        "from src.config.settings import settings\n"
        "from src.integrations.http import fetch\n" in text
    )
    assert run_check(host, use_cache=False).findings == []


def test_a_literal_batch_default_becomes_the_matching_setting(tmp_path: Path) -> None:
    page = "src/services/background/page_scrape_scheduler.py"
    files = dict(FILES)
    files[page] = FILES[page].replace(
        "limit: int = _settings().PAGE_SCRAPE_BATCH_SIZE", "limit: int = 10"
    )
    host = small_host(tmp_path / "host", files)
    result = run_check(host, use_cache=False)
    assert [(f.code, f.fix.applicability if f.fix else None) for f in result.findings] == [
        ("SKF104", "safe")  # PAGE_SCRAPE_BATCH_SIZE exists with the same default
    ]
    assert fix(host) == ["SKF104"]
    text = (host / page).read_text()
    assert "limit: int = settings.PAGE_SCRAPE_BATCH_SIZE" in text
    assert (
        "PAGE_SCRAPE_BATCH_SIZE"
        not in (host / "src/config/settings.py").read_text().split("PAGE_SCRAPE_BATCH_SIZE", 1)[1]
    )
    assert run_check(host, use_cache=False).findings == []
