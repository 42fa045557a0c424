"""`skf rules`: the rules `skf check` applies; `skf rules explain CODE`: one rule's docs."""

import json
from enum import StrEnum
from typing import Annotated

import typer

from skf.check.rule import RuleMeta
from skf.check.rules import ALL_RULES
from skf.check.rules_doc import lookup_rule, rule_markdown
from skf.cli.root import app

rules_app = typer.Typer(
    help="List the rules `skf check` applies, or explain one.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(rules_app, name="rules")


class RulesFormat(StrEnum):
    text = "text"
    json = "json"


def _rows(rules: list[type[RuleMeta]]) -> list[tuple[str, str, str, str]]:
    return [
        (
            rule.code,
            rule.name,
            "-" if rule.checklist_item is None else str(rule.checklist_item),
            rule.fix_applicability or "-",
        )
        for rule in rules
    ]


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("CODE", "NAME", "ITEM", "FIX")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


@rules_app.callback()
def rules(
    ctx: typer.Context,
    output_format: Annotated[
        RulesFormat, typer.Option("--format", help="text (a table) or json.")
    ] = RulesFormat.text,
) -> None:
    """List every rule: code, name, checklist item (- for a hazard) and fix availability."""
    if ctx.invoked_subcommand is not None:
        return
    ordered = sorted(ALL_RULES, key=lambda rule: rule.code)
    if output_format is RulesFormat.json:
        document = [
            {
                "code": rule.code,
                "name": rule.name,
                "checklist_item": rule.checklist_item,
                "summary": rule.summary,
                "fix": rule.fix_applicability,
            }
            for rule in ordered
        ]
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(_table(_rows(ordered)))


@rules_app.command("explain")
def explain(
    rule: Annotated[str, typer.Argument(help="A rule code (SKF104) or name.", show_default=False)],
) -> None:
    """Print a rule's docs: what it does, why it matters, an example and what to use instead."""
    typer.echo(rule_markdown(lookup_rule(ALL_RULES, rule)), nl=False)
