"""Demo data for the review rounds: last cycle's Sasakawa Award call in its second round.

Twelve nominees (organisations, a person, cities' agencies) went through the technical
evaluation; the best ten were taken to the longlist through the engine (the round's places
checked as in the browser); some longlist reviews are in and the panel has started its
discussion; the jury of the third round is named. Loading twice changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..extensions import db
from ..nominations.models import Nomination
from ..nominees.models import Nominee, name_key
from ..programmes.models import Call
from ..programmes.operations import apply_texts
from ..scale import CALL_PATH
from ..timeutil import utcnow
from ..workflow.engine import fire
from ..workflow.history import history_rows, insert_history
from ..workflow.registry import definition_for
from .aggregation import aggregate_call
from .models import Assignment, Juror, Post, Score

PROGRAMME = "sasakawa_award"
CYCLE = "2026"
TEXTS = {
    "en": {"title": "UN Sasakawa Award 2026", "theme": "Early warning for all"},
    "fr": {"title": "Prix Sasakawa des Nations Unies 2026", "theme": "Alerte précoce pour tous"},
    "es": {
        "title": "Premio Sasakawa de las Naciones Unidas 2026",
        "theme": "Alerta temprana para todos",
    },
}
#: (name, kind, organisation type, country, language) of the nominees.
NOMINEES = [
    ("Barangay Disaster Volunteers of Tacloban", "organisation", "community_group", "PH", "en"),
    ("Red Comunitaria de Alerta del Río Piura", "organisation", "community_group", "PE", "es"),
    ("Association Sénégalaise de Prévention des Inondations", "organisation", "ngo", "SN", "fr"),
    ("جمعية الحد من مخاطر السيول", "organisation", "ngo", "JO", "ar"),
    (
        "Алматинский центр сейсмической безопасности",
        "organisation",
        "government_agency",
        "KZ",
        "ru",
    ),
    ("成都社区应急志愿者协会", "organisation", "community_group", "CN", "zh"),
    ("Fatima Rahman", "person", "", "BD", "en"),
    ("Kenya Flood Early Warning Trust", "organisation", "ngo", "KE", "en"),
    ("Cooperativa Tierra Segura", "organisation", "business", "EC", "es"),
    ("Institut Haïtien de Résilience", "organisation", "academic", "HT", "fr"),
    ("Mozambique Cyclone Preparedness Network", "organisation", "community_group", "MZ", "en"),
    ("Nepal School Safety Alliance", "organisation", "ngo", "NP", "en"),
]
NOMINATION_PATH = ("submit", "accept")
REVIEW_PATH = ("accept", "submit")
DISCUSSION = (
    "The early-warning results are convincing; I am less sure the volunteer network lasts "
    "without the project's funding. Reviewer B, did you see evidence of municipal support?"
)


def _history(model, ids_and_paths, at) -> None:
    definition = definition_for(model)
    rows = [r for oid, path in ids_and_paths for r in history_rows(definition, oid, path, None, at)]
    insert_history(rows)


def _scored(assignment: Assignment, rng: random.Random, base: int) -> None:
    """Scores for every criterion of the assignment's round, around ``base``."""
    rubric = assignment.nomination.programme.round(assignment.round).rubric
    for criterion in rubric.criteria:
        value = max(criterion.min, min(criterion.max, base + rng.randint(-2, 2)))
        assignment.scores.append(Score(criterion=criterion.id, value=value, comment=""))
    assignment.recommendation = "recommend" if base >= 6 else "reservations"


def load_demo_rounds(officer: User | None, reviewers: list[User]) -> Call | None:
    """Last cycle's Sasakawa call, in its longlist round (once)."""
    if PROGRAMME not in current_app.extensions["programmes"] or len(reviewers) < 4:
        return None
    if db.session.scalar(
        sa.select(Call.id).where(Call.programme_id == PROGRAMME, Call.cycle == CYCLE).limit(1)
    ):
        return None
    rng = random.Random(2026)
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    call = Call(
        programme_id=PROGRAMME,
        cycle=CYCLE,
        opens_at=now - timedelta(days=150),
        closes_at=now - timedelta(days=60),
        review_deadline=now + timedelta(days=21),
        announcement_at=now + timedelta(days=45),
        announcement={},
        state=definition_for(Call).walk(CALL_PATH),
        reviewers_per_nomination=3,
    )
    apply_texts(call, "en", TEXTS)
    db.session.add(call)
    db.session.flush()
    _history(Call, [(call.id, CALL_PATH)], now - timedelta(days=59))

    nominations = []
    for index, (name, kind, organisation_type, country, language) in enumerate(NOMINEES):
        nominee = Nominee(
            kind=kind,
            names={language: name},
            source_language=language,
            organisation_type=organisation_type,
            country=country,
            key=name_key(name)[:200],
        )
        nomination = Nomination(
            call=call,
            nominee=nominee,
            language=language,
            answers={
                "nominee_type": "individual" if kind == "person" else "community_group",
                "work_country": country,
                "active_since": 2010 + index % 10,
                "work_summary": f"{name}: early warning reaching every household.",
            },
            state=definition_for(Nomination).walk(NOMINATION_PATH),
            submitted_at=now - timedelta(days=70),
            created_by_id=officer.id if officer else None,
        )
        db.session.add(nomination)
        nominations.append(nomination)
    db.session.flush()
    _history(Nomination, [(n.id, NOMINATION_PATH) for n in nominations], now - timedelta(days=55))

    # The technical evaluation: three reviewers each, every review in.
    technical = []
    for index, nomination in enumerate(nominations):
        base = 9 - index % 7
        for offset in range(3):
            assignment = Assignment(
                nomination=nomination,
                reviewer=reviewers[(index + offset) % len(reviewers)],
                state=definition_for(Assignment).walk(REVIEW_PATH),
                round="review",
                assigned_by_id=officer.id if officer else None,
                submitted_at=now - timedelta(days=20),
            )
            _scored(assignment, rng, base)
            db.session.add(assignment)
            technical.append(assignment)
    db.session.flush()
    _history(Assignment, [(a.id, REVIEW_PATH) for a in technical], now - timedelta(days=20))

    # The best ten go to the longlist, through the engine (its places checked).
    results = aggregate_call(call, "review")
    ranked = sorted(
        nominations, key=lambda n: -(results[n.id].weighted_total or 0) if n.id in results else 0
    )
    for nomination in ranked[:10]:
        fire(
            nomination, "longlist", officer, "Demo data: among the ten best of the technical round."
        )

    # The longlist's reviews: two reviewers each on four nominations, half of them in.
    for index, nomination in enumerate(ranked[:4]):
        for offset in range(2):
            submitted = offset == 0
            path = REVIEW_PATH if submitted else ("accept",)
            assignment = Assignment(
                nomination=nomination,
                reviewer=reviewers[(index + offset + 1) % len(reviewers)],
                state=definition_for(Assignment).walk(path),
                round="longlist",
                assigned_by_id=officer.id if officer else None,
                submitted_at=now - timedelta(days=2) if submitted else None,
            )
            if submitted:
                _scored(assignment, rng, 8 - index)
            db.session.add(assignment)
            db.session.flush()
            _history(Assignment, [(assignment.id, path)], now - timedelta(days=3))
            if submitted and index == 0:
                db.session.add(
                    Post(
                        nomination_id=nomination.id,
                        round="longlist",
                        author_id=assignment.reviewer_id,
                        body=DISCUSSION,
                    )
                )
    for juror in reviewers[2:4]:
        db.session.add(Juror(call_id=call.id, round="jury", user_id=juror.id))
    db.session.flush()
    return call
