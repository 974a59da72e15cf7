"""Command-line tools: ``flask --app wsgi recognition init|demo``, ``workflow ...``,
``translate ...`` and ``outbox ...``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from .demo import load_demo
from .i18n_cli import translate_cli
from .notifications.cli import outbox_cli
from .scale import load_scale
from .workflow import guards, worklists
from .workflow.definition import DefinitionError, load_definition, load_directory
from .workflow.diagram import mermaid
from .workflow.engine import describe
from .workflow.registry import registry, run_checks

recognition_cli = AppGroup("recognition", help="Set up the database and demo data.")
workflow_cli = AppGroup("workflow", help="Validate and show workflow definitions.")


@recognition_cli.command("init")
def init_command() -> None:
    """Create or upgrade the database schema (idempotent)."""
    upgrade()
    click.echo("Database schema is up to date.")


@recognition_cli.command("demo")
@click.option("--scale", type=int, default=0, help="Also load N synthetic nominations.")
def demo_command(scale: int) -> None:
    """Load the demo accounts, cities and calls (idempotent); print the logins."""
    logins = load_demo()
    if scale:
        load_scale(scale)
    click.echo("Demo logins (password for all: {}):".format(logins["password"]))
    for role, email in logins["accounts"]:
        click.echo(f"  {role:<28} {email}")


@workflow_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate_command(files: tuple[Path, ...]) -> None:
    """Validate workflow definitions (all of workflows/ when no FILE is given), with the
    same checks as start-up: structure, predicates and their parameters, worklist filters,
    duplicate ids, and the rules programmes add to transitions."""
    problems: list[tuple[str, str, str]] = []
    checked: list[str] = []
    if files:
        definitions = {}
        for path in files:
            try:
                definition = load_definition(path, guards.registered())
            except DefinitionError as exc:
                problems.extend(exc.problems)
                continue
            definitions[definition.id] = definition
            checked.append(path.name)
    else:
        folder = Path(current_app.config["RECOGNITION_ROOT"]) / "workflows"
        try:
            definitions = load_directory(folder, guards.registered())
        except DefinitionError as exc:
            definitions = {}
            problems.extend(exc.problems)
        checked = [d.source for d in definitions.values()]
    problems.extend(worklists.validate_filters(definitions))
    if not files:
        problems.extend(run_checks())
    for file, key, message in problems:
        click.echo(f"{file}: {key}: {message}", err=True)
    bad = {file for file, _key, _message in problems}
    for name in checked:
        if name not in bad:
            click.echo(f"{name}: ok")
    if problems:
        sys.exit(1)


@workflow_cli.command("graph")
@click.argument("name")
def graph_command(name: str) -> None:
    """Print the workflow NAME as a Mermaid state diagram."""
    definition = registry().definitions.get(name)
    if definition is None:
        raise click.ClickException(f"no workflow named {name!r}")
    click.echo(mermaid(definition))


@workflow_cli.command("show")
@click.argument("name")
def show_command(name: str) -> None:
    """Print the state x permission -> roles table of the workflow NAME."""
    definition = registry().definitions.get(name)
    if definition is None:
        raise click.ClickException(f"no workflow named {name!r}")
    permissions = list(definition.permissions)
    width = max(len(s) for s in definition.states) + 2
    click.echo("state".ljust(width) + " | ".join(permissions))
    for state_id, _title, perms in describe(definition):
        cells = [",".join(perms[p]) or "-" for p in permissions]
        click.echo(state_id.ljust(width) + " | ".join(cells))
    click.echo("")
    for t in definition.transitions.values():
        when = f" when {', '.join(r.name for r in t.guard.when)}" if t.guard.when else ""
        needs = (f"permission {t.guard.permission}",) if t.guard.permission else ()
        who = ", ".join((*t.guard.roles, *needs))
        click.echo(f"{t.id}: {', '.join(t.sources)} -> {t.dest} [{who}]{when}")


def init_app(app: Flask) -> None:
    app.cli.add_command(recognition_cli)
    app.cli.add_command(workflow_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(outbox_cli)
