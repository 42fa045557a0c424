"""SKF114 undefined-setting: every setting a service reads exists on the Settings class."""

from collections.abc import Iterator
from typing import ClassVar

from skf.check.findings import Finding
from skf.check.rule import Example, Rule
from skf.check.rules._reference import REFERENCE_SERVICE, SERVICE, line_of, service_variant
from skf.project.inventory import Inventory

_TYPO = service_variant(
    (
        "max_instances=settings.EMAIL_SENDER_MAX_INSTANCES",
        "max_instances=settings.EMAIL_SENDER_MAX_INSTANCE",
    ),
)


class UndefinedSetting(Rule):
    code = "SKF114"
    name = "undefined-setting"
    checklist_item: ClassVar[int | None] = 4
    summary = "Every setting a service reads is a field of the Settings class."
    what_it_does = (
        "Reports a read of `settings.X` (or `get_settings().X`, or settings imported inside a "
        "function) in a service's modules where `X` is not a field, property or method of the "
        "Settings class the layout names (`src/config/settings.py:Settings` by default)."
    )
    why_is_this_bad = (
        "The attribute does not exist: the service fails with AttributeError when the module "
        "is imported or the job first runs, and no environment variable can configure it."
    )
    VALID = (Example(files={SERVICE: REFERENCE_SERVICE}, focus=SERVICE),)
    INVALID = (
        Example(
            files={SERVICE: _TYPO},
            focus=SERVICE,
            expected_lines=(line_of(_TYPO, "settings.EMAIL_SENDER_MAX_INSTANCE,"),),
        ),
    )

    def check(self, inventory: Inventory) -> Iterator[Finding]:
        settings = inventory.settings
        reads = [
            (service, name, uses)
            for service in inventory.services
            for name, uses in service.settings_used.items()
        ]
        if not reads:
            return
        layout = inventory.layout
        if settings is None:
            if layout.settings_module in inventory.files.parse_failures:
                return  # SKF001 reports the settings module
            service, name, uses = reads[0]
            source, node = uses[0]
            yield self.at(
                f"`{name}` is read as a setting, but there is no class `{layout.settings_class}` "
                f"in {layout.settings_module} (set [tool.skf] settings_module / settings_class "
                "if the settings live elsewhere)",
                source,
                node.attr,
                service=service.name,
                symbol=layout.settings_class,
            )
            return
        for service, name, uses in reads:
            if settings.defines(name):
                continue
            for source, node in uses:
                yield self.at(
                    f"setting `{name}` is not defined on {settings.class_name} ({settings.path})",
                    source,
                    node.attr,
                    service=service.name,
                    symbol=name,
                )
