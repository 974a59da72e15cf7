"""The secretariat's operations: decisions on nominations and the announcement of a call.

They run inside the engine's fire(), after its checks: ``prepare`` completes what the
officer chose (the areas of strength default to those the reviewers' scores show), the
programme's rules judge it, and only then ``apply`` writes the decision. Operations flush,
never commit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..audit.records import seal
from ..extensions import db
from ..i18n import lazy_ngettext
from ..lifetimes.operations import start_lifetime
from ..nominations.models import Nomination
from ..nominees.operations import record_laureates
from ..public.certificates import ensure_verification_code
from ..review.kept import nomination_result
from ..review.rounds import last_scored_round
from ..timeutil import utcnow
from ..workflow.engine import ConditionNotMet, fire, fire_many, operation
from ..workflow.registry import definition_for


def decide(nomination: Nomination, form, actor):
    """Fire the decision a validated ``DecisionForm`` holds (the page's and the API's): the
    engine checks who may decide and the programme's rules; raises its errors."""
    return fire(
        nomination,
        form.outcome.data,
        actor,
        form.comment.data,
        expected_version=form.version.data,
        data=form.decision(),
    )


def prepare_decision(nomination: Nomination, actor, data) -> dict[str, Any]:
    """The decision as the rules judge it: areas of strength among the programme's
    Essentials (the scores' when none are named), the level as chosen."""
    programme = nomination.programme
    prepared = dict(data)
    areas = data.get("areas")
    if programme.decision == "strengths":
        if areas is None:
            result = nomination_result(nomination, last_scored_round(nomination).id)
            areas = result.strengths if result else []
        essentials = {c.essential for c in programme.rubric.criteria if c.essential}
        prepared["areas"] = sorted({a for a in areas if a in essentials})
    else:
        prepared["areas"] = []
    prepared["level"] = (data.get("level") or None) if programme.decision == "levels" else None
    return prepared


def _record_decider(nomination: Nomination, actor, data) -> None:
    nomination.decided_by_id = actor.id
    nomination.decided_at = utcnow()
    nomination.decision_comment = data.get("comment") or ""


@operation("nomination", "recognise", prepare=prepare_decision)
def recognise(nomination: Nomination, actor, data) -> dict[str, Any]:
    """Write the recognition: who decided, the areas of strength or the award level."""
    _record_decider(nomination, actor, data)
    nomination.areas_of_strength = data["areas"]
    nomination.award_level = data["level"]
    if nomination.programme.decision == "levels":
        return {"award_level": data["level"]}
    return {"areas_of_strength": data["areas"]}


@operation("nomination", "not_recognise")
def not_recognise(nomination: Nomination, actor, data) -> None:
    _record_decider(nomination, actor, data)
    nomination.areas_of_strength = []
    nomination.award_level = None


#: What the call's announcement fires on its decided nominations: publish the recognised,
#: tell the others (each transition notifies the city; the embargo lifts with the call).
ANNOUNCED_WITH_THE_CALL = ("announce", "inform")


def announced_with(call) -> list[tuple[str, list[Nomination]]]:
    """The call's nominations its announcement reaches, by the transition it fires on them."""
    definition = definition_for(Nomination)
    found = []
    for name in ANNOUNCED_WITH_THE_CALL:
        sources = definition.transitions[name].sources
        nominations = db.session.scalars(
            sa.select(Nomination)
            .where(Nomination.call_id == call.id, Nomination.state.in_(sources))
            .order_by(Nomination.id)
        ).all()
        found.append((name, list(nominations)))
    return found


@operation("call", "announce")
def announce(call, actor, data) -> dict[str, str]:
    """Announce the call: every recognised nomination becomes public at once, and every city
    decided on learns its outcome. Then seal the call's record: its head, as it stands with
    every decision told, goes into the announcement's history row and onto its public page."""
    call.announced_at = utcnow()
    for name, nominations in announced_with(call):
        results = fire_many(nominations, name, actor, data.get("comment"))
        refused = [r for r in results if not r.done]
        if refused:
            # All at once or not at all: a call announced with a decision left untold would
            # never tell it (the call's announce is final).
            raise ConditionNotMet(
                lazy_ngettext(
                    "%(num)d decided nomination could not be announced: %(reason)s",
                    "%(num)d decided nominations could not be announced: %(reason)s",
                    len(refused),
                    reason=refused[0].message,
                ),
                "announce",
            )
    return seal(call)


@operation("nomination", "announce")
def announce_nomination(nomination: Nomination, actor, data) -> dict:
    """Date the nomination's publication with its call's announcement, and give it the code
    its certificate carries (checked at /verify/<code>)."""
    nomination.announced_at = nomination.call.announced_at or utcnow()
    # The recognition holds from today, in the city's calendar, for the programme's years.
    start_lifetime(nomination)
    code = ensure_verification_code(nomination)
    # The register of past laureates grows with every announcement (eligibility reads it).
    record_laureates(nomination, actor)
    return {"verification_code": code}


@operation("nomination", "inform")
def inform(nomination: Nomination, actor, data) -> None:
    """Date the telling of a decision not to recognise, with its call's announcement (so
    that the city is told once)."""
    nomination.announced_at = nomination.call.announced_at or utcnow()
