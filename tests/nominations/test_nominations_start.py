"""Starting a nomination: one per city and call, in any of the six languages, shared by the
city's focal points."""

from __future__ import annotations

from datetime import timedelta

import factories
import pytest
import sqlalchemy as sa
from nominations_support import count_queries

from recognition.config import LANGUAGES
from recognition.nominations import operations
from recognition.nominations.models import Nomination
from recognition.nominations.operations import NominationRefused, start
from recognition.nominees.models import nominee_for_city
from recognition.timeutil import utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def nominations(db) -> list[Nomination]:
    return list(db.session.scalars(sa.select(Nomination).order_by(Nomination.id)))


def test_focal_point_sees_open_calls_with_their_deadlines(db, client, login_as, call, focal):
    db.session.commit()
    login_as(focal)
    html = text(client.get("/calls"))
    assert "Role Model Cities 2026" in html
    assert "Open for nominations" in html
    closes = call.closes_at
    assert f"{closes:%B} {closes.day}, {closes.year}" in html


def test_start_page_offers_the_six_languages(db, client, login_as, call, focal):
    db.session.commit()
    login_as(focal)
    html = text(client.get(f"/calls/{call.id}/nominate"))
    for code in LANGUAGES:
        assert f'<option value="{code}"' in html or f'<option selected value="{code}"' in html


def test_start_page_proposes_the_users_own_language(db, client, login_as, call, city):
    focal = factories.make_focal_point(city=city, locale="es")
    db.session.commit()
    login_as(focal)
    assert '<option selected value="es">' in text(client.get(f"/calls/{call.id}/nominate"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_nomination_is_written_in_the_chosen_language(
    db, client, login_as, call, city, focal, language
):
    db.session.commit()
    login_as(focal)
    client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{city.id}", "language": language}
    )
    [nomination] = nominations(db)
    assert nomination.language == language


def test_starting_opens_the_first_section_of_a_new_draft(db, client, login_as, call, city, focal):
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{city.id}", "language": "en"}
    )
    [nomination] = nominations(db)
    assert response.headers["Location"] == f"/nominations/{nomination.id}/edit/profile"
    assert (nomination.state, nomination.city_id, nomination.created_by_id) == (
        "draft",
        city.id,
        focal.id,
    )


def test_unknown_language_is_refused(db, client, login_as, call, city, focal):
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{city.id}", "language": "xx"}
    )
    assert response.status_code == 200
    assert "Not a valid choice." in text(response)
    assert nominations(db) == []


def test_second_start_opens_the_first_nomination(db, client, login_as, draft, focal):
    db.session.commit()
    login_as(focal)
    response = client.get(f"/calls/{draft.call_id}/nominate", follow_redirects=True)
    assert response.request.path == f"/nominations/{draft.id}"
    assert "Your city already has a nomination for this call." in text(response)


def test_second_start_by_post_creates_nothing(db, client, login_as, draft, city, focal):
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{draft.call_id}/nominate", data={"nominator": f"city:{city.id}", "language": "fr"}
    )
    assert response.headers["Location"] == f"/nominations/{draft.id}"
    assert nominations(db) == [draft]


def test_another_focal_point_of_the_city_is_sent_to_the_same_nomination(
    db, client, login_as, draft, city
):
    colleague = factories.make_focal_point(city=city)
    db.session.commit()
    login_as(colleague)
    response = client.get(f"/calls/{draft.call_id}/nominate")
    assert response.headers["Location"] == f"/nominations/{draft.id}"


def test_focal_points_of_one_city_share_its_nominations(db, client, login_as, draft, city):
    colleague = factories.make_focal_point(city=city)
    db.session.commit()
    login_as(colleague)
    client.post(f"/nominations/{draft.id}/edit/profile", data={"population": "1200", "go": "stay"})
    db.session.refresh(draft)
    assert draft.answers["population"] == "1200"


def test_our_nominations_lists_the_citys_nominations_only(db, client, login_as, draft, city):
    other = factories.make_nomination(call=draft.call, city=factories.make_city(name="Elsewhere"))
    colleague = factories.make_focal_point(city=city)
    db.session.commit()
    login_as(colleague)
    html = text(client.get("/nominations"))
    assert f'href="/nominations/{draft.id}"' in html
    assert f'href="/nominations/{other.id}"' not in html


def test_an_existing_nomination_is_offered_even_after_the_call_closed(
    db, client, login_as, city, focal
):
    call = factories.make_call(state="closed", closes_at=utcnow() - timedelta(days=1))
    nomination = factories.make_nomination(call=call, city=city)
    db.session.commit()
    login_as(focal)
    response = client.get(f"/calls/{call.id}/nominate")
    assert response.headers["Location"] == f"/nominations/{nomination.id}"


def test_start_after_the_deadline_names_the_deadline(db, client, login_as, city, focal):
    call = factories.make_call(closes_at=utcnow() - timedelta(hours=1))
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{call.id}/nominate",
        data={"nominator": f"city:{city.id}", "language": "en"},
        follow_redirects=True,
    )
    assert response.request.path == f"/calls/{call.id}"
    assert f"This call closed for nominations on {call.closes_at:%B} " in text(response)
    assert nominations(db) == []


def test_start_before_the_opening_names_the_opening(db, client, login_as, city, focal):
    call = factories.make_call(
        opens_at=utcnow() + timedelta(days=40), closes_at=utcnow() + timedelta(days=70)
    )
    db.session.commit()
    login_as(focal)
    response = client.get(f"/calls/{call.id}/nominate", follow_redirects=True)
    assert f"This call opens for nominations on {call.opens_at:%B} " in text(response)


@pytest.mark.parametrize("city_state", ["pending", "suspended"])
def test_members_of_unverified_cities_cannot_start(db, client, login_as, call, city_state):
    user = factories.make_user()
    factories.make_city(state=city_state, members=[user])
    db.session.commit()
    login_as(user)
    response = client.get(f"/calls/{call.id}/nominate", follow_redirects=True)
    assert "Only focal points of verified cities can nominate." in text(response)
    assert nominations(db) == []


def test_secretariat_cannot_start_a_nomination(db, client, login_as, call):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    response = client.get(f"/calls/{call.id}/nominate", follow_redirects=True)
    assert "Only focal points of verified cities can nominate." in text(response)


def test_focal_point_of_two_cities_chooses_the_city(db, client, login_as, call, city, focal):
    second = factories.make_city(name="Second City")
    factories.make_focal_point(city=second)  # someone else there too
    db.session.add(factories.Membership(user=focal, city=second))
    db.session.commit()
    login_as(focal)
    client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{second.id}", "language": "en"}
    )
    [nomination] = nominations(db)
    assert nomination.city_id == second.id


def test_a_city_the_user_does_not_act_for_cannot_be_chosen(db, client, login_as, call, focal):
    stranger = factories.make_city(name="Not mine")
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{stranger.id}", "language": "en"}
    )
    assert "Not a valid choice." in text(response)
    assert nominations(db) == []


def test_city_with_two_focal_points_starting_at_once_gets_one_nomination(
    app, db, call, city, focal, monkeypatch
):
    """The second start, having missed the first in its lookup, meets the unique constraint and
    is sent to the first nomination instead of failing."""
    colleague = factories.make_focal_point(city=city)
    first = start(call, nominee_for_city(city), "en", focal)
    real_lookup = operations.existing_nomination
    lookups = []

    def lookup(call, nominee):
        """The first lookup runs before the other start was written: it finds nothing."""
        lookups.append(nominee)
        return None if len(lookups) == 1 else real_lookup(call, nominee)

    monkeypatch.setattr(operations, "existing_nomination", lookup)
    with pytest.raises(NominationRefused) as refused:
        start(call, nominee_for_city(city), "fr", colleague)
    assert refused.value.existing == first
    assert len(lookups) == 2
    db.session.commit()
    assert nominations(db) == [first]


def test_past_recognition_excludes_a_city_from_role_model_city(
    db, client, login_as, call, city, focal
):
    earlier = factories.make_call(title="Earlier", state="announced")
    factories.make_nomination(call=earlier, city=city, state="announced")
    db.session.commit()
    login_as(focal)
    response = client.post(
        f"/calls/{call.id}/nominate",
        data={"nominator": f"city:{city.id}", "language": "en"},
        follow_redirects=True,
    )
    assert "Your city is already recognised under this programme." in text(response)
    assert len(nominations(db)) == 1


def _our_nominations_queries(db, client, login_as, city, focal, how_many) -> int:
    for _ in range(how_many):
        factories.make_nomination(call=factories.make_call(), city=city)
    db.session.commit()
    login_as(focal)
    with count_queries() as statements:
        assert client.get("/nominations").status_code == 200
    return len(statements)


def test_our_nominations_costs_the_same_queries_for_many(db, client, login_as, city, focal):
    few = _our_nominations_queries(db, client, login_as, city, focal, 1)
    many = _our_nominations_queries(db, client, login_as, city, focal, 6)
    assert many == few
