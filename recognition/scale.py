"""A synthetic campaign for trying the secretariat's pages at scale:
``flask recognition demo --scale N`` loads N nominations, about N/20 reviewers, 3 reviews each.

Rows are bulk-inserted (10,000 nominations load in seconds), but along the workflows: each
object takes the state that a path of transitions from its initial state reaches, and gets
the history rows that create() and fire() would have written for that path.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .accounts.models import City, User, UserRole
from .extensions import db
from .nominations.models import Nomination
from .nominees.models import Nominee
from .programmes.models import Call
from .review.models import Assignment, Score
from .timeutil import utcnow
from .workflow.history import WorkflowEvent, history_rows
from .workflow.registry import definition_for, tagged
from .workflow.security import global_roles, roles_with_permission

COUNTRIES = (
    "AR", "BD", "BR", "CL", "CN", "CO", "DE", "EC", "EG", "ES", "ET", "FR", "GH", "ID",
    "IN", "IR", "IT", "JO", "JP", "KE", "KZ", "MA", "MX", "MZ", "NG", "NP", "PE", "PH",
    "PK", "RU", "SA", "SN", "TH", "TR", "TZ", "UA", "US", "VN", "ZA", "ZM",
)  # fmt: skip
#: How the synthetic nominations came to where they are, and how often.
NOMINATION_PATHS = (
    (("submit", "accept"), 0.70), (("submit", "accept", "shortlist"), 0.10),
    (("submit",), 0.10), (("submit", "return"), 0.05), ((), 0.05),
)  # fmt: skip
CALL_PATH = ("open", "close", "start_review")
CITY_PATH = ("verify",)
#: Each reviewer of a nomination under review accepted; most have submitted.
REVIEW_PATHS = ((("accept", "submit"), 0.7), (("accept",), 0.3))
CHUNK = 2000


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(model: type, rows: list[dict], size: int = CHUNK) -> None:
    for chunk in _chunks(rows, size):
        db.session.execute(sa.insert(model), chunk)


def _history(model: type, ids_and_paths: Iterable[tuple[int, tuple[str, ...]]], at) -> None:
    definition = definition_for(model)
    rows = [
        row for oid, path in ids_and_paths for row in history_rows(definition, oid, path, None, at)
    ]
    _insert(WorkflowEvent, rows, 5000)


def load_scale(n: int, programme_id: str = "role_model_city", seed: int = 2026) -> Call:
    """Load a call with ``n`` nominations, reviewers and scores; return the call."""
    rng = random.Random(seed)
    programme = current_app.extensions["programmes"][programme_id]
    now = utcnow()
    call = Call(
        programme_id=programme_id,
        title=f"Synthetic campaign of {n} nominations",
        cycle=str(now.year),
        opens_at=now - timedelta(days=120),
        closes_at=now - timedelta(days=30),
        review_deadline=now + timedelta(days=30),
        state=definition_for(Call).walk(CALL_PATH),
        announcement={},
    )
    db.session.add(call)
    db.session.flush()
    _history(Call, [(call.id, CALL_PATH)], now)
    # Names and e-mail addresses carry the call's id: loading twice adds a second campaign.
    tag = call.id

    cities = [
        {
            "name": f"Synthetic City {tag}-{i}",
            "country": rng.choice(COUNTRIES),
            "region": "",
            "state": definition_for(City).walk(CITY_PATH),
            "version": 1,
            "created_at": now,
        }
        for i in range(n)
    ]
    _insert(City, cities)
    city_ids = list(
        db.session.scalars(
            sa.select(City.id).where(City.name.like(f"Synthetic City {tag}-%")).order_by(City.id)
        )
    )
    _history(City, [(city_id, CITY_PATH) for city_id in city_ids], now)

    reviewer_count = max(3, n // 20)
    reviewers = [
        {
            "email": f"synthetic.reviewer.{tag}.{i}@example.org",
            "name": f"Reviewer {i}",
            "locale": "en",
            "timezone": "UTC",
            "active": True,
            "affiliations": "",
            "country": rng.choice(COUNTRIES),
            "created_at": now,
        }
        for i in range(reviewer_count)
    ]
    _insert(User, reviewers)
    reviewer_ids = list(
        db.session.scalars(sa.select(User.id).where(User.email.like(f"synthetic.reviewer.{tag}.%")))
    )
    roles = sorted(roles_with_permission("review") & global_roles())
    _insert(UserRole, [{"user_id": rid, "role": role} for rid in reviewer_ids for role in roles])

    _insert(
        Nominee,
        [
            {
                "kind": "city",
                "city_id": city_id,
                "names": {},
                "source_language": "en",
                "organisation_type": "",
                "contact_name": "",
                "contact_email": "",
                "key": "",
                "created_at": now,
            }
            for city_id in city_ids
        ],
    )
    nominee_of = dict(
        db.session.execute(
            sa.select(Nominee.city_id, Nominee.id).where(Nominee.city_id.in_(city_ids))
        ).all()
    )

    nomination_definition = definition_for(Nomination)
    paths = [path for path, _weight in NOMINATION_PATHS]
    weights = [weight for _path, weight in NOMINATION_PATHS]
    nominations, chosen = [], []
    for city_id in city_ids:
        path = rng.choices(paths, weights)[0]
        chosen.append(path)
        answers = {"population": str(rng.randrange(10_000, 5_000_000)), "hazards": ["flood"]}
        nominations.append(
            {
                "call_id": call.id,
                "city_id": city_id,
                "nominee_id": nominee_of[city_id],
                "language": rng.choice(("en", "fr", "es", "ar", "ru", "zh")),
                "answers": answers,
                "state": nomination_definition.walk(path),
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "submitted_at": now - timedelta(days=40) if path else None,
                "decision_comment": "",
                "areas_of_strength": [],
            }
        )
    _insert(Nomination, nominations)
    nomination_ids = list(
        db.session.scalars(
            sa.select(Nomination.id).where(Nomination.call_id == call.id).order_by(Nomination.id)
        )
    )
    # Inserted in city order, read back in id order: the same order.
    _history(Nomination, zip(nomination_ids, chosen, strict=True), now)
    in_review = list(
        db.session.scalars(
            sa.select(Nomination.id).where(
                Nomination.call_id == call.id, tagged(Nomination, "in_review")
            )
        )
    )

    review_definition = definition_for(Assignment)
    review_paths = [path for path, _weight in REVIEW_PATHS]
    review_weights = [weight for _path, weight in REVIEW_PATHS]
    assignments, assignment_paths = [], []
    load = 0
    for nomination_id in in_review:
        for offset in range(3):
            path = rng.choices(review_paths, review_weights)[0]
            state = review_definition.walk(path)
            submitted = "submit" in path
            assignment_paths.append(path)
            assignments.append(
                {
                    "nomination_id": nomination_id,
                    "reviewer_id": reviewer_ids[(load + offset) % len(reviewer_ids)],
                    "state": state,
                    "version": 1,
                    "conflict_reason": "",
                    "recommendation": "recommend" if submitted else "",
                    "comment_for_city": "",
                    "comment_confidential": "",
                    "assigned_at": now,
                    "submitted_at": now if submitted else None,
                }
            )
        load += 3
    _insert(Assignment, assignments)
    assignment_ids = db.session.scalars(
        sa.select(Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id)
        .order_by(Assignment.id)
    ).all()
    _history(Assignment, zip(assignment_ids, assignment_paths, strict=True), now)
    submitted_ids = db.session.scalars(
        sa.select(Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id, tagged(Assignment, "counted"))
    ).all()
    scores = [
        {"assignment_id": aid, "criterion": c.id, "value": rng.randint(c.min, c.max), "comment": ""}
        for aid in submitted_ids
        for c in programme.rubric.criteria
    ]
    _insert(Score, scores, 5000)
    db.session.commit()
    return call
