"""The authors ask referees for letters from the nomination's page: the form's errors beside
its fields, the referee's e-mail in the referee's language with a link that works, the field's
maximum, and who may ask."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from letters_support import ask_letter, field_error, link_path, outbox, text

from recognition.letters.models import Letter
from recognition.workflow.registry import has_tag

FIELD = "endorsements"


def form(name="Rania Referee", email="rania@partners.example", language="ar", org="ONG"):
    return {
        f"{FIELD}-name": name,
        f"{FIELD}-organisation": org,
        f"{FIELD}-email": email,
        f"{FIELD}-language": language,
    }


def ask_url(nomination, field=FIELD):
    return f"/nominations/{nomination.id}/letters/{field}"


def letters(db) -> list[Letter]:
    return list(db.session.scalars(sa.select(Letter).order_by(Letter.id)))


def test_the_nomination_page_offers_the_form(world, client, login_as):
    login_as(world.focal)
    page = text(client.get(f"/nominations/{world.rmc.id}"))
    assert 'id="letters-endorsements"' in page
    assert f'action="/nominations/{world.rmc.id}/letters/endorsements"' in page
    assert 'name="endorsements-email"' in page


def test_asking_creates_the_letter_and_goes_back_to_the_page(world, client, login_as, db):
    login_as(world.focal)
    page = f"/nominations/{world.rmc.id}"
    response = client.post(ask_url(world.rmc), data={**form(), "next": page})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{page}#letters-endorsements"
    (letter,) = letters(db)
    assert (letter.referee_name, letter.referee_organisation, letter.language) == (
        "Rania Referee",
        "ONG",
        "ar",
    )
    assert has_tag(letter, "awaited") and letter.requested_by_id == world.focal.id
    assert len(letter.token_hash) == 64  # the sha256 only


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "not an address"}, "email", "Invalid email address."),
        ({"language": "de"}, "language", "Not a valid choice."),
    ],
)
def test_errors_show_beside_their_field_and_nothing_is_asked(
    world, client, login_as, db, change, field, message
):
    login_as(world.focal)
    response = client.post(ask_url(world.rmc), data=form(**change))
    assert response.status_code == 400
    assert field_error(response, f"{FIELD}-{field}") == [message]
    assert "Rania" in text(response) or change == {"name": ""}  # what was typed stays
    assert letters(db) == [] and outbox() == []


def test_the_email_is_queued_in_the_referees_language_with_a_link_that_works(
    world, client, login_as
):
    login_as(world.focal)
    client.post(ask_url(world.rmc), data=form(language="fr"))
    (message,) = outbox(template="letter_request")
    assert (message.to_email, message.locale, message.recipient_id) == (
        "rania@partners.example",
        "fr",
        None,
    )
    assert "Makati" in message.subject
    assert message.body_text.startswith("Bonjour Rania Referee,")
    assert 'lang="fr"' in message.body_html
    assert message.link in message.body_text and message.link in message.body_html
    login_as(None)
    page = client.get(link_path(message))
    assert page.status_code == 200
    assert '<html lang="fr" dir="ltr">' in text(page)


def test_the_referee_is_not_asked_twice_for_one_field(world, client, login_as, db):
    login_as(world.focal)
    client.post(ask_url(world.rmc), data=form())
    response = client.post(ask_url(world.rmc), data=form(name="Again"))
    assert response.status_code == 400
    assert field_error(response, f"{FIELD}-email") == [
        "This referee is already asked for a letter here."
    ]
    assert len(letters(db)) == 1


def test_no_more_letters_than_the_field_takes(world, client, login_as, db):
    for n in range(3):
        ask_letter(world.rmc, FIELD, world.focal, email=f"r{n}@example.org")
    db.session.commit()
    login_as(world.focal)
    assert f'action="{ask_url(world.rmc)}"' not in text(client.get(f"/nominations/{world.rmc.id}"))
    response = client.post(ask_url(world.rmc), data=form(email="fourth@example.org"))
    assert response.status_code == 400
    assert "At most 3 letters can be asked here." in text(response)
    assert len(letters(db)) == 3


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer", 403), ("stranger", 404), ("reviewer", 404), (None, 302)],
)
def test_only_the_authors_ask(world, client, login_as, db, who, status):
    login_as(getattr(world, who) if who else None)
    response = client.post(ask_url(world.rmc), data=form())
    assert response.status_code == status
    assert letters(db) == []


def test_a_submitted_nomination_asks_no_more_letters(world, client, login_as, db):
    world.rmc.state, world.rmc.submitted_at = "submitted", world.rmc.created_at
    db.session.commit()
    login_as(world.focal)
    assert client.post(ask_url(world.rmc), data=form()).status_code == 403
    assert 'name="endorsements-email"' not in text(client.get(f"/nominations/{world.rmc.id}"))


def test_an_unknown_field_is_not_found(world, client, login_as):
    login_as(world.focal)
    assert client.post(ask_url(world.rmc, "motivation"), data=form()).status_code == 404
    assert client.get(ask_url(world.rmc, "nothing")).status_code == 404


def test_the_ask_page_shows_the_form_alone(world, client, login_as):
    login_as(world.focal)
    response = client.get(ask_url(world.rmc))
    assert response.status_code == 200
    assert "Ask a referee for a letter" in text(response)
