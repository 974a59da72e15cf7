"""``flask translate extract|update|compile|check``: the message catalogs, wrapping pybabel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask import current_app
from flask.cli import AppGroup

from .translations_check import check_catalogs

translate_cli = AppGroup("translate", help="Extract, update, compile and check translations.")


def _root() -> Path:
    return Path(current_app.config["RECOGNITION_ROOT"])


def _pybabel(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=_root())
    if result.returncode:
        raise click.ClickException(f"pybabel {args[0]} failed")


@translate_cli.command("extract")
def extract() -> None:
    """Extract messages from Python, templates and YAML definitions into messages.pot."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "-k",
        "lazy_ngettext:1,2",
        "--no-location",
        "--sort-output",
        "-o",
        "translations/messages.pot",
        ".",
    )


@translate_cli.command("update")
def update() -> None:
    """Extract, then merge new messages into every catalog."""
    extract.callback()
    _pybabel(
        "update",
        "-i",
        "translations/messages.pot",
        "-d",
        "translations",
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )
    fill_english(_root() / "translations" / "en" / "LC_MESSAGES" / "messages.po")


def fill_english(path: Path) -> None:
    """The English catalog translates every message to itself (the msgids are English)."""
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100)


@translate_cli.command("compile")
def compile_catalogs() -> None:
    """Compile every .po into the .mo the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")


@translate_cli.command("check")
def check() -> None:
    """Fail on a missing, fuzzy or broken translation in any catalog."""
    problems = check_catalogs(_root() / "translations")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        sys.exit(1)
    click.echo("All catalogs complete.")
