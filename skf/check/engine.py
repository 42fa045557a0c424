"""`run_check`: discover the services, run every rule, return every finding.

Suppressions and baselines are applied afterwards (`skf.check.report`); this returns all
findings so they can be judged. A whole result is cached against the content of every input
(all Python files by hash, pyproject, compose and env files, the architecture doc): an
unchanged tree is answered from the cache without parsing anything.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from skf.check.findings import CheckResult, Finding, FixInfo, ServiceSummary
from skf.check.rule import Rule
from skf.config import Layout, load_layout
from skf.project.cache import Cache, digest
from skf.project.files import ProjectFiles
from skf.project.inventory import Inventory, Service, inventory_from_scan
from skf.project.scan import Scan, scan_project

_RESULTS = "results"
_RESULT_VERSION = 1


def run_check(
    root: Path,
    paths: Sequence[str] = (),
    *,
    changed_files: Collection[str] | None = None,
    use_cache: bool = True,
) -> CheckResult:
    """Check the project at `root`.

    `paths` (relative POSIX) limits the services checked to those with code under one of
    them (their module, job and helper modules, model); `changed_files` (relative POSIX) to
    those any of whose files (that code, settings, compose, docs, tests) is among them.
    Findings not about a service are kept when their file is in scope. ConfigError /
    ProjectError (exit 2) for a bad `[tool.skf]` or an input that cannot be read.
    """
    layout = load_layout(root)
    files = ProjectFiles(layout)
    scan = scan_project(files)
    cache = Cache(layout.root, enabled=use_cache)
    key = _key(layout, scan)
    full = _cached(layout, key, cache)
    if full is None:
        inventory = inventory_from_scan(layout, files, scan, cache)
        full = _check(inventory)
        _store(key, cache, full)
    return full.limited(paths, changed_files)


@dataclasses.dataclass
class _FullResult:
    findings: list[Finding]
    services: list[ServiceSummary]
    service_files: dict[str, list[str]]
    """Every file whose change can change a service's findings (for `changed_files`)."""
    code_files: dict[str, list[str]]
    """The service's code: its module, job and helper modules, model (for `paths`)."""
    files_scanned: int
    inputs: dict[str, str | None]
    """Non-Python files the result depends on -> their content hash (None: absent)."""

    def limited(self, paths: Sequence[str], changed: Collection[str] | None) -> CheckResult:
        def in_paths(path: str) -> bool:
            return not paths or any(
                p in {"", "."} or path == p or path.startswith(p.rstrip("/") + "/") for p in paths
            )

        def in_changed(path: str) -> bool:
            return changed is None or path in changed

        kept = {
            name
            for name, owned in self.service_files.items()
            if any(in_paths(path) for path in self.code_files[name])
            and (changed is None or any(in_changed(path) for path in owned))
        }
        findings = [
            finding
            for finding in self.findings
            if (finding.service in kept)
            or (
                (finding.service is None or finding.service not in self.service_files)
                and in_paths(finding.path)
                and in_changed(finding.path)
            )
        ]
        return CheckResult(
            findings=sorted(findings, key=Finding.sort_key),
            services=[s for s in self.services if s.name in kept],
            files_scanned=self.files_scanned,
        )


def _rules() -> list[Rule]:
    from skf.check.rules import ALL_RULES

    return [rule() for rule in ALL_RULES if issubclass(rule, Rule)]


def _check(inventory: Inventory) -> _FullResult:
    rules = _rules()
    # Files parsed by any rule can turn out not to parse: the syntax-error rule goes last.
    rules.sort(key=lambda rule: (rule.code == "SKF001", rule.code))
    findings: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for rule in rules:
        for finding in rule.check(inventory):
            # A defect in a helper shared by several services is one finding.
            key = (finding.code, finding.path, finding.line, finding.column, finding.symbol)
            if key in seen:
                continue
            seen.add(key)
            findings.append(finding)
    return _FullResult(
        findings=sorted(findings, key=Finding.sort_key),
        services=[summary(service) for service in inventory.services],
        service_files={s.name: sorted(service_files(inventory, s)) for s in inventory.services},
        code_files={s.name: sorted(s.files) for s in inventory.services},
        files_scanned=len(inventory.scan.digests),
        inputs=_inputs(inventory.layout, inventory),
    )


def summary(service: Service) -> ServiceSummary:
    enum = service.status_enum
    return ServiceSummary(
        name=service.name,
        path=service.source.path,
        job_function=service.job.name if service.job is not None else None,
        model=service.model.qualified_name if service.model is not None else None,
        status_enum=enum.qualified_name if enum is not None else None,
        statuses={role.value: value for role, value in service.statuses().items()},
        settings=tuple(sorted(service.settings_used)),
    )


def service_files(inventory: Inventory, service: Service) -> set[str]:
    """Every file whose change can change the service's findings."""
    owned = set(service.files)
    layout = inventory.layout
    owned.add(layout.settings_module)
    owned.add(layout.compose_file)
    owned.add(layout.architecture_doc)
    compose = inventory.compose
    if compose is not None:
        owned.update(compose.inputs)
    from skf.project.tests_index import tests_for

    owned.update(module.path for module in tests_for(inventory, service))
    return owned


# -- the result cache --------------------------------------------------------------------


def _input_paths(layout: Layout, inventory: Inventory | None = None) -> set[str]:
    paths = {"pyproject.toml", layout.compose_file, layout.architecture_doc}
    if inventory is not None and inventory.compose is not None:
        paths.update(inventory.compose.inputs)
    return paths


def _inputs(layout: Layout, inventory: Inventory | None = None) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for path in sorted(_input_paths(layout, inventory)):
        file = layout.root / path
        try:
            found[path] = digest(file.read_bytes()) if file.is_file() else None
        except OSError:
            found[path] = None
    return found


def _key(layout: Layout, scan: Scan) -> str:
    from skf.lifecycle.records import template_state

    # The records and the template version decide SKF208 (outdated-template).
    state = template_state(layout)
    return digest(f"{_RESULT_VERSION}\0{layout!r}\0{scan.tree_digest()}\0{state}".encode())


def _cached(layout: Layout, key: str, cache: Cache) -> _FullResult | None:
    entry = cache.get(_RESULTS, "latest")
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    try:
        inputs: dict[str, str | None] = entry["inputs"]
        for path, expected in inputs.items():
            file = layout.root / path
            actual = digest(file.read_bytes()) if file.is_file() else None
            if actual != expected:
                return None
        return _FullResult(
            findings=[_finding(item) for item in entry["findings"]],
            services=[
                ServiceSummary(**{**s, "settings": tuple(s["settings"])}) for s in entry["services"]
            ],
            service_files=entry["service_files"],
            code_files=entry["code_files"],
            files_scanned=entry["files_scanned"],
            inputs=inputs,
        )
    except (KeyError, TypeError, ValueError, OSError):
        return None


def _finding(item: dict[str, Any]) -> Finding:
    fix = item.pop("fix")
    return Finding(**item, fix=None if fix is None else FixInfo(**fix))


def _store(key: str, cache: Cache, result: _FullResult) -> None:
    """`result` under `key` (`_key`: computed before the check, so that a record edited
    while it ran cannot be stored as checked)."""
    cache.put(
        _RESULTS,
        "latest",
        {
            "key": key,
            "inputs": result.inputs,
            "findings": [dataclasses.asdict(f) for f in result.findings],
            "services": [dataclasses.asdict(s) for s in result.services],
            "service_files": result.service_files,
            "code_files": result.code_files,
            "files_scanned": result.files_scanned,
        },
    )
