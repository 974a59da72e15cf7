"""Rules of the nomination workflow and of the programmes' eligibility, and the source that
adds each programme's rules (programmes/*.yaml ``rules``) to the nomination's transitions.

Each predicate returns None when its rule holds, or the reason it does not.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import Membership
from ..accounts.operations import city_ids_of
from ..extensions import db
from ..i18n import deadline, lazy_ngettext
from ..i18n import lazy_gettext as _l
from ..partners.models import partner_ids_of
from ..programmes.models import Call
from ..timeutil import utcnow
from ..workflow import guards
from ..workflow.definition import CREATED
from ..workflow.engine import state_title
from ..workflow.guards import guard
from ..workflow.registry import definition_check, has_tag, registry, rule_source, tagged
from ..workflow.rules import Rule, rule_problems
from .models import Nomination
from .validation import problems


def by_someone_else(nomination) -> bool:
    """The nominated city did not nominate itself: a partner or another user did."""
    if nomination.city_id is None:
        return False
    if nomination.partner_id is not None:
        return True
    if nomination.created_by_id is None:  # made outside any request (data loaded in bulk)
        return False
    return not db.session.scalar(
        sa.select(Membership.id).where(
            Membership.city_id == nomination.city_id,
            Membership.user_id == nomination.created_by_id,
        )
    )


def nominated_by(nomination):
    """Who nominated on the nominee's behalf (the partner's name or the user's), or None
    when the city nominated itself."""
    if nomination.partner is not None:
        return nomination.partner.name()
    if nomination.city_id is None or by_someone_else(nomination):
        return nomination.created_by.name if nomination.created_by else None
    return None


def _partner_refusal(nomination, actor):
    """Why the nomination's partner may not nominate now, or None."""
    if nomination.partner is None or not has_tag(nomination.partner, "partnering"):
        return _l(
            "Your organisation must be verified by the secretariat as a campaign partner first."
        )
    if nomination.partner_id not in partner_ids_of(actor):
        return _l("You do not act for this partner.")
    return None


@guard(
    "nominator_may_nominate",
    _l("the programme lets this nominator nominate this nominee (programmes/*.yaml nomination)"),
)
def nominator_may_nominate(nomination, actor, data):
    """The programme's ``nomination`` block: who may nominate (the nominee itself, a verified
    partner, any registered user) and whom (a city, an organisation, a person)."""
    nominating = nomination.programme.nominating
    if nomination.nominee.kind not in nominating.nominees:
        return _l("This programme does not recognise this kind of nominee.")
    if nomination.partner_id is not None:
        if "partner" not in nominating.nominators:
            return _l("Campaign partners do not nominate to this programme.")
        return _partner_refusal(nomination, actor)
    if nomination.city_id is not None and nomination.city_id in city_ids_of(actor):
        if "self" not in nominating.nominators:
            return _l("Cities do not nominate themselves to this programme.")
        if not has_tag(nomination.city, "approved"):
            return _l("Your city must be verified by the secretariat first.")
        return None
    if "registered" not in nominating.nominators:
        return _l("Only the nominee or a campaign partner may nominate to this programme.")
    if getattr(actor, "email_confirmed_at", None) is None:
        return _l("Confirm your e-mail address first.")
    return None


@guard("nominator_is_verified", _l("the nominating city or partner is verified by the secretariat"))
def nominator_is_verified(nomination, actor, data):
    """Submitted by a verified partner, for a verified city, or by a confirmed account."""
    if nomination.partner_id is not None:
        if not has_tag(nomination.partner, "partnering"):
            return _l(
                "Your organisation must be verified by the secretariat as a campaign partner first."
            )
        return None
    if nomination.city is not None and not has_tag(nomination.city, "approved"):
        return _l("Your city must be verified by the secretariat first.")
    return None


@guard("nominee_must_consent", _l("the programme asks a city nominated by someone else to accept"))
def nominee_must_consent(nomination, actor, data):
    """A city nominated by a partner or another user accepts first, if the programme says so."""
    if nomination.programme.nominating.consent and by_someone_else(nomination):
        return None
    return _l("This nomination needs no consent.")


@guard("nominee_consented", _l("the nominated city accepted the nomination (when it must)"))
def nominee_consented(nomination, actor, data):
    """Nothing goes to the secretariat that the nominated city has not accepted."""
    if nominee_must_consent(nomination, actor, data) is not None:
        return None
    if nomination.consented_at is None:
        return _l("The nominated city has not accepted the nomination yet.")
    return None


def not_open_message(call: Call, starting: bool = True) -> Any:
    """Why the call takes no nomination now, naming the date that matters."""
    now = utcnow()
    if has_tag(call, "accepting") and now < call.opens_at:
        return _l("This call opens for nominations on %(date)s.", date=deadline(call.opens_at))
    if now >= call.closes_at:
        if not starting:
            return _l(
                "The call closed on %(deadline)s. Nominations can no longer be submitted.",
                deadline=deadline(call.closes_at),
            )
        return _l(
            "This call closed for nominations on %(deadline)s.", deadline=deadline(call.closes_at)
        )
    return _l("This call is not open for nominations.")


@guard("call_is_open", _l("the call is open for nominations"))
def call_is_open(nomination, actor, data):
    """The call is open and its closing date has not passed."""
    if nomination.call.accepting_nominations():
        return None
    return not_open_message(nomination.call, starting=nomination.id is None)


@guard("nomination_is_complete", _l("every required field is filled in and valid"))
def nomination_is_complete(nomination, actor, data):
    """The answers pass the programme's strict validation."""
    found = problems(nomination, strict=True)
    if not found:
        return None
    return lazy_ngettext(
        "The nomination is not complete: %(num)d answer is missing or invalid.",
        "The nomination is not complete: %(num)d answers are missing or invalid.",
        len(found),
    )


@guard("call_is_announced", _l("the call is announced (a nomination is published with its call)"))
def call_is_announced(nomination, actor, data):
    """A nomination becomes public only with its call's announcement."""
    if has_tag(nomination.call, "public"):
        return None
    return _l("A nomination is announced with its call, not before.")


@guard("city_not_yet_told", _l("the city has not been told the decision yet"))
def city_not_yet_told(nomination, actor, data):
    """A decision is announced to its city once (announcing it stamps the nomination)."""
    if nomination.announced_at is None:
        return None
    return _l("The city has already been told this decision.")


@guard("call_is_reviewing", _l("the call's reviewing has started"))
def call_is_reviewing(nomination, actor, data):
    """Decisions are recorded once the call is being reviewed, not while nominations come in."""
    if has_tag(nomination.call, "deciding"):
        return None
    return _l(
        "Decisions are recorded once the call's reviewing has started (the call is “%(state)s”).",
        state=state_title(nomination.call),
    )


def _earlier_public(nomination):
    """The nominee's public recognitions in other calls of the same programme."""
    return (
        sa.select(Nomination.id)
        .join(Call, Call.id == Nomination.call_id)
        .where(
            Call.programme_id == nomination.call.programme_id,
            Call.id != nomination.call_id,
            Nomination.nominee_id == nomination.nominee.id,
            tagged(Nomination, "current"),
            # The recognition a renewal renews does not stand in its way.
            Nomination.id != (nomination.renews_id or 0),
        )
        .limit(1)
    )


@guard(
    "one_recognition_per_city",
    _l("the city holds no current recognition under this programme (but the one it renews)"),
)
def one_recognition_per_city(nomination, actor, data):
    """A city holds one current recognition under a programme at a time: once it has
    expired (or in a renewal of it), the city may be recognised again."""
    if db.session.scalar(_earlier_public(nomination)):
        if nomination.city_id is None:
            return _l("This nominee is already recognised under this programme.")
        return _l("Your city is already recognised under this programme.")
    return None


@guard(
    "call_nominations_decided",
    _l("every nomination under review has a decision"),
)
def call_nominations_decided(call, actor, data):
    """No nomination of the call still waits for screening, revision, review or a decision."""
    pending = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Nomination)
        .where(Nomination.call_id == call.id, tagged(Nomination, "undecided"))
    )
    if not pending:
        return None
    return lazy_ngettext(
        "%(num)d nomination of this call still waits for screening, review or a decision.",
        "%(num)d nominations of this call still wait for screening, review or a decision.",
        pending,
    )


def _rules_by_programme() -> dict[str, Any]:
    programmes = current_app.extensions["programmes"].values()
    return {p.title: dict(p.rules) for p in programmes if p.rules}


@rule_source("nomination", listing=_rules_by_programme)
def programme_rules(nomination, transition: str) -> tuple[Rule, ...]:
    """The rules the nomination's programme adds to the transition."""
    return nomination.programme.rules.get(transition, ())


@definition_check
def check_programme_rules() -> list[tuple[str, str, str]]:
    """Every programme rule names a transition of the nomination workflow (or ``create``),
    a registered predicate and that predicate's parameters."""
    definition = registry().get(Nomination.__workflow__)
    found = []
    for programme in current_app.extensions["programmes"].values():
        for transition, rules in programme.rules.items():
            key = f"rules.{transition}"
            if transition != CREATED and transition not in definition.transitions:
                found.append((programme.source, key, f"unknown transition {transition!r}"))
            found.extend(rule_problems(rules, programme.source, key, guards.registered()))
    return found
