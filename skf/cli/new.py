"""`skf new service NAME`: generate a service into the host project."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from skf.cli.root import app
from skf.config import Layout, load_layout
from skf.errors import SkfError, UsageError
from skf.generate import names
from skf.generate import spec as answers_spec
from skf.generate.checklist_report import checklist_for
from skf.generate.renderer import Renderer, take_renderer
from skf.generate.service import ServicePlan, module_path, plan_service, test_path
from skf.service_settings import SERVICE_SETTINGS
from skf.vocabulary import DEFAULT_STATUSES, ROLES

new_app = typer.Typer(
    name="new",
    help="Generate something new that follows the pattern.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
app.add_typer(new_app)


def interactive_terminal() -> bool:
    """Whether missing answers can be asked for (tests replace this)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(question: str, check: Any, default: str | None = None) -> str:
    """Prompt until the answer passes `check` (a skf.generate.names validator)."""
    while True:
        value = typer.prompt(question, default=default)
        try:
            check(value)
            return str(value)
        except SkfError as error:
            typer.echo(f"  {error}", err=True)


def _one_of(choices: list[str]) -> Any:
    def check(value: str) -> None:
        if value not in choices:
            raise UsageError(f"{value!r} is not one of {', '.join(choices)}")

    return check


def _ask_model(layout: Layout, answers: dict[str, Any]) -> list[str]:
    """Ask for the model (and its status column, or the new model's table); returns the
    values of the status enum, when the model exists."""
    if answers.get("model") is None and answers.get("new_model") is None:
        choice = _ask(
            "Model: an existing MODULE:CLASS, or a CamelCase name for a new one",
            lambda v: (
                answers_spec.parse_model_ref(v) if ":" in v else names.model_class("model", v)
            ),
        )
        answers["model" if ":" in choice else "new_model"] = choice
    if answers.get("model") is None:
        if answers.get("table") is None:
            default = f"{names.snake_case(answers['new_model'])}s"
            answers["table"] = _ask("Table", lambda v: names.snake_name("table", v), default)
        return []
    columns = answers_spec.describe_model(layout, answers["model"])
    if answers.get("status_column") is None and len(columns) != 1:
        typer.echo(f"Status columns: {', '.join(columns) or 'none'}")
        answers["status_column"] = _ask("Status column", _one_of(list(columns)))
    members = columns.get(answers.get("status_column") or next(iter(columns), ""), [])
    if members:
        typer.echo(f"Members of its enum: {', '.join(members)}")
    return members


def _ask_missing(layout: Layout, answers: dict[str, Any]) -> None:
    """Fill in missing answers interactively (offering the enum's members)."""
    if answers.get("service_name") is None:
        answers["service_name"] = _ask(
            "Service name (snake_case)",
            lambda v: names.snake_name("service name", v, max_length=names.MAX_SERVICE),
        )
    members = _ask_model(layout, answers)
    if answers.get("statuses") is None:
        for role in ROLES:
            if answers.get(role.value) is None:
                default = DEFAULT_STATUSES[role]
                shown = default if not members or default in members else None
                answers[role.value] = _ask(
                    f"{role.value.capitalize()} status",
                    lambda v: names.status_value("status", v),
                    shown,
                )
    for setting in SERVICE_SETTINGS:
        if answers.get(setting.answer) is None:
            value = setting.default
            answers[setting.answer] = _ask(
                f"{setting.meaning} ({setting.answer})",
                lambda v, s=setting: answers_spec.parse_setting(s, v),
                str(value).lower() if isinstance(value, bool) else str(value),
            )


def _require_non_interactive(answers: dict[str, Any]) -> None:
    if answers.get("service_name") is None:
        raise UsageError("missing the service name: skf new service NAME")
    if answers.get("model") is None and answers.get("new_model") is None:
        raise UsageError(
            "missing --model MODULE:CLASS (an existing model) or --new-model CLASS "
            "(answers are not asked for: stdin is not a terminal, or --defaults was given)"
        )


def _report(layout: Layout, plan: ServicePlan, verify: bool) -> None:
    spec = plan.spec
    for path in plan.created:
        typer.echo(f"created  {path}")
    for path in plan.modified:
        typer.echo(f"modified {path}")
    for note in plan.notes:
        typer.echo(f"note: {note}")
    module = module_path(layout, spec)
    typer.echo(
        f"next: write {spec.handler_function}() in {module} (the region marked as yours), "
        f"then run {test_path(layout, spec)}"
    )
    checklist = checklist_for(
        layout, spec, module, test_path(layout, spec), settings=len(plan.settings), verify=verify
    )
    typer.echo("\nChecklist for the pull request (`skf checklist` prints it again):\n")
    typer.echo(checklist.markdown(), nl=False)


@new_app.command("service")
def new_service(
    name: Annotated[
        str | None, typer.Argument(help="The service's name (snake_case), e.g. sitemap_scanner.")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", metavar="MODULE:CLASS", help="An existing model (src.models.domain:Domain)."
        ),
    ] = None,
    status_column: Annotated[
        str | None, typer.Option("--status-column", help="The model's status column.")
    ] = None,
    new_model: Annotated[
        str | None,
        typer.Option("--new-model", metavar="CLASS", help="Create a model (and its status enum)."),
    ] = None,
    table: Annotated[str | None, typer.Option("--table", help="The new model's table.")] = None,
    statuses: Annotated[
        str | None,
        typer.Option(
            "--statuses",
            metavar="MONITORED,PROCESSING,DONE,ERROR",
            help="The four statuses (default Queued,Processing,Completed,Error).",
        ),
    ] = None,
    add_status: Annotated[
        bool, typer.Option("--add-status", help="Add statuses the enum lacks (enum and docs).")
    ] = False,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Use the default of every answer not given.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            metavar="KEY=VALUE",
            help="An answer (repeatable): " + ", ".join(sorted(answers_spec.ANSWERS)) + ".",
        ),
    ] = None,
    answers_file: Annotated[
        Path | None,
        typer.Option("--answers-file", metavar="FILE", help="A YAML mapping of answers."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the diff of every file; write nothing.")
    ] = False,
    no_check: Annotated[
        bool,
        typer.Option(
            "--no-check",
            help="Tick the checklist from what was generated instead of running skf check.",
        ),
    ] = False,
    project: Annotated[
        Path | None, typer.Option("--project", metavar="DIR", help="The host project's root.")
    ] = None,
) -> None:
    """Generate a service: module, tests, settings, startup call, compose env, docs, record."""
    with take_renderer() as renderer:  # imports Copier in a child while the answers are read
        _new_service(
            renderer,
            project,
            {
                "service_name": name,
                "model": model,
                "status_column": status_column,
                "new_model": new_model,
                "table": table,
                "statuses": statuses,
                "add_status": add_status or None,
            },
            defaults=defaults,
            data=data or [],
            answers_file=answers_file,
            dry_run=dry_run,
            verify=not no_check,
        )


def _new_service(
    renderer: Renderer,
    project: Path | None,
    options: dict[str, Any],
    *,
    defaults: bool,
    data: list[str],
    answers_file: Path | None,
    dry_run: bool,
    verify: bool,
) -> None:
    layout = load_layout(project or Path.cwd())
    answers: dict[str, Any] = {}
    if answers_file is not None:
        try:
            text = answers_file.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"--answers-file {answers_file}: {error.strerror}") from None
        answers.update(answers_spec.read_answers_file(text, str(answers_file)))
    answers.update(answers_spec.parse_data(data))
    answers.update({key: value for key, value in options.items() if value is not None})
    if not defaults and interactive_terminal():
        _ask_missing(layout, answers)
    else:
        _require_non_interactive(answers)
    plan = plan_service(layout, answers_spec.resolve(layout, answers), renderer=renderer)
    if plan.already_generated:
        typer.echo(
            f"nothing to do: service {plan.spec.service_name} is already generated with "
            "these answers"
        )
        return
    if dry_run:
        typer.echo(plan.changes.diff(), nl=False)
        typer.echo(f"(dry run: {len(plan.changes.paths)} files would change; nothing written)")
        return
    plan.changes.apply()
    _report(layout, plan, verify=verify)
