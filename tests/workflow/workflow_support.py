"""Worlds for the workflow tests: objects in any state with their guards satisfied, users
holding exactly one role on them, and ways to make each guard predicate fail.

The tables are read from workflows/*.yaml at import time, so that parametrized tests follow
the definitions: a new state, role or transition is tested without touching the tests.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import factories
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.partners.models import PartnerMember
from recognition.timeutil import utcnow
from recognition.workflow.definition import WorkflowDefinition, load_definition
from recognition.workflow.history import WorkflowEvent

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / "workflows"

DEFINITIONS: dict[str, WorkflowDefinition] = {
    name: load_definition(WORKFLOWS / f"{name}.yaml")
    for name in ("nomination", "review", "call", "city", "partner")
}

#: Each kind of user the tests build, per workflow: one role on the object, nothing more.
ROLES: dict[str, tuple[str, ...]] = {
    "nomination": (
        "owner",
        "nominator",
        "assigned_reviewer",
        "reviewer",
        "secretariat",
        "admin",
        "anonymous",
        "authenticated",
    ),
    "review": ("assignee", "reviewer", "secretariat", "admin", "anonymous", "authenticated"),
    "call": ("focal_point", "reviewer", "secretariat", "admin", "anonymous", "authenticated"),
    "city": ("member", "reviewer", "secretariat", "admin", "anonymous", "authenticated"),
    "partner": ("member", "reviewer", "secretariat", "admin", "anonymous", "authenticated"),
}

_SIGNED_IN = frozenset({"anonymous", "authenticated"})

#: What roles_for() answers for each kind of user: the built-in roles come with every
#: signed-in user, and reviewers hold their global role beside a local one.
EFFECTIVE_ROLES: dict[str, frozenset[str]] = {
    "anonymous": frozenset({"anonymous"}),
    "authenticated": _SIGNED_IN,
    "reviewer": _SIGNED_IN | {"reviewer"},
    "secretariat": _SIGNED_IN | {"secretariat"},
    "admin": _SIGNED_IN | {"admin"},
    # A focal point of the nominated city; a nominator on its behalf (an author too).
    "owner": _SIGNED_IN | {"owner", "nominee"},
    "nominator": _SIGNED_IN | {"owner", "nominator"},
    "assigned_reviewer": _SIGNED_IN | {"reviewer", "assigned_reviewer"},
    "assignee": _SIGNED_IN | {"reviewer", "assignee"},
    # A verified city's focal point may nominate it (the call's nominator) too.
    "focal_point": _SIGNED_IN | {"focal_point", "nominator"},
    "member": _SIGNED_IN | {"member"},
}

#: A complete Sasakawa Award nomination (plus its nomination letter, attached below).
COMPLETE_ANSWERS = factories.COMPLETE_SASAKAWA_ANSWERS


def allowed(
    definition: WorkflowDefinition, transition: str, role: str, source: str | None = None
) -> bool:
    """Whether a user of this kind passes the transition's guard: any of its roles, and its
    permission in ``source`` (in some source state when None)."""
    guard = definition.transitions[transition].guard
    roles = EFFECTIVE_ROLES[role]
    if guard.roles and roles.isdisjoint(guard.roles):
        return False
    if not guard.permission:
        return True
    sources = [source] if source else definition.transitions[transition].sources
    return any(
        not roles.isdisjoint(definition.states[s].roles_with(guard.permission)) for s in sources
    )


#: What the user decides with a transition, where its rules need it (a Sasakawa nomination
#: is recognised at a level).
DATA: dict[tuple[str, str], dict[str, Any]] = {("nomination", "recognise"): {"level": "merit"}}


# -- objects ---------------------------------------------------------------------------------


def make_open_call(**fields):
    """An open Sasakawa Award call: nominations open now, reviews due in two months."""
    fields.setdefault("programme_id", "sasakawa_award")
    fields.setdefault("state", "open")
    fields.setdefault("announcement", {"en": "The recognised cities of 2026."})
    return factories.make_call(**fields)


#: States of a recognition's life whose time-driven transitions need dates and a renewal.
LIVING = ("announced", "expiring", "expired")


def _lived(nomination) -> None:
    """A recognition whose last day has passed and whose renewal is announced: every rule of
    its life (expiring soon, expired, renewed) holds."""
    today = utcnow().date()
    nomination.valid_from = today - timedelta(days=3 * 365)
    nomination.valid_until = today - timedelta(days=2)
    renewal = factories.make_nomination(
        call=factories.make_call(programme_id=nomination.call.programme_id, state="announced"),
        city=nomination.city,
        state="announced",
    )
    renewal.renews_id = nomination.id
    db.session.flush()


def make_nomination(state: str, *, reviewed: bool = True, **fields):
    """A nomination in ``state`` that every guard of nomination.yaml lets through.

    ``reviewed`` adds one submitted review, so that the decision guard passes.
    """
    nomination = factories.make_ready_nomination(state, **fields)
    if state in LIVING:
        _lived(nomination)
    if reviewed:
        factories.make_assignment(
            nomination, factories.make_reviewer(password=None), state="submitted"
        )
    db.session.flush()
    return nomination


def make_assignment(state: str, *, reviewer=None, nomination=None):
    """An assignment in ``state`` on a nomination under review, complete and in time."""
    from recognition.review.models import Score

    nomination = nomination or make_nomination("under_review", reviewed=False)
    assignment = factories.make_assignment(
        nomination,
        reviewer or factories.make_reviewer(password=None),
        state=state,
        submitted_at=utcnow(),
        conflict_reason="Worked for the nominee",
        recommendation="recognise",
    )
    for criterion in nomination.programme.rubric.criteria:
        db.session.add(Score(assignment=assignment, criterion=criterion.id, value=criterion.max))
    db.session.flush()
    return assignment


def make_object(workflow: str, state: str):
    """An object of ``workflow`` in ``state``, with every guard predicate satisfied."""
    if workflow == "nomination":
        return make_nomination(state)
    if workflow == "review":
        return make_assignment(state)
    if workflow == "call":
        return make_open_call(state=state)
    if workflow == "city":
        return factories.make_city(state=state)
    if workflow == "partner":
        return factories.make_partner(state=state)
    raise KeyError(workflow)


# -- users -----------------------------------------------------------------------------------


def make_user_with_role(workflow: str, role: str, obj: Any):
    """A user who holds ``role`` on ``obj`` and no other role of the workflow."""
    if role == "anonymous":
        return AnonymousUserMixin()
    if role == "authenticated":
        return factories.make_user(password=None)
    if role in ("reviewer", "secretariat", "admin"):
        return factories.make_user(roles=(role,), password=None)
    if role == "owner":
        return factories.make_focal_point(city=obj.city, password=None)
    if role == "nominator":
        user = factories.make_user(password=None)
        obj.created_by_id = user.id
        obj.consented_at = utcnow()  # the city accepted its nomination
        db.session.flush()
        return user
    if role == "assigned_reviewer":
        reviewer = factories.make_reviewer(password=None)
        factories.make_assignment(obj, reviewer, state="accepted")
        return reviewer
    if role == "assignee":
        return obj.reviewer
    if role == "focal_point":
        return factories.make_focal_point(password=None)
    if role == "member" and workflow == "partner":
        user = factories.make_user(password=None)
        db.session.add(PartnerMember(partner=obj, user=user, role="deputy"))
        db.session.flush()
        return user
    if role == "member":
        return factories.make_focal_point(city=obj, password=None)
    raise KeyError((workflow, role))


# -- guards made to fail ---------------------------------------------------------------------


def _close_call(call) -> None:
    now = utcnow()
    call.opens_at = now - timedelta(days=40)
    call.closes_at = now - timedelta(days=1)


def _unset_dates(call) -> None:
    # The database refuses such a call (closes_after_opening): this one is never flushed.
    call.closes_at = call.opens_at


def _withdraw(nomination) -> None:
    nomination.state = "withdrawn"
    db.session.flush()


def _renewal_of(nomination):
    return db.session.scalar(sa.select(Nomination).where(Nomination.renews_id == nomination.id))


def _fill_rounds(nomination) -> None:
    """Ten other nominations of the call entered every later round: no place is left."""
    for _ in range(10):
        other = factories.make_nomination(call=nomination.call, state="shortlisted")
        for state in ("longlisted", "shortlisted"):
            db.session.add(
                WorkflowEvent(
                    workflow="nomination",
                    object_type="nomination",
                    object_id=other.id,
                    transition="",
                    from_state="",
                    to_state=state,
                )
            )
    db.session.flush()


#: predicate name -> function(obj) that makes the predicate false for ``obj``.
BREAKERS = {
    "call_is_open": lambda n: _close_call(n.call),
    "nomination_is_complete": lambda n: setattr(n, "answers", {}),
    "reviews_complete": lambda n: factories.make_assignment(n, state="accepted"),
    "review_window_open": lambda a: setattr(
        a.nomination.call, "review_deadline", utcnow() - timedelta(days=1)
    ),
    "review_is_complete": lambda a: setattr(a, "recommendation", ""),
    "call_dates_are_set": _unset_dates,
    "call_nominations_decided": lambda c: factories.make_nomination(call=c, state="submitted"),
    "call_announcement_written": lambda c: setattr(c, "announcement", {"en": "  "}),
    "call_is_announced": lambda n: setattr(n.call, "state", "decided"),
    "call_is_reviewing": lambda n: setattr(n.call, "state", "open"),
    "enters_round": _fill_rounds,
    # A recognition valid for ten more years; its renewal withdrawn.
    "recognition_expires_soon": lambda n: setattr(
        n, "valid_until", utcnow().date() + timedelta(days=3650)
    ),
    "recognition_has_expired": lambda n: setattr(
        n, "valid_until", utcnow().date() + timedelta(days=10)
    ),
    "recognition_renewed": lambda n: _withdraw(_renewal_of(n)),
    "city_not_yet_told": lambda n: setattr(n, "announced_at", utcnow()),
    "nominator_is_verified": lambda n: setattr(n.city, "state", "pending"),
    # Nominated by someone else (not a focal point of the city), not yet accepted.
    "nominee_consented": lambda n: setattr(n, "created_by_id", factories.make_user().id),
    # No city to ask: nobody's consent is needed.
    "nominee_must_consent": lambda n: setattr(n, "city_id", None),
}


# -- history ---------------------------------------------------------------------------------


def history(obj: Any) -> list[WorkflowEvent]:
    """Every history row of ``obj`` in the database, oldest first (without flushing)."""
    from recognition.workflow.registry import definition_for

    stmt = (
        sa.select(WorkflowEvent)
        .where(
            WorkflowEvent.object_type == definition_for(obj).applies_to,
            WorkflowEvent.object_id == obj.id,
        )
        .order_by(WorkflowEvent.id)
    )
    with db.session.no_autoflush:
        return list(db.session.scalars(stmt))


def stored_state(obj: Any) -> str:
    """The state column of ``obj`` as the database holds it (without flushing)."""
    from recognition.workflow.registry import definition_for

    definition = definition_for(obj)
    table = type(obj).__table__
    stmt = sa.select(table.c[definition.state_attribute]).where(table.c.id == obj.id)
    with db.session.no_autoflush:
        return db.session.execute(stmt).scalar_one()
