"""Exports of a call as CSV and XLSX: nominations with answers, scores, decisions, history.

Reviewers are identified only here, for the secretariat; nothing a city can reach links to
these files.

An export reads a call of any size in flat memory: plain columns from one query per kind,
fetched in batches of ``BATCH`` rows (a server-side cursor on PostgreSQL), the few labels
that are not in those rows (partners' names) read once into a small dict, each batch written
out before the next is read. It reads on a connection of its own, in one read-only snapshot,
which ends with the download however the download ends; the request's session lets its
connection go before the first byte is sent, so that nothing stays idle in a transaction.

The CSV files stream as they are read (seconds at 10,000 nominations). The workbook takes
openpyxl far longer than a web worker may take to answer, so it is prepared in the
background and downloaded when ready (workbooks.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy.orm import aliased

from ..accounts.models import City, Membership, User
from ..audit.records import call_members
from ..extensions import db
from ..i18n import current_language
from ..localized import pick
from ..nominations.models import Nomination
from ..nominees.models import Nominee
from ..partners.models import Partner
from ..programmes.models import Call
from ..review.models import Assignment, Score
from ..workflow.history import WorkflowEvent
from ..workflow.security import require
from . import bp, workbooks

KINDS = ("nominations", "scores", "history")
#: Rows fetched from the database, and written out, at a time: 200 nominations with long
#: answers are a few MiB in memory (1,000 were some 50 MiB), and the cost per batch is small.
BATCH = 200
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Batch = Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Subject:
    """What an export needs to know of its call, read in the request (the export may run
    after it, in another thread): the id, the form's inputs that are columns, and the
    reader's language, which names a nominee whose own language is not recorded."""

    call_id: int
    inputs: tuple[str, ...]
    language: str

    @classmethod
    def of(cls, call: Call) -> Subject:
        programme = call.programme
        return cls(
            call.id,
            tuple(
                name
                for name, spec in programme.inputs.items()
                if spec.kind not in ("file", "evidence")
            ),
            current_language(),
        )


@contextmanager
def snapshot() -> Iterator[sa.Connection]:
    """A connection of the export's own, in one read-only transaction: on PostgreSQL a
    repeatable-read snapshot, so that the sheets of a workbook agree with each other.
    Closed, and its transaction ended, when the block ends, by an error or a client that
    went away (the generator closed) included."""
    engine = db.engine
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def _batches(conn: sa.Connection, stmt: sa.Select) -> Iterator[Batch]:
    """The statement's rows, ``BATCH`` at a time, streamed from the database."""
    result = conn.execute(stmt.execution_options(yield_per=BATCH))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _name(names: dict[str, str] | None, source: str, subject: Subject) -> str:
    """A name in its own language, as ``Nominee.name(source_language)`` gives it."""
    return str(pick(names, source, source or subject.language))


#: Each kind's columns, as the first row of its file says them.
COLUMNS = {
    "nominations": (
        "nomination_id", "nominee", "nominee_kind", "country", "nominated_by", "state",
        "language", "submitted_at", "decided_by", "decided_at", "decision_comment",
        "areas_of_strength", "award_level",
    ),
    "scores": (
        "nomination_id", "nominee", "reviewer_name", "reviewer_email", "round",
        "assignment_state", "criterion", "score", "comment", "recommendation",
        "comment_for_city", "comment_confidential",
    ),
    "history": (
        "at", "object_type", "object_id", "transition", "from", "to", "actor", "comment",
        "override_reason", "data", "definition_hash", "prev_hash", "hash",
    ),
}  # fmt: skip


def _nominee_columns() -> tuple[sa.ColumnElement, ...]:
    """What names a nominee: its city's name, else its names and its own language."""
    return (
        Nominee.city_id.label("nominee_city_id"),
        City.name.label("city_name"),
        Nominee.names.label("nominee_names"),
        Nominee.source_language.label("nominee_language"),
    )


def _nominee_name(row: sa.Row, subject: Subject) -> str:
    """The nominee's name, as ``Nominee.name(source_language)`` gives it."""
    if row.nominee_city_id is not None:
        return row.city_name or ""
    return _name(row.nominee_names, row.nominee_language, subject)


def nominations_rows(conn: sa.Connection, subject: Subject) -> Iterator[Batch]:
    """The header, then a row per nomination: nominee, state, decision and answers."""
    inputs = subject.inputs
    yield [[*COLUMNS["nominations"], *inputs]]
    of_call = sa.select(Nomination.partner_id).where(Nomination.call_id == subject.call_id)
    partners = {
        partner_id: _name(names, source, subject)
        for partner_id, names, source in conn.execute(
            sa.select(Partner.id, Partner.names, Partner.source_language).where(
                Partner.id.in_(of_call)
            )
        )
    }
    decider = aliased(User)
    author = aliased(User)
    # Whether the author acts for the nominated city (a focal point): then the city
    # nominated itself and "nominated_by" stays empty.
    own_city = sa.exists().where(
        Membership.city_id == Nomination.city_id,
        Membership.user_id == Nomination.created_by_id,
    )
    stmt = (
        sa.select(
            Nomination.id,
            Nomination.partner_id,
            Nomination.state,
            Nomination.language,
            Nomination.submitted_at,
            Nomination.decided_at,
            Nomination.decision_comment,
            Nomination.areas_of_strength,
            Nomination.award_level,
            Nomination.answers,
            *_nominee_columns(),
            City.country.label("city_country"),
            Nominee.kind.label("nominee_kind"),
            Nominee.country.label("nominee_country"),
            own_city.label("own_city"),
            author.name.label("author_name"),
            decider.email.label("decider_email"),
        )
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .outerjoin(author, author.id == Nomination.created_by_id)
        .outerjoin(decider, decider.id == Nomination.decided_by_id)
        .where(Nomination.call_id == subject.call_id)
        .order_by(Nomination.id)
    )
    for batch in _batches(conn, stmt):
        rows = []
        for r in batch:
            if r.partner_id is not None:
                nominator = partners.get(r.partner_id, "")
            else:
                nominator = "" if r.own_city else (r.author_name or "")
            answers = r.answers or {}
            country = r.city_country if r.nominee_city_id is not None else r.nominee_country
            rows.append(
                [
                    r.id,
                    _nominee_name(r, subject),
                    r.nominee_kind,
                    country or "",
                    nominator,
                    r.state,
                    r.language,
                    _iso(r.submitted_at),
                    r.decider_email or "",
                    _iso(r.decided_at),
                    r.decision_comment,
                    " ".join(map(str, r.areas_of_strength or [])),
                    r.award_level or "",
                    *(_cell(answers.get(name)) for name in inputs),
                ]
            )
        yield rows


def scores_rows(conn: sa.Connection, subject: Subject) -> Iterator[Batch]:
    """The header, then a row per score (one per review without scores): who reviewed,
    the round, the review's state, the score and the review's comments."""
    yield [COLUMNS["scores"]]
    stmt = (
        sa.select(
            Assignment.nomination_id,
            *_nominee_columns(),
            User.name.label("reviewer_name"),
            User.email.label("reviewer_email"),
            Assignment.round,
            Assignment.state,
            Score.id.label("score_id"),
            Score.criterion,
            Score.value,
            Score.comment,
            Assignment.recommendation,
            Assignment.comment_for_city,
            Assignment.comment_confidential,
        )
        .join(User, User.id == Assignment.reviewer_id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .join(Nominee, Nominee.id == Nomination.nominee_id)
        .outerjoin(City, City.id == Nominee.city_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Nomination.call_id == subject.call_id)
        .order_by(Assignment.nomination_id, Assignment.id, Score.criterion)
    )
    for batch in _batches(conn, stmt):
        yield [
            [
                r.nomination_id,
                _nominee_name(r, subject),
                r.reviewer_name,
                r.reviewer_email,
                r.round,
                r.state,
                r.criterion if r.score_id is not None else "",
                r.value if r.value is not None else "",
                r.comment if r.score_id is not None else "",
                r.recommendation,
                r.comment_for_city,
                r.comment_confidential,
            ]
            for r in batch
        ]


def history_rows(conn: sa.Connection, subject: Subject) -> Iterator[Batch]:
    """The header, then every history event of the call, its nominations and their
    reviews, oldest first."""
    yield [COLUMNS["history"]]
    event = WorkflowEvent
    stmt = (
        sa.select(
            event.at,
            event.object_type,
            event.object_id,
            event.transition,
            event.from_state,
            event.to_state,
            User.email,
            event.comment,
            event.data,
            event.definition_hash,
            event.prev_hash,
            event.hash,
        )
        .outerjoin(User, User.id == event.actor_id)
        .where(call_members(subject.call_id))
        .order_by(event.id)
    )
    for batch in _batches(conn, stmt):
        yield [
            [
                _iso(r.at),
                r.object_type,
                r.object_id,
                r.transition,
                r.from_state,
                r.to_state,
                r.email or "",
                r.comment,
                (r.data or {}).get("override_reason", ""),
                json.dumps(r.data, ensure_ascii=False, sort_keys=True) if r.data else "",
                r.definition_hash or "",
                r.prev_hash or "",
                r.hash or "",
            ]
            for r in batch
        ]


ROWS = {"nominations": nominations_rows, "scores": scores_rows, "history": history_rows}


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") + "Z" if value else ""


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return "" if value is None else value


def _safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas typed by users (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_chunks(kind: str, subject: Subject) -> Iterator[bytes]:
    """The CSV file of one kind, a batch of rows per chunk, in UTF-8 with a byte order
    mark (spreadsheet programs then read UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    with snapshot() as conn:
        for batch in ROWS[kind](conn, subject):
            writer.writerows([_safe(v) for v in row] for row in batch)
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()


def json_chunks(kind: str, subject: Subject) -> Iterator[bytes]:
    """The export of one kind as a JSON document, ``{"columns": [...], "items": [{column:
    value}, ...]}``, a batch of rows per chunk (the API's export)."""
    with snapshot() as conn:
        batches = ROWS[kind](conn, subject)
        columns = list(next(batches)[0])
        yield b'{"columns":' + json.dumps(columns).encode() + b',"items":['
        separator = b""
        for batch in batches:
            rows = [json.dumps(dict(zip(columns, row, strict=True)), default=str) for row in batch]
            if rows:
                yield separator + ",".join(rows).encode()
                separator = b","
        yield b"]}"


def write_workbook(subject: Subject, target: IO[bytes]) -> None:
    """Write the call's workbook, a sheet per kind, to ``target``. openpyxl's write-only
    mode keeps each sheet in a temporary file as it is written, not in memory."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    with snapshot() as conn:
        for kind in KINDS:
            sheet = workbook.create_sheet(kind)
            for batch in ROWS[kind](conn, subject):
                for row in batch:
                    sheet.append([_safe(v) for v in row])
    workbook.save(target)


def _managed_call(call_id: int) -> Call:
    """The call, for someone who may manage it (404, 403)."""
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    return call


@bp.get("/calls/<int:call_id>/export/<kind>.csv")
@login_required
def export_csv(call_id: int, kind: str):
    """One CSV export of the call, streamed as it is read."""
    subject = Subject.of(_managed_call(call_id))
    # The request's session lets its connection go: the export reads on its own.
    db.session.close()
    if kind not in ROWS:
        abort(404)
    filename = f"call-{call_id}-{kind}.csv"
    return Response(
        stream_with_context(csv_chunks(kind, subject)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/calls/<int:call_id>/workbook", methods=["GET", "POST"])
@login_required
def export_xlsx(call_id: int):
    """The call's workbook: being prepared, ready to download, or to be asked for (POST:
    ask for it, unless it is being prepared already)."""
    call = _managed_call(call_id)
    asked = workbooks.latest(call.id)
    if request.method == "POST":
        if asked is None or not asked.in_progress():
            subject = Subject.of(call)
            workbook = workbooks.ask(call.id, current_user.id)
            db.session.commit()
            workbooks.start(workbook.id, subject, write_workbook)
        return redirect(url_for(".export_xlsx", call_id=call_id))
    return render_template(
        "secretariat/workbook.html",
        call=call,
        asked=asked,
        preparing=asked is not None and asked.in_progress(),
        lost=asked is not None and not asked.ready() and not asked.in_progress(),
        ready=workbooks.newest_ready(call.id),
    )


@bp.get("/calls/<int:call_id>/export.xlsx")
@login_required
def export_xlsx_link(call_id: int):
    """The workbook's former address: its page now."""
    _managed_call(call_id)
    return redirect(url_for(".export_xlsx", call_id=call_id))


@bp.get("/calls/<int:call_id>/workbook/<int:workbook_id>.xlsx")
@login_required
def download_xlsx(call_id: int, workbook_id: int):
    """A finished workbook of the call, streamed from the database a part at a time."""
    _managed_call(call_id)
    workbook = db.session.get(workbooks.PreparedWorkbook, workbook_id)
    if workbook is None or workbook.call_id != call_id or not workbook.ready():
        abort(404)
    size = workbook.size
    db.session.close()
    response = Response(
        stream_with_context(workbooks.parts(workbook_id)),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="call-{call_id}.xlsx"'},
    )
    response.content_length = size
    return response
