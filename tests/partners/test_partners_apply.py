"""Applying as a campaign partner: signed in, or with a new account; bad input is said next
to its field and nothing typed is lost; a name already taken is refused."""

from __future__ import annotations

import factories
import pytest
import sqlalchemy as sa
from partners_support import account_data, error_after, organisation_data, text_of

from recognition.accounts.models import User
from recognition.notifications.models import OutboxMessage
from recognition.partners.models import Partner, PartnerMember
from recognition.workflow.history import WorkflowEvent


def partners(db) -> list[Partner]:
    return list(db.session.scalars(sa.select(Partner).order_by(Partner.id)))


def test_a_signed_in_user_applies_and_becomes_the_focal_point(db, client, login_as, officer):
    user = factories.make_user(name="Amina Applicant")
    db.session.commit()
    login_as(user)
    response = client.post(
        "/partners/apply",
        data=organisation_data(name_fr="Réseau résilience", offer_fr="Formation."),
    )
    [partner] = partners(db)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partners/{partner.id}"
    assert partner.state == "applied"
    assert partner.names == {"en": "Resilience Network", "fr": "Réseau résilience"}
    assert partner.offer == {"en": "Training for city engineers.", "fr": "Formation."}
    assert (partner.kind, partner.country, partner.essentials) == ("ngo", "KE", [3, 9])
    assert partner.website == "https://resilience.example.org"
    assert [(m.user_id, m.role) for m in partner.members] == [(user.id, "focal")]
    created = db.session.scalars(
        sa.select(WorkflowEvent).where(WorkflowEvent.object_type == "partner")
    ).all()
    assert [(e.transition, e.to_state, e.actor_id) for e in created] == [
        ("create", "applied", user.id)
    ]
    # The secretariat is told that an application waits.
    told = db.session.scalars(sa.select(OutboxMessage.to_email)).all()
    assert told == ["officer@example.org"]


def test_global_organisation_and_website_without_scheme(db, client, login_as):
    login_as(factories.make_user())
    db.session.commit()
    client.post("/partners/apply", data=organisation_data(country="global", website="un.org"))
    [partner] = partners(db)
    assert partner.country is None
    assert partner.website == "https://un.org"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name_en": ""}, "name_en", "The name in the source language is required."),
        (
            {"source_language": "es", "offer_es": "Formación."},
            "name_es",
            "The name in the source language is required.",
        ),
        (
            {"offer_en": ""},
            "offer_en",
            "Say what the organisation offers cities, in the source language.",
        ),
        ({"kind": ""}, "kind", "This field is required."),
        ({"kind": "church"}, "kind", "Not a valid choice."),
        ({"country": ""}, "country", "This field is required."),
        ({"country": "XX"}, "country", "Not a valid choice."),
        (
            {"website": "javascript://example.org/%0aalert(1)"},
            "website",
            "Enter the address of a website, such as https://www.example.org.",
        ),
        ({"essentials": ["11"]}, "essentials", "'11' is not a valid choice for this field."),
        ({"name_en": "N" * 201}, "name_en", "Field cannot be longer than 200 characters."),
    ],
)
def test_bad_input_is_said_next_to_its_field_and_nothing_is_saved(
    db, client, login_as, changes, field, message
):
    login_as(factories.make_user())
    db.session.commit()
    data = organisation_data(name_fr="Réseau résilience", **changes)
    response = client.post("/partners/apply", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert error_after(html, field) == message
    assert partners(db) == []
    # What was typed is still there.
    assert "Réseau résilience" in html
    assert "Training for city engineers." in html or field == "offer_en"


def test_an_unreadable_essential_is_an_error_not_a_crash(db, client, login_as):
    login_as(factories.make_user())
    db.session.commit()
    response = client.post("/partners/apply", data=organisation_data(essentials=["abc"]))
    assert response.status_code == 200
    assert error_after(response.get_data(as_text=True), "essentials")
    assert partners(db) == []


@pytest.mark.parametrize("typed", ["Global Alliance", "  global   alliance ", "Alliance mondiale"])
def test_a_name_already_taken_is_refused(db, client, login_as, alliance, typed):
    login_as(alliance.outsider)
    response = client.post("/partners/apply", data=organisation_data(name_en=typed))
    assert error_after(response.get_data(as_text=True), "name_en") == (
        "An organisation with this name has already applied or is a campaign partner."
    )
    assert partners(db) == [alliance.partner]


def test_a_rejected_application_does_not_hold_its_name(db, client, login_as):
    factories.make_partner("Second Chance", state="rejected")
    user = factories.make_user()
    db.session.commit()
    login_as(user)
    client.post("/partners/apply", data=organisation_data(name_en="Second Chance"))
    assert [p.state for p in partners(db)] == ["rejected", "applied"]


def test_a_visitor_is_offered_an_account_with_the_application(client, db):
    response = client.get("/partners/apply")
    text = text_of(response)
    assert response.status_code == 200
    assert "this form creates yours, as the organisation's campaign focal point" in text
    html = response.get_data(as_text=True)
    assert 'href="/login?next=/partners/apply"' in html
    assert 'name="password"' in html


def test_a_signed_in_user_is_not_asked_for_an_account(client, db, login_as):
    login_as(factories.make_user())
    db.session.commit()
    html = client.get("/partners/apply").get_data(as_text=True)
    assert 'name="password"' not in html
    assert 'name="name_en"' in html


def test_a_visitor_applies_with_a_new_account(client, db, officer):
    response = client.post("/partners/apply", data={**organisation_data(), **account_data()})
    [partner] = partners(db)
    user = db.session.scalar(sa.select(User).where(User.email == "wanjiru@example.org"))
    assert response.status_code == 302
    assert user.name == "Wanjiru Kamau" and user.timezone == "Africa/Nairobi"
    assert user.email_confirmed_at is None
    assert partner.focal_point == user
    # Signed in as the new focal point, who sees the application.
    page = client.get(f"/partners/{partner.id}")
    assert page.status_code == 200
    assert "Applied" in text_of(page)
    # A link to confirm the address; the secretariat is told.
    mail = {m.to_email: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(mail) == {"wanjiru@example.org", "officer@example.org"}
    assert "/confirm/" in mail["wanjiru@example.org"].link


def test_a_visitor_with_an_address_already_used_is_told(client, db):
    factories.make_user(email="wanjiru@example.org")
    db.session.commit()
    data = {**organisation_data(), **account_data()}
    html = client.post("/partners/apply", data=data).get_data(as_text=True)
    assert error_after(html, "email") == "An account with this e-mail address already exists."
    assert partners(db) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartnerMember)) == 0


def test_a_visitor_with_differing_passwords_keeps_what_they_typed(client, db):
    data = {**organisation_data(), **account_data(confirm="something else entirely")}
    html = client.post("/partners/apply", data=data).get_data(as_text=True)
    assert error_after(html, "confirm") == "The passwords differ."
    assert "Resilience Network" in html and "wanjiru@example.org" in html
    assert partners(db) == []


def test_applications_from_one_address_are_limited(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_REGISTER_LIMIT", "2/hour")
    data = {**organisation_data(), **account_data(confirm="different")}
    for _ in range(2):
        assert client.post("/partners/apply", data=data).status_code == 200
    response = client.post("/partners/apply", data=data)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Resilience Network" in response.get_data(as_text=True)


def test_the_application_form_reads_right_to_left_in_arabic(client, db):
    html = client.get("/partners/apply?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    # The source language's fields follow the language they are written in.
    assert 'lang="ar" dir="rtl"' in html and 'lang="en" dir="ltr"' in html


@pytest.mark.parametrize(
    "changes",
    [
        {"source_language": "xx"},
        {"source_language": ""},
        {"essentials": ["1"] * 50 + ["0"]},
        {"country": "global" * 100},
        {"website": "http://" + "a" * 400 + ".org"},
        {"name_ar": "x\u0000y" * 300},
    ],
)
def test_unexpected_input_is_refused_gently(db, client, login_as, changes):
    login_as(factories.make_user())
    db.session.commit()
    response = client.post("/partners/apply", data=organisation_data(**changes))
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    assert partners(db) == []
