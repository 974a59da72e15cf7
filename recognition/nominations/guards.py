"""Predicates guarding the nomination workflow."""

from flask_babel import lazy_gettext as _l

from ..workflow.guards import guard


@guard("city_is_verified", _l("the city is verified by the secretariat"))
def city_is_verified(nomination, actor, context) -> bool:
    """Only verified cities nominate."""
    return nomination.city.state == "verified"


@guard("call_is_open", _l("the call is open for nominations"))
def call_is_open(nomination, actor, context) -> bool:
    """The call is open and its closing date has not passed."""
    return nomination.call.accepting_nominations()


@guard("nomination_is_complete", _l("every required field is filled in and valid"))
def nomination_is_complete(nomination, actor, context) -> bool:
    """The answers pass the programme's strict validation."""
    from .validation import problems

    return not problems(nomination, strict=True)


@guard("call_is_announced", _l("the call is announced (a nomination is published with its call)"))
def call_is_announced(nomination, actor, context) -> bool:
    """A nomination becomes public only with its call's announcement."""
    return nomination.call.state == "announced"


@guard(
    "reviews_complete_or_overridden",
    _l("all reviews are in (or the decision overrides this with a reason)"),
)  # noqa: E501
def reviews_complete_or_overridden(nomination, actor, context) -> bool:
    """Every active assignment has submitted its review, or an override reason is given."""
    if (context.get("override_reason") or "").strip():
        return True
    from ..review.aggregation import reviews_complete

    return reviews_complete(nomination)
