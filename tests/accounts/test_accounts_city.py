"""The city page and its verification (city.yaml): the secretariat verifies or rejects a
registered city from the page's state menu; the focal point sees the page, not the buttons."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from accounts_support import html_of

from recognition.accounts.models import City
from recognition.extensions import db
from recognition.workflow.history import WorkflowEvent

VERIFY_FORM = "/workflow/city/{id}/verify"
REJECT_FORM = "/workflow/city/{id}/reject"


@pytest.fixture
def pending(app):
    """A city awaiting verification, its focal point and a secretariat officer."""
    focal = factories.make_user(name="Awa Diop", email="awa@dakar.example", locale="fr")
    city = factories.make_city(name="Dakar", country="SN", state="pending", members=[focal])
    officer = factories.make_secretariat()
    db.session.commit()
    return city, focal, officer


def state_of(city) -> str:
    db.session.expire_all()
    return db.session.get(City, city.id).state


def events(city) -> list[WorkflowEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(WorkflowEvent).where(
                WorkflowEvent.workflow == "city", WorkflowEvent.object_id == city.id
            )
        )
    )


def fire(client, city, transition, comment=""):
    return client.post(
        f"/workflow/city/{city.id}/{transition}",
        data={"comment": comment, "next": f"/cities/{city.id}"},
    )


def test_secretariat_sees_the_city_with_verify_and_reject(client, login_as, pending):
    city, _focal, officer = pending
    login_as(officer)
    response = client.get(f"/cities/{city.id}")
    assert response.status_code == 200
    html = html_of(response)
    assert "Dakar" in html
    assert f'action="{VERIFY_FORM.format(id=city.id)}"' in html
    assert f'action="{REJECT_FORM.format(id=city.id)}"' in html


def test_secretariat_sees_the_focal_points_email(client, login_as, pending):
    city, _focal, officer = pending
    login_as(officer)
    assert "awa@dakar.example" in html_of(client.get(f"/cities/{city.id}"))


def test_focal_point_sees_the_city_without_the_buttons(client, login_as, pending):
    city, focal, _officer = pending
    login_as(focal)
    response = client.get(f"/cities/{city.id}")
    assert response.status_code == 200
    html = html_of(response)
    assert "Dakar" in html
    assert "/workflow/city/" not in html


@pytest.mark.parametrize(
    "make",
    [factories.make_focal_point, factories.make_reviewer, factories.make_user],
    ids=["another city's focal point", "reviewer", "no role"],
)
def test_other_users_get_404_for_the_city_page(client, login_as, pending, make):
    city, _focal, _officer = pending
    someone = make()
    db.session.commit()
    login_as(someone)
    assert client.get(f"/cities/{city.id}").status_code == 404


def test_visitors_are_sent_to_sign_in_from_a_city_page(client, pending):
    city, _focal, _officer = pending
    response = client.get(f"/cities/{city.id}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("city_id", ["99999", "2147483648", "9" * 30, "-1", "abc"])
def test_unknown_city_is_404(app, client, login_as, city_id):
    """Ids too large for the database are no city either, not a database error."""
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    assert client.get(f"/cities/{city_id}").status_code == 404


@pytest.mark.parametrize("comment", ["", "Documents checked."])
def test_secretariat_verifies_with_or_without_a_comment(client, login_as, pending, comment):
    city, _focal, officer = pending
    login_as(officer)
    response = fire(client, city, "verify", comment)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cities/{city.id}"
    assert state_of(city) == "verified"
    [event] = events(city)
    assert (event.transition, event.actor_id, event.comment) == ("verify", officer.id, comment)


def test_verification_queues_the_email_to_the_focal_point(client, login_as, pending, outbox):
    city, focal, officer = pending
    login_as(officer)
    fire(client, city, "verify")
    [message] = outbox(template="transition")
    assert message.recipient_id == focal.id
    assert message.locale == "fr"
    assert message.link.endswith(f"/cities/{city.id}")
    assert "Dakar" in message.body_text


def test_verified_city_shows_as_verified_to_its_focal_point(client, login_as, pending):
    city, focal, officer = pending
    login_as(officer)
    fire(client, city, "verify")
    login_as(focal)
    html = html_of(client.get("/"))
    # The focal point reads French: look for the verified state's badge, not its title.
    assert (
        f'href="/cities/{city.id}" dir="auto">Dakar</a> <span class="badge text-bg-success">'
        in html
    )


def test_rejection_needs_a_comment(client, login_as, pending, outbox):
    city, _focal, officer = pending
    login_as(officer)
    response = fire(client, city, "reject", "   ")
    assert response.status_code == 302
    assert "A comment is required for this action." in html_of(client.get(f"/cities/{city.id}"))
    assert state_of(city) == "pending"
    assert events(city) == []
    assert outbox(template="transition") == []


def test_rejection_with_a_comment_rejects_and_tells_the_focal_point(
    client, login_as, pending, outbox
):
    city, focal, officer = pending
    login_as(officer)
    fire(client, city, "reject", "Not a local government.")
    assert state_of(city) == "rejected"
    [message] = outbox(template="transition")
    assert message.recipient_id == focal.id
    assert "Not a local government." in message.body_text


@pytest.mark.parametrize("transition", ["verify", "reject"])
def test_focal_point_cannot_decide_on_its_own_city(client, login_as, pending, transition):
    city, focal, _officer = pending
    login_as(focal)
    response = fire(client, city, transition, "Please.")
    assert response.status_code == 302
    # The focal point reads French: look for the refusal's alert, not its wording.
    assert 'class="alert alert-danger" role="alert"' in html_of(client.get(f"/cities/{city.id}"))
    assert state_of(city) == "pending"
    assert events(city) == []


def test_another_focal_point_gets_404_when_verifying(client, login_as, pending):
    city, _focal, _officer = pending
    other = factories.make_focal_point()
    db.session.commit()
    login_as(other)
    assert fire(client, city, "verify").status_code == 404
    assert state_of(city) == "pending"


def test_a_verified_city_cannot_be_verified_again(client, login_as, pending):
    city, _focal, officer = pending
    login_as(officer)
    fire(client, city, "verify")
    fire(client, city, "verify")
    assert len(events(city)) == 1


def test_buttons_disappear_once_the_city_is_verified(client, login_as, pending):
    city, _focal, officer = pending
    login_as(officer)
    fire(client, city, "verify")
    html = html_of(client.get(f"/cities/{city.id}"))
    assert f'action="{VERIFY_FORM.format(id=city.id)}"' not in html
    assert f'action="{REJECT_FORM.format(id=city.id)}"' not in html


def test_city_page_shows_the_history(client, login_as, pending):
    city, _focal, officer = pending
    login_as(officer)
    fire(client, city, "verify", "Documents checked.")
    assert "Documents checked." in html_of(client.get(f"/cities/{city.id}"))


def test_registration_then_verification_end_to_end(app, client, login_as, outbox):
    """The whole path: register, the secretariat verifies, the e-mail is queued."""
    officer = factories.make_secretariat()
    db.session.commit()
    client.post(
        "/register",
        data={
            "name": "Li Na",
            "email": "li@chengdu.example",
            "password": "a long enough password",
            "confirm": "a long enough password",
            "locale": "zh",
            "city_name": "Chengdu",
            "country": "CN",
        },
    )
    city = db.session.scalar(sa.select(City).where(City.name == "Chengdu"))
    assert city.state == "pending"
    login_as(officer)
    fire(client, city, "verify")
    assert state_of(city) == "verified"
    [message] = outbox(template="transition", to="li@chengdu.example")
    assert message.locale == "zh"
