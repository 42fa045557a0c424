"""SKF124 missing-compose-env: the app's compose service sets every setting a service uses."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.fixes import FixPlan
from skf.check.rule import Example, Rule
from skf.check.rules import _settings_fix
from skf.check.rules._reference import COMPOSE
from skf.check.rules._support import call_name, service_of
from skf.project.compose import ComposeService
from skf.project.inventory import Inventory, Service

_COMPOSE_VALID = """\
services:
  app:
    build: .
    env_file:
      - .env.defaults
    environment:
      DATABASE_URL: "postgresql+asyncpg://app:app@db:5432/app"
      EMAIL_SENDER_INTERVAL_SECONDS: "60"
      EMAIL_SENDER_BATCH_SIZE: "50"
      EMAIL_SENDER_MAX_INSTANCES: "1"
      EMAIL_SENDER_MISFIRE_GRACE_SECONDS: "300"
      EMAIL_SENDER_COALESCE: "true"
      EMAIL_SENDER_CONCURRENCY: "10"
      EMAIL_SENDER_ITEM_TIMEOUT_SECONDS: "30.0"
  db:
    image: postgres:16
"""
_ENV_DEFAULTS = """\
EMAIL_SENDER_LEASE_SECONDS=300.0
EMAIL_SENDER_MAX_ATTEMPTS=5
EMAIL_SENDER_BACKOFF_BASE_SECONDS=30.0
EMAIL_SENDER_BACKOFF_MAX_SECONDS=3600.0
EMAIL_SENDER_DRAIN_SECONDS=0.0
EMAIL_SENDER_WAKEUP_ENABLED=true
"""
_COMPOSE_INVALID = _COMPOSE_VALID.replace('      EMAIL_SENDER_BATCH_SIZE: "50"\n', "").replace(
    "    image: postgres:16\n",
    "    image: postgres:16\n    environment:\n      - EMAIL_SENDER_BATCH_SIZE=50\n",
)
_COMPOSE_FIXED = _COMPOSE_INVALID.replace(
    '      EMAIL_SENDER_ITEM_TIMEOUT_SECONDS: "30.0"\n',
    '      EMAIL_SENDER_ITEM_TIMEOUT_SECONDS: "30.0"\n'
    "      # email_sender background service\n"
    '      EMAIL_SENDER_BATCH_SIZE: "50"\n',
)


class MissingComposeEnv(Rule):
    code = "SKF124"
    name = "missing-compose-env"
    checklist_item: ClassVar[int | None] = 4
    summary = "Every setting a service uses is set for the compose service that runs the app."
    what_it_does = (
        "For each setting a service reads (that exists on the Settings class), looks for its "
        "environment variable (with the Settings class's `env_prefix` or the field's alias) "
        "in the `environment` of the compose service running the application (`app` unless "
        "`[tool.skf] compose_service` says otherwise), in mapping or `KEY=value` list form, "
        "or in an `env_file` it names that exists. Setting it only on another service (the "
        "database) does not count."
    )
    why_is_this_bad = (
        "The pattern's rule is that every timing, batch and concurrency parameter is "
        "environment-driven and listed in docker-compose.yml: a setting the deployment never "
        "sets silently runs on its code default, and operators looking at the compose file "
        "do not know the knob exists."
    )
    fix_applicability = "safe"
    fix_description = (
        "Adds the variable, with the Settings field's default, to the app service's `environment`."
    )
    VALID = (
        Example(
            files={COMPOSE: _COMPOSE_VALID, ".env.defaults": _ENV_DEFAULTS},
            focus=COMPOSE,
            note="Variables can also come from an `env_file` the project ships.",
        ),
    )
    INVALID = (
        Example(
            files={COMPOSE: _COMPOSE_INVALID, ".env.defaults": _ENV_DEFAULTS},
            focus=COMPOSE,
            expected_lines=(6,),
            fixed={COMPOSE: _COMPOSE_FIXED},
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        settings = inventory.settings
        needed = [
            (service, name)
            for service in inventory.services
            for name in sorted(service.settings_used)
            if settings is not None and name in settings.fields
        ]
        if settings is None or not needed:
            return
        layout = inventory.layout
        compose = inventory.compose
        if compose is None:
            first = needed[0][0]
            yield self.at(
                f"{layout.compose_file} does not exist: no deployment sets the settings the "
                "services read",
                first.source,
                call_name(first.call),
                service=first.name,
                symbol="compose-file",
            )
            return
        app = compose.services.get(layout.compose_service)
        if app is None:
            yield self.finding(
                f"{layout.compose_file} has no service `{layout.compose_service}` (the one "
                "running the application; set [tool.skf] compose_service)",
                layout.compose_file,
                symbol=layout.compose_service,
            )
            return
        present = {settings.env_key(name) for name in app.environment}
        for service, name in needed:
            env = settings.env_name(name)
            if settings.env_key(env) in present:
                continue
            yield self._missing(inventory, service, env, app)

    def _missing(
        self, inventory: Inventory, service: Service, env: str, app: ComposeService
    ) -> Finding:
        settings = inventory.settings
        compose = inventory.compose
        assert settings is not None
        assert compose is not None
        elsewhere = compose.set_elsewhere(
            settings.env_key(env), app.name, case_sensitive=settings.case_sensitive
        )
        where = f" (it is set only for {', '.join(elsewhere)})" if elsewhere else ""
        line = app.environment_line or app.line
        return self.finding(
            f"{env}, read by {service.name}, is not set for compose service `{app.name}`{where}",
            compose.path,
            (line, 1, line, 1),
            service=service.name,
            symbol=env,
            fix=self.default_fix() if _settings_fix.compose_default(inventory, env) else None,
        )

    def fix(self, finding: Finding, inventory: Inventory, plan: FixPlan) -> bool:
        service = service_of(inventory, finding)
        if service is None:
            return False
        return _settings_fix.plan_compose_entry(inventory, service, finding.symbol, plan)
