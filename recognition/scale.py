"""A synthetic campaign for trying the secretariat's pages at scale:
``flask recognition demo --scale N`` loads N nominations, about N/20 reviewers, 3 reviews each.

Rows are bulk-inserted directly in their states (as a database restore would), not walked
through the workflow one by one: it is test data, and 10,000 nominations load in seconds.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from .accounts.models import City, User, UserRole
from .extensions import db
from .nominations.models import Nomination
from .programmes.models import Call
from .review.models import Assignment, Score
from .timeutil import utcnow

COUNTRIES = (
    "AR", "BD", "BR", "CL", "CN", "CO", "DE", "EC", "EG", "ES", "ET", "FR", "GH", "ID",
    "IN", "IR", "IT", "JO", "JP", "KE", "KZ", "MA", "MX", "MZ", "NG", "NP", "PE", "PH",
    "PK", "RU", "SA", "SN", "TH", "TR", "TZ", "UA", "US", "VN", "ZA", "ZM",
)  # fmt: skip
STATES = (
    ("under_review", 0.70), ("shortlisted", 0.10), ("submitted", 0.10), ("returned", 0.05),
    ("draft", 0.05),
)  # fmt: skip
CHUNK = 2000


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load_scale(n: int, programme_id: str = "role_model_city", seed: int = 2026) -> Call:
    """Load a call with ``n`` nominations, reviewers and scores; return the call."""
    from flask import current_app

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
        state="reviewing",
        announcement={},
    )
    db.session.add(call)
    db.session.flush()
    # Names and e-mail addresses carry the call's id: loading twice adds a second campaign.
    tag = call.id

    cities = [
        {
            "name": f"Synthetic City {tag}-{i}",
            "country": rng.choice(COUNTRIES),
            "region": "",
            "state": "verified",
            "version": 1,
            "created_at": now,
        }
        for i in range(n)
    ]
    for chunk in _chunks(cities):
        db.session.execute(sa.insert(City), chunk)
    city_ids = list(
        db.session.scalars(
            sa.select(City.id).where(City.name.like(f"Synthetic City {tag}-%")).order_by(City.id)
        )
    )

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
    for chunk in _chunks(reviewers):
        db.session.execute(sa.insert(User), chunk)
    reviewer_ids = list(
        db.session.scalars(sa.select(User.id).where(User.email.like(f"synthetic.reviewer.{tag}.%")))
    )
    db.session.execute(
        sa.insert(UserRole), [{"user_id": rid, "role": "reviewer"} for rid in reviewer_ids]
    )

    states = [state for state, _weight in STATES]
    weights = [weight for _state, weight in STATES]
    nominations = []
    for city_id in city_ids:
        state = rng.choices(states, weights)[0]
        answers = {"population": str(rng.randrange(10_000, 5_000_000)), "hazards": ["flood"]}
        nominations.append(
            {
                "call_id": call.id,
                "city_id": city_id,
                "language": rng.choice(("en", "fr", "es", "ar", "ru", "zh")),
                "answers": answers,
                "state": state,
                "version": 1,
                "created_at": now,
                "updated_at": now,
                "submitted_at": None if state == "draft" else now - timedelta(days=40),
                "decision_comment": "",
                "areas_of_strength": [],
            }
        )
    for chunk in _chunks(nominations):
        db.session.execute(sa.insert(Nomination), chunk)
    in_review = list(
        db.session.scalars(
            sa.select(Nomination.id).where(
                Nomination.call_id == call.id,
                Nomination.state.in_(("under_review", "shortlisted")),
            )
        )
    )

    assignments = []
    load = 0
    for nomination_id in in_review:
        for offset in range(3):
            reviewer_id = reviewer_ids[(load + offset) % len(reviewer_ids)]
            submitted = rng.random() < 0.7
            assignments.append(
                {
                    "nomination_id": nomination_id,
                    "reviewer_id": reviewer_id,
                    "state": "submitted" if submitted else "accepted",
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
    for chunk in _chunks(assignments):
        db.session.execute(sa.insert(Assignment), chunk)
    submitted_ids = db.session.scalars(
        sa.select(Assignment.id)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(Nomination.call_id == call.id, Assignment.state == "submitted")
    ).all()
    scores = [
        {"assignment_id": aid, "criterion": c.id, "value": rng.randint(c.min, c.max), "comment": ""}
        for aid in submitted_ids
        for c in programme.rubric.criteria
    ]
    for chunk in _chunks(scores, 5000):
        db.session.execute(sa.insert(Score), chunk)
    db.session.commit()
    return call
