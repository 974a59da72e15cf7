"""Reading a CSV file of historic laureates (columns year, name, country, level) for a
programme's register: every problem is said in the user's language, beside the file or
beside its row; nothing a person can upload makes it fail otherwise.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from babel import Locale

from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext, m49_areas
from ..timeutil import utcnow
from ..web import without_controls
from .matching import laureate_level
from .models import name_key
from .operations import NewEntry, existing_identities

COLUMNS = ("year", "name", "country", "level")
#: Rows an import reads at most (a register of historic laureates has a few hundred).
MAX_ROWS = 2000
#: The longest name a register entry keeps.
MAX_NAME = 300
EARLIEST_YEAR = 1900


@dataclass
class Row:
    """One line of the file: what it says, the entry it makes, or why it makes none."""

    line: int
    values: dict[str, str]
    entry: NewEntry | None = None
    errors: list[Any] = field(default_factory=list)
    #: Already in the register, or earlier in the same file: skipped.
    duplicate: bool = False


@dataclass
class Reading:
    """A file read: its rows, or the problem that stops it being read at all."""

    rows: list[Row] = field(default_factory=list)
    problem: Any = None

    @property
    def new(self) -> list[NewEntry]:
        return [r.entry for r in self.rows if r.entry is not None and not r.duplicate]

    @property
    def duplicates(self) -> int:
        return sum(1 for r in self.rows if r.duplicate)

    @property
    def invalid(self) -> int:
        return sum(1 for r in self.rows if r.errors)


@cache
def _countries_by_name() -> dict[str, str]:
    """ISO alpha-2 codes by name key: the UN's English names (M49), then CLDR's English
    names ("Bolivia (Plurinational State of)" and "Bolivia" both give BO)."""
    english = Locale("en").territories
    names: dict[str, str] = {}
    for area in m49_areas().values():
        names[name_key(area.name)] = area.iso2
    for area in m49_areas().values():
        if english.get(area.iso2):
            names.setdefault(name_key(english[area.iso2]), area.iso2)
    return names


def country_code(text: str) -> str | None:
    """The ISO alpha-2 code a cell names (a code or an English name); "" for an empty cell,
    None when it names no country or area."""
    text = text.strip()
    if not text:
        return ""
    if len(text) == 2 and text.upper() in m49_areas():
        return text.upper()
    return _countries_by_name().get(name_key(text))


def _levels(programme) -> dict[str, str]:
    """Level ids by what a cell may say: the id or the English title, compared as keys."""
    if not programme.levels:
        return {name_key(laureate_level(programme)): laureate_level(programme)}
    found = {}
    for level in programme.levels:
        found[name_key(level.id)] = level.id
        found[name_key(level.title)] = level.id
    return found


def _decode(data: bytes) -> tuple[str | None, Any]:
    if not data.strip():
        return None, _l("The file is empty.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, _l(
            "The file is not UTF-8 text. Save the table as “CSV UTF-8” and send it again."
        )
    if "\x00" in text:
        return None, _l("This is not a CSV text file. Save the table as “CSV UTF-8” and send it.")
    return text, None


def _delimiter(first_line: str) -> str:
    """Commas, or the semicolons or tabs some spreadsheets write instead."""
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(data: bytes, programme, max_bytes: int) -> Reading:
    """Read the file's rows and check each; duplicates are not marked yet (see
    ``mark_duplicates``)."""
    if len(data) > max_bytes:
        return Reading(
            problem=_l(
                "The file is larger than %(kb)d KB: split it into several files.",
                kb=max_bytes // 1024,
            )
        )
    text, problem = _decode(data)
    if problem is not None:
        return Reading(problem=problem)
    text = without_controls(text)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        return Reading(problem=_l("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        header = next((values for values in reader if any(v.strip() for v in values)), [])
        columns = [name_key(c) for c in header]
        missing = [c for c in COLUMNS if c not in columns]
        if missing:
            return Reading(
                problem=_l(
                    "The first line must name the columns year, name, country and level "
                    "(missing: %(missing)s).",
                    missing=", ".join(missing),
                )
            )
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) == MAX_ROWS:
                return Reading(
                    problem=_l(
                        "The file has more than %(num)d rows: split it into several files.",
                        num=MAX_ROWS,
                    )
                )
            rows.append(_row(reader.line_num, columns, values, programme))
    except csv.Error:
        return Reading(
            problem=_l(
                "Line %(line)d cannot be read as CSV (a quote left open, or a value too long).",
                line=reader.line_num,
            )
        )
    if not rows:
        return Reading(problem=_l("The file has no rows below its first line."))
    return Reading(rows=rows)


def _row(line: int, columns: list[str], values: list[str], programme) -> Row:
    """One row checked: each problem in the user's language."""
    cells = {c: v.strip() for c, v in zip(columns, values, strict=False) if c in COLUMNS}
    row = Row(line=line, values={c: cells.get(c, "") for c in COLUMNS})
    if len(values) != len(columns):
        row.errors.append(
            lazy_ngettext(
                "This row has %(num)d value; the first line names %(columns)d columns.",
                "This row has %(num)d values; the first line names %(columns)d columns.",
                len(values),
                columns=len(columns),
            )
        )
        return row
    year = _year(row.values["year"], row)
    name = row.values["name"]
    key = name_key(name)[:200]
    if not key:
        row.errors.append(_l("The name is missing."))
    elif len(name) > MAX_NAME:
        row.errors.append(_l("The name is longer than %(num)d characters.", num=MAX_NAME))
    country = country_code(row.values["country"])
    if country is None:
        row.errors.append(
            _l(
                "“%(country)s” is not a country: write its two-letter ISO code (KZ) or its "
                "English name (Kazakhstan), or leave it empty.",
                country=row.values["country"],
            )
        )
    levels = _levels(programme)
    level = (
        levels.get(name_key(row.values["level"]))
        if row.values["level"]
        else laureate_level(programme)
    )
    if level is None:
        row.errors.append(
            _l(
                "“%(level)s” is not a level of this programme: write one of %(levels)s.",
                level=row.values["level"],
                levels=", ".join(lv.id for lv in programme.levels) or laureate_level(programme),
            )
        )
    if not row.errors and year is not None and level is not None:
        row.entry = NewEntry(year, name, key, country or None, level)
    return row


def _year(text: str, row: Row) -> int | None:
    latest = utcnow().year
    if text.isdecimal() and text.isascii() and EARLIEST_YEAR <= int(text) <= latest:
        return int(text)
    row.errors.append(
        _l(
            "The year must be written with four digits, from %(earliest)s to %(latest)s.",
            earliest=str(EARLIEST_YEAR),
            latest=str(latest),
        )
    )
    return None


def mark_duplicates(reading: Reading, programme_id: str) -> None:
    """Mark the rows the register already holds, or that repeat an earlier row."""
    entries = [r.entry for r in reading.rows if r.entry is not None]
    known = existing_identities(programme_id, entries)
    for row in reading.rows:
        if row.entry is None:
            continue
        if row.entry.identity in known:
            row.duplicate = True
        known.add(row.entry.identity)
