"""Exports of a call as CSV and XLSX: nominations with answers, scores, decisions, history.

Reviewers are identified only here, for the secretariat; nothing a city can reach links to
these files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, stream_with_context
from flask_login import login_required
from openpyxl import Workbook
from sqlalchemy.orm import aliased

from ..accounts.models import Membership, User
from ..extensions import db
from ..nominations.models import Nomination
from ..programmes.models import Call
from ..review.models import Assignment, Score
from ..workflow.history import WorkflowEvent
from ..workflow.security import require
from . import bp

KINDS = ("nominations", "scores", "history")


def nominations_rows(call: Call) -> Iterator[list[Any]]:
    programme = call.programme
    inputs = [
        name for name in programme.inputs if programme.inputs[name].kind not in ("file", "evidence")
    ]
    yield [
        "nomination_id",
        "nominee",
        "nominee_kind",
        "country",
        "nominated_by",
        "state",
        "language",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_comment",
        "areas_of_strength",
        "award_level",
        *inputs,
    ]
    decider = aliased(User)
    author = aliased(User)
    # Who nominated on the nominee's behalf, read for the whole call at once: the partner,
    # or the author unless a focal point of the nominated city.
    own_city = set(
        db.session.execute(
            sa.select(Membership.city_id, Membership.user_id)
            .join(Nomination, Nomination.city_id == Membership.city_id)
            .where(Nomination.call_id == call.id)
        ).all()
    )
    stmt = (
        sa.select(Nomination, decider.email, author.name)
        .outerjoin(author, author.id == Nomination.created_by_id)
        .outerjoin(decider, decider.id == Nomination.decided_by_id)
        .where(Nomination.call_id == call.id)
        .order_by(Nomination.id)
        .execution_options(yield_per=500)
    )
    for nomination, decided_by, author_name in db.session.execute(stmt):
        answers = nomination.answers or {}
        if nomination.partner is not None:
            nominator = str(nomination.partner.name(nomination.partner.source_language))
        elif (nomination.city_id, nomination.created_by_id) in own_city:
            nominator = ""
        else:
            nominator = author_name or ""
        yield [
            nomination.id,
            str(nomination.nominee.name(nomination.nominee.source_language)),
            nomination.nominee.kind,
            nomination.country or "",
            nominator,
            nomination.state,
            nomination.language,
            _iso(nomination.submitted_at),
            decided_by or "",
            _iso(nomination.decided_at),
            nomination.decision_comment,
            " ".join(map(str, nomination.areas_of_strength or [])),
            nomination.award_level or "",
            *(_cell(answers.get(name)) for name in inputs),
        ]


def scores_rows(call: Call) -> Iterator[list[Any]]:
    yield [
        "nomination_id",
        "nominee",
        "reviewer_name",
        "reviewer_email",
        "round",
        "assignment_state",
        "criterion",
        "score",
        "comment",
        "recommendation",
        "comment_for_city",
        "comment_confidential",
    ]
    stmt = (
        sa.select(Assignment, User, Nomination, Score)
        .join(User, User.id == Assignment.reviewer_id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .outerjoin(Score, Score.assignment_id == Assignment.id)
        .where(Nomination.call_id == call.id)
        .order_by(Assignment.nomination_id, Assignment.id, Score.criterion)
    )
    for assignment, reviewer, nomination, score in db.session.execute(stmt):
        yield [
            assignment.nomination_id,
            str(nomination.nominee.name(nomination.nominee.source_language)),
            reviewer.name,
            reviewer.email,
            assignment.round,
            assignment.state,
            score.criterion if score else "",
            score.value if score and score.value is not None else "",
            score.comment if score else "",
            assignment.recommendation,
            assignment.comment_for_city,
            assignment.comment_confidential,
        ]


def history_rows(call: Call) -> Iterator[list[Any]]:
    yield [
        "at",
        "object_type",
        "object_id",
        "transition",
        "from",
        "to",
        "actor",
        "comment",
        "override_reason",
        "data",
    ]
    nomination_ids = sa.select(Nomination.id).where(Nomination.call_id == call.id)
    assignment_ids = sa.select(Assignment.id).where(Assignment.nomination_id.in_(nomination_ids))
    stmt = (
        sa.select(WorkflowEvent, User.email)
        .outerjoin(User, User.id == WorkflowEvent.actor_id)
        .where(
            sa.or_(
                sa.and_(WorkflowEvent.object_type == "call", WorkflowEvent.object_id == call.id),
                sa.and_(
                    WorkflowEvent.object_type == "nomination",
                    WorkflowEvent.object_id.in_(nomination_ids),
                ),
                sa.and_(
                    WorkflowEvent.object_type == "assignment",
                    WorkflowEvent.object_id.in_(assignment_ids),
                ),
            )
        )
        .order_by(WorkflowEvent.id)
    )
    for event, email in db.session.execute(stmt):
        yield [
            _iso(event.at),
            event.object_type,
            event.object_id,
            event.transition,
            event.from_state,
            event.to_state,
            email or "",
            event.comment,
            (event.data or {}).get("override_reason", ""),
            json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
        ]


ROWS = {"nominations": nominations_rows, "scores": scores_rows, "history": history_rows}


def _iso(value) -> str:
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


@bp.get("/calls/<int:call_id>/export/<kind>.csv")
@login_required
def export_csv(call_id: int, kind: str):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    if kind not in ROWS:
        abort(404)

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")  # spreadsheet programs then read UTF-8
        for row in ROWS[kind](call):
            writer.writerow([_safe(v) for v in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    filename = f"call-{call.id}-{kind}.csv"
    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/calls/<int:call_id>/export.xlsx")
@login_required
def export_xlsx(call_id: int):
    call = db.get_or_404(Call, call_id)
    require("manage", call)
    workbook = Workbook(write_only=True)
    for kind in KINDS:
        sheet = workbook.create_sheet(kind)
        for row in ROWS[kind](call):
            sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="call-{call.id}.xlsx"'},
    )
