"""Who sees and does what: a city's focal points see and ask for their city only; the
secretariat confirms, never a city its own move; anonymous visitors see only the public
stage."""

from __future__ import annotations

import factories
import pytest
from stages_support import NOTE, count_queries, request_data, stage_at, text_of

from recognition.accounts.models import Membership
from recognition.extensions import db
from recognition.stages.models import stage_of_city
from recognition.workflow.engine import NotAllowed, fire


@pytest.fixture
def pending(db, people):
    """Quito asked for stage B (committed)."""
    stage = stage_at(people.city, "b_requested", note=NOTE)
    db.session.commit()
    return stage


def test_another_citys_focal_point_sees_nothing(client, login_as, people, pending):
    login_as(people.other)
    assert client.get(f"/stages/{pending.id}").status_code == 404
    assert client.get(f"/stages/cities/{people.city.id}").status_code == 404
    assert client.get(f"/stages/{pending.id}/evidence").status_code == 404
    assert pending.city.name not in text_of(client.get("/stages/"))


def test_another_citys_focal_point_cannot_ask_for_it(client, login_as, people):
    login_as(people.other)
    response = client.post(f"/stages/cities/{people.city.id}/request", data=request_data())
    assert response.status_code == 404
    assert stage_of_city(people.city.id) is None


def test_someone_acting_for_no_city_cannot_ask(client, login_as, people):
    login_as(people.outsider)
    assert client.get(f"/stages/cities/{people.city.id}").status_code == 404
    response = client.post(f"/stages/cities/{people.city.id}/request", data=request_data())
    assert response.status_code == 404
    assert stage_of_city(people.city.id) is None


@pytest.mark.parametrize("transition", ["confirm_b", "refuse_b"])
def test_a_city_cannot_decide_its_own_move(client, login_as, people, pending, transition):
    login_as(people.focal)
    page = text_of(client.get(f"/stages/{pending.id}"))
    assert "Confirm stage B" not in page
    response = client.post(
        f"/stages/{pending.id}/decide/{transition}",
        data={f"{transition}-comment": "We did it", f"{transition}-version": pending.version},
    )
    assert response.status_code == 403
    db.session.refresh(pending)
    assert pending.state == "b_requested"


def test_an_officer_acting_for_the_city_cannot_confirm_its_move(client, login_as, people, pending):
    """A focal point who is also an officer: the rule, not the role, says no."""
    officer = factories.make_secretariat()
    db.session.add(Membership(user=officer, city=people.city))
    db.session.commit()
    login_as(officer)
    page = text_of(client.get(f"/stages/{pending.id}"))
    assert "You act for this city: another officer confirms or refuses its moves." in page
    response = client.post(
        f"/stages/{pending.id}/decide/confirm_b", data={"confirm_b-version": pending.version}
    )
    assert response.status_code == 400
    db.session.refresh(pending)
    assert pending.state == "b_requested"


def test_the_engine_refuses_a_focal_points_confirmation(app, people, pending):
    with pytest.raises(NotAllowed):
        fire(pending, "confirm_b", people.focal)


@pytest.mark.parametrize(
    "path",
    ["/stages/{id}", "/stages/cities/{city}", "/stages/{id}/evidence", "/stages/", "/stages/ours"],
)
def test_anonymous_visitors_are_asked_to_sign_in(client, people, pending, path):
    response = client.get(path.format(id=pending.id, city=people.city.id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_anonymous_visitors_cannot_ask_or_decide(client, people, pending):
    assert (
        client.post(f"/stages/cities/{people.city.id}/request", data=request_data()).status_code
        == 302
    )
    assert client.post(f"/stages/{pending.id}/decide/confirm_b").status_code == 302
    db.session.refresh(pending)
    assert pending.state == "b_requested"


def test_the_secretariat_lists_the_waiting_moves_first(client, login_as, people, pending):
    stage_at(people.other_city, "stage_c")
    db.session.commit()
    login_as(people.officer)
    page = text_of(client.get("/stages/"))
    assert page.index("Quito") < page.index("Lyon")
    assert "Stage B requested" in page


def test_our_citys_stage_leads_to_the_citys_page(client, login_as, people):
    login_as(people.focal)
    response = client.get("/stages/ours")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/stages/cities/{people.city.id}")
    assert 'href="/stages/ours"' in client.get("/").get_data(as_text=True)


def test_the_menu_link_is_for_focal_points_only(client, login_as, people):
    login_as(people.outsider)
    assert 'href="/stages/ours"' not in client.get("/").get_data(as_text=True)


def test_the_list_of_city_stages_costs_the_same_queries_whatever_the_size(client, login_as, people):
    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/stages/").status_code == 200
        return len(statements)

    for state in ("stage_a", "b_requested"):
        stage_at(factories.make_city(), state)
    db.session.commit()
    login_as(people.officer)
    small = queries()
    for n in range(8):
        stage_at(factories.make_city(), "c_requested" if n % 2 else "stage_b")
    db.session.commit()
    assert queries() == small
