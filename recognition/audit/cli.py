"""``flask audit verify``: walk every hash chain of the history and every call's seal, and
name the first broken link; ``flask audit head CALL``: a call's record head."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..programmes.models import Call
from .records import call_head, verify

audit_cli = AppGroup("audit", help="Check the history's integrity.")


@audit_cli.command("verify")
@click.option("--call", "call_id", type=int, help="Only the records of this call.")
def verify_command(call_id: int | None) -> None:
    """Recompute every history row's hash and link; check each announced call's seal."""
    report = verify(call_id)
    click.echo(
        f"{report.rows} history rows in {report.chains} chains, {report.seals} sealed calls."
    )
    if not report.problems:
        click.echo("No broken link: the history is as it was written.")
        return
    click.echo(f"BROKEN: the first of {len(report.problems)} problems found:", err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    raise SystemExit(1)


@audit_cli.command("head")
@click.argument("call_id", type=int)
def head_command(call_id: int) -> None:
    """Print a call's record head now, and the one its announcement sealed."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise click.ClickException(f"There is no call {call_id}.")
    click.echo(f"now:    {call_head(call_id)}")
    click.echo(f"sealed: {call.record_head or '(not announced)'}")
