"""Command-line tools: ``flask --app wsgi recognition init|demo|schedule``, ``workflow ...``,
``translate ...`` and ``outbox ...``.

The app registers these commands in every process, web workers included, so the libraries
only a command needs (Alembic, for migrations) are imported when the command runs.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .demo import load_demo
from .extensions import db
from .i18n_cli import translate_cli
from .lifetimes.cli import update as update_lifetimes
from .notifications.cli import outbox_cli, stopped_by_signals
from .review.cli import remind
from .scale import load_campaign
from .workflow import guards, worklists
from .workflow.definition import DefinitionError, load_definition, load_directory
from .workflow.diagram import mermaid
from .workflow.engine import describe
from .workflow.registry import registry, run_checks

log = logging.getLogger(__name__)

recognition_cli = AppGroup(
    "recognition", help="Set up the database and demo data; run the scheduled jobs."
)
workflow_cli = AppGroup("workflow", help="Validate and show workflow definitions.")


@recognition_cli.command("init")
def init_command() -> None:
    """Create or upgrade the database schema (idempotent)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("Database schema is up to date.")


@recognition_cli.command("demo")
@click.option("--scale", type=int, default=0, help="Also load N synthetic nominations.")
@click.option(
    "--last-cycle",
    type=click.IntRange(min=0),
    default=None,
    help="Nominations of the synthetic campaign's last cycle, decided and announced "
    "(default: a quarter of --scale).",
)
def demo_command(scale: int, last_cycle: int | None) -> None:
    """Load the demo accounts, cities and calls (idempotent); print the logins. With
    --scale, also a synthetic campaign whose accounts sign in with the demo password."""
    logins = load_demo()
    campaign, last = None, 0
    if scale:
        last = scale // 4 if last_cycle is None else last_cycle
        campaign = load_campaign(scale, last_cycle=last, password=logins["password"])
    click.echo("Demo logins (password for all: {}):".format(logins["password"]))
    for role, email in logins["accounts"]:
        click.echo(f"  {role:<28} {email}")
    if campaign is not None:
        announced = campaign.last_call
        click.echo(
            f"Synthetic campaign: call {campaign.call.id} under review ({scale} nominations)"
            + (f", call {announced.id} announced ({last} nominations)" if announced else "")
            + "; the same password:"
        )
        click.echo(f"  {'secretariat + admin':<28} {campaign.secretariat}")
        first, final = 0, campaign.reviewers - 1
        click.echo(f"  {'reviewers':<28} {campaign.reviewer_pattern}, N = {first} … {final}")


@dataclass(frozen=True)
class Job:
    """A scheduled job: run every ``every`` seconds; ``run`` commits and returns a summary."""

    name: str
    every: float
    run: Callable[[], str]


def run_jobs(
    jobs: list[Job],
    rounds: int = 0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run each job when it is due, all of them at once at the start; stop after ``rounds``
    rounds of due jobs (0: never).

    A job that fails is logged and rolled back, and runs again at its next time: a database
    restart must not stop the scheduler. Every job is idempotent, so a run that is repeated,
    late or interrupted changes nothing it should not. Each job gets a fresh session.
    """
    start = clock()
    due = {job.name: start for job in jobs}
    done = 0
    while True:
        for job in jobs:
            now = clock()
            if due[job.name] > now:
                continue
            try:
                for line in job.run().splitlines():
                    click.echo(f"{job.name}: {line}")
            except Exception:
                log.exception("%s: the run failed; next run in %s s", job.name, job.every)
                db.session.rollback()
            finally:
                db.session.remove()
            # Keep to the timetable from the start: a slow run does not shift later runs.
            while due[job.name] <= now:
                due[job.name] += max(job.every, 1.0)
        done += 1
        if rounds and done >= rounds:
            return
        sleep(max(0.0, min(due.values()) - clock()))


@recognition_cli.command("schedule")
@click.option(
    "--remind-every",
    type=click.FloatRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds between runs of the reminders of reviews and letters (outbox remind).",
)
@click.option(
    "--lifetimes-every",
    type=click.FloatRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds between runs of the recognitions' lifetimes (lifetimes update).",
)
@click.option(
    "--rounds",
    type=click.IntRange(min=0),
    default=0,
    help="Stop after N rounds of due jobs (default: run until stopped).",
)
def schedule_command(remind_every: float, lifetimes_every: float, rounds: int) -> None:
    """Run the scheduled jobs in one process until SIGTERM: reminders of reviews due soon
    and letters awaited, and the recognitions' lifetimes (reports opened, expiring, expired,
    reminders before the end), each at once and then at its interval.

    The lifetimes job runs hourly by default, not daily: a recognition ends at midnight in
    its city's time zone, so an hourly run moves each within the hour, wherever it is.
    """
    jobs = [
        Job("remind", remind_every, remind),
        Job("lifetimes", lifetimes_every, update_lifetimes),
    ]
    with stopped_by_signals():
        run_jobs(jobs, rounds)


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
