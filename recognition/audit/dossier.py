"""A nomination's decision dossier: everything its decision rests on, in one JSON document
(and a PDF that carries it), checkable offline with ``python -m recognition.audit.offline``.

It holds the answers and evidence fingerprints of every submission, every review with its
scores and comments, the aggregation per round (with the weights, so that the totals can be
recomputed), the decision, the history of the nomination and of its reviews with their
hashes, and, once the call is announced, the proofs that these chains are leaves of the
call's published head. Its facts are checked against the hashed history: a submission
against the fingerprint its ``submit`` row recorded, a review against its ``submit`` row, the
decision against its row. Editing any of them, or any row, fails the check.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..nominations.models import Nomination
from ..nominations.operations import snapshots
from ..review.aggregation import aggregate_nomination
from ..review.models import Assignment
from ..timeutil import utcnow
from ..workflow.chain import canonical, chained_content, moment, review_digest, sha256
from ..workflow.history import WorkflowEvent
from ..workflow.registry import definition_for, has_tag
from .records import proofs

#: Says what a dossier holds and how it is checked.
DOSSIER_FORMAT = "recognition-dossier/1"


def _day(value) -> str | None:
    return moment(value) if value is not None else None


def _review(assignment: Assignment) -> dict[str, Any]:
    scores = sorted(assignment.scores, key=lambda s: s.criterion)
    return {
        "object_type": definition_for(Assignment).applies_to,
        "assignment": assignment.id,
        "round": assignment.round,
        "reviewed_by": {"id": assignment.reviewer_id, "name": assignment.reviewer.name},
        "state": assignment.state,
        "counted": has_tag(assignment, "counted"),
        "submitted_at": _day(assignment.submitted_at),
        "scores": [
            {"criterion": s.criterion, "value": s.value, "comment": s.comment or ""} for s in scores
        ],
        "recommendation": assignment.recommendation or "",
        "comment_for_city": assignment.comment_for_city or "",
        "comment_confidential": assignment.comment_confidential or "",
        "digest": review_digest(
            [(s.criterion, s.value, s.comment) for s in scores],
            assignment.recommendation,
            assignment.comment_for_city,
            assignment.comment_confidential,
        ),
    }


def _aggregation(nomination: Nomination) -> list[dict[str, Any]]:
    found = []
    for round_ in nomination.programme.rounds:
        result = aggregate_nomination(nomination, round_.id)
        if result is None:
            continue
        found.append(
            {
                "round": round_.id,
                "weights": {c.id: c.weight for c in round_.rubric.criteria},
                "reviews": result.reviews,
                "criteria": {
                    cid: {
                        "mean": c.mean,
                        "median": c.median,
                        "spread": c.spread,
                        "normalised_mean": c.normalised_mean,
                    }
                    for cid, c in sorted(result.criteria.items())
                },
                "weighted_total": result.weighted_total,
                "normalised_total": result.normalised_total,
                "strengths": result.strengths,
                "qualifies": result.qualifies,
            }
        )
    return found


def _history(nomination: Nomination, assignments: list[Assignment]) -> list[dict[str, Any]]:
    nomination_type = definition_for(Nomination).applies_to
    assignment_type = definition_for(Assignment).applies_to
    rows = db.session.scalars(
        sa.select(WorkflowEvent)
        .where(
            sa.or_(
                sa.and_(
                    WorkflowEvent.object_type == nomination_type,
                    WorkflowEvent.object_id == nomination.id,
                ),
                sa.and_(
                    WorkflowEvent.object_type == assignment_type,
                    WorkflowEvent.object_id.in_([a.id for a in assignments]),
                ),
            )
        )
        .order_by(WorkflowEvent.object_type, WorkflowEvent.object_id, WorkflowEvent.id)
    )
    found = []
    for row in rows:
        values = {c.key: getattr(row, c.key) for c in WorkflowEvent.__table__.columns}
        found.append({"id": row.id, **chained_content(values), "hash": row.hash})
    return found


def _decision_row(nomination: Nomination, history: list[dict[str, Any]]) -> int | None:
    """The history row of the decision: the last move from an undecided state to an
    outcome (by the workflow's tags)."""
    definition = definition_for(Nomination)
    undecided = {s.id for s in definition.states.values() if "undecided" in s.tags}
    outcomes = {s.id for s in definition.states.values() if "outcome" in s.tags}
    found = None
    for row in history:
        if (
            row["object_type"] == definition.applies_to
            and row["from_state"] in undecided
            and row["to_state"] in outcomes
        ):
            found = row["id"]
    return found


def build(nomination: Nomination) -> dict[str, Any]:
    """The dossier of one nomination, as a JSON-ready mapping with its own digest."""
    assignments = list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.nomination_id == nomination.id)
            .order_by(Assignment.id)
        ).unique()
    )
    call = nomination.call
    history = _history(nomination, assignments)
    objects = sorted({(row["object_type"], row["object_id"]) for row in history})
    dossier = {
        "format": DOSSIER_FORMAT,
        "exported_at": moment(utcnow()),
        "nomination": {
            "object_type": definition_for(Nomination).applies_to,
            "id": nomination.id,
            "name": str(nomination.nominee_name(nomination.language)),
            "country": nomination.country,
            "language": nomination.language,
            "state": nomination.state,
            "call": {"id": call.id, "title": str(call.text("title")), "cycle": call.cycle},
            "programme": call.programme_id,
        },
        "submissions": [
            {
                "number": snap.number,
                "at": _day(snap.created_at),
                "answers": snap.answers,
                "files": snap.files,
            }
            for snap in snapshots(nomination)
        ],
        "reviews": [_review(a) for a in assignments],
        "aggregation": _aggregation(nomination),
        "decision": {
            "state": nomination.state,
            "award_level": nomination.award_level,
            "areas_of_strength": list(nomination.areas_of_strength or []),
            "comment": nomination.decision_comment or "",
            "decided_at": _day(nomination.decided_at),
            "decided_by": nomination.decided_by.name if nomination.decided_by else None,
            "row": _decision_row(nomination, history),
        },
        "history": history,
        "call_record": proofs(call.id, objects),
    }
    dossier["digest"] = digest(dossier)
    return dossier


def digest(dossier: dict[str, Any]) -> str:
    """The dossier's own fingerprint: over everything in it but this value."""
    return sha256(canonical({k: v for k, v in dossier.items() if k != "digest"}))


def to_json(dossier: dict[str, Any]) -> bytes:
    """The dossier as UTF-8 JSON, indented to be read."""
    return json.dumps(dossier, ensure_ascii=False, indent=2, sort_keys=True).encode()
