"""Conflicts of interest known before assignment: country, affiliations, earlier declarations,
membership of the nominating city."""

from __future__ import annotations

import factories
import pytest

from recognition.accounts.models import Membership
from recognition.nominees.models import Nominee
from recognition.review.operations import conflict_reasons


def _nomination(programme_id="role_model_city", answers=None, city_name="Lyon", country="FR"):
    call = factories.make_call(programme_id=programme_id, state="reviewing")
    city = factories.make_city(name=city_name, country=country)
    return factories.make_nomination(
        call=call, city=city, state="under_review", answers=answers or {}
    )


def _reasons(reviewer, nomination) -> list[str]:
    return [str(r) for r in conflict_reasons(reviewer, nomination)]


@pytest.mark.parametrize("country", ["FR", "fr"])
def test_a_reviewer_from_the_city_s_country_is_in_conflict(app, country):
    nomination = _nomination(country="FR")
    reviewer = factories.make_reviewer(country=country)
    assert _reasons(reviewer, nomination) == ["from the same country as the city"]


@pytest.mark.parametrize("country", ["KE", None, ""])
def test_a_reviewer_from_another_or_no_country_has_no_conflict(app, country):
    nomination = _nomination(country="FR")
    reviewer = factories.make_reviewer(country=country)
    assert _reasons(reviewer, nomination) == []


@pytest.mark.parametrize(
    ("programme_id", "answers", "affiliations", "organisation"),
    [
        # The city itself, named inside a longer affiliation, on the second line.
        ("role_model_city", {}, "University of Nairobi\nCity of Lyon", "Lyon"),
        # The nominating organisation of a Role Model City nomination.
        (
            "role_model_city",
            {"nominator_name": "Resilience Partners"},
            "resilience partners",
            "Resilience Partners",
        ),
    ],
)
def test_a_declared_affiliation_with_the_city_or_the_nominator_is_a_conflict(
    app, programme_id, answers, affiliations, organisation
):
    nomination = _nomination(programme_id, answers)
    reviewer = factories.make_reviewer(country="KE", affiliations=affiliations)
    assert _reasons(reviewer, nomination) == [f"declared an affiliation with {organisation}"]


def test_an_unrelated_affiliation_is_no_conflict(app):
    nomination = _nomination(answers={"nominator_name": "Resilience Partners"})
    reviewer = factories.make_reviewer(country="KE", affiliations="World Bank\nUNDP")
    assert _reasons(reviewer, nomination) == []


def test_a_conflict_declared_earlier_for_the_city_counts_for_its_next_nomination(app):
    earlier = _nomination()
    reviewer = factories.make_reviewer(country="KE")
    factories.make_assignment(earlier, reviewer, state="conflicted")
    later_call = factories.make_call(state="reviewing")
    later = factories.make_nomination(call=later_call, city=earlier.city, state="under_review")
    assert _reasons(reviewer, later) == ["declared a conflict with this city before"]


def test_a_declined_assignment_is_not_a_declared_conflict(app):
    earlier = _nomination()
    reviewer = factories.make_reviewer(country="KE")
    factories.make_assignment(earlier, reviewer, state="declined")
    later = factories.make_nomination(
        call=factories.make_call(state="reviewing"), city=earlier.city, state="under_review"
    )
    assert _reasons(reviewer, later) == []


def test_a_member_of_the_nominating_city_is_in_conflict(app, db):
    nomination = _nomination()
    reviewer = factories.make_reviewer(country="KE")
    db.session.add(Membership(user=reviewer, city=nomination.city))
    db.session.flush()
    assert _reasons(reviewer, nomination) == ["a member of the nominating city"]


def test_every_reason_is_reported(app):
    nomination = _nomination(answers={"nominator_name": "Resilience Partners"})
    reviewer = factories.make_reviewer(country="FR", affiliations="Resilience Partners")
    assert _reasons(reviewer, nomination) == [
        "from the same country as the city",
        "declared an affiliation with Resilience Partners",
    ]


def test_an_affiliation_with_a_nominee_that_is_not_a_city_is_a_conflict(app):
    """The nominee of a Sasakawa Award nomination, affiliations separated by ";"."""
    nominee = Nominee(
        kind="organisation",
        names={"en": "Red Crescent Society"},
        source_language="en",
        country="EG",
    )
    nomination = factories.make_nomination(
        call=factories.make_call(programme_id="sasakawa_award", state="reviewing"),
        city=None,
        nominee=nominee,
        state="under_review",
    )
    reviewer = factories.make_reviewer(country="KE", affiliations="WMO; Red Crescent Society")
    assert _reasons(reviewer, nomination) == ["declared an affiliation with Red Crescent Society"]


def test_an_affiliation_with_the_nominating_partner_is_a_conflict(app):
    nomination = _nomination()
    nomination.partner = factories.make_partner(name="Resilience Alliance")
    reviewer = factories.make_reviewer(country="KE", affiliations="Resilience Alliance")
    assert _reasons(reviewer, nomination) == ["declared an affiliation with Resilience Alliance"]
