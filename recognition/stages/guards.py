"""Rules of the city stage workflow, and the rule programmes name to ask for a stage.

Each predicate returns None when its rule holds, or the reason it does not.
"""

from __future__ import annotations

from typing import Any

from babel.lists import format_list
from flask import current_app
from flask_babel import LazyString, get_locale

from ..accounts.operations import city_ids_of
from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from ..workflow.guards import guard
from ..workflow.registry import definition_check, definition_for, has_tag, registry
from .models import CityStage, stage_of_city

TAGGED = "city_stage_tagged"


@guard("stage_city_verified", _l("the city is verified by the secretariat"))
def stage_city_verified(stage, actor, data):
    """Only a verified city joins and moves through the stages."""
    if stage.city is None or not has_tag(stage.city, "approved"):
        return _l("The city must be verified by the secretariat first.")
    return None


@guard("not_acting_for_the_city", _l("whoever confirms or refuses does not act for the city"))
def not_acting_for_the_city(stage, actor, data):
    """A city never confirms its own move, even when its focal point is also an officer."""
    if stage.city_id in city_ids_of(actor):
        return _l("You act for this city: another officer confirms or refuses its moves.")
    return None


def _titles(states: list[Any]) -> LazyString:
    """The states' titles in the reader's language, quoted, as an "or" list, when shown."""

    def say() -> str:
        quoted = [gettext("“%(stage)s”", stage=gettext(s.title)) for s in states]
        return format_list(quoted, style="or", locale=get_locale()) if quoted else ""

    return LazyString(say)


@guard(
    TAGGED,
    _l("the city has reached the stage the programme asks for"),
    params={"tag": str},
)
def city_stage_tagged(nomination, actor, data, tag):
    """The nominated city's Making Cities Resilient 2030 stage carries ``tag`` (``staged``:
    any confirmed stage; ``implementing``: stage C)."""
    definition = definition_for(CityStage)
    needed = _titles([s for s in definition.states.values() if tag in s.tags])
    city = nomination.city
    if city is None:
        return _l(
            "This programme recognises cities at %(needed)s of Making Cities Resilient 2030: "
            "the nominee is not a city.",
            needed=needed,
        )
    stage = stage_of_city(city.id)
    if stage is None:
        return _l(
            "%(city)s has not joined Making Cities Resilient 2030 yet; this programme asks "
            "for a city at %(needed)s.",
            city=city.name,
            needed=needed,
        )
    if tag in definition.states[stage.state].tags:
        return None
    return _l(
        "%(city)s is at %(current)s in Making Cities Resilient 2030; this programme asks for "
        "a city at %(needed)s.",
        city=city.name,
        current=_titles([definition.states[stage.state]]),
        needed=needed,
    )


@definition_check
def check_stage_tags() -> list[tuple[str, str, str]]:
    """Every ``city_stage_tagged`` rule (a programme's or a workflow's) names a tag that a
    city stage carries."""
    definition = registry().get(CityStage.__workflow__)
    found = []

    def check(rules, source: str, key: str) -> None:
        for index, rule in enumerate(rules):
            tag = rule.params.get("tag") if rule.name == TAGGED else None
            if isinstance(tag, str) and tag not in definition.tags:
                where = f"{key}[{index}].{TAGGED}.tag"
                found.append((source, where, f"no city stage is tagged {tag!r}"))

    for programme in current_app.extensions.get("programmes", {}).values():
        for transition, rules in programme.rules.items():
            check(rules, programme.source, f"rules.{transition}")
    for other in registry().definitions.values():
        for transition in other.transitions.values():
            check(transition.guard.when, other.source, f"transitions.{transition.id}.guard.when")
    return found
