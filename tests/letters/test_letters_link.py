"""The referee's link: no account, the nomination in short, a letter written or a PDF
uploaded; a refused file keeps the letter typed; a used, expired, replaced or unknown link
answers 410 or 404 and writes nothing; a token opens its own letter only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from letters_support import (
    PNG,
    ask_letter,
    field_error,
    history_count,
    pdf_bytes,
    post_multipart,
    referee,
    stored,
    text,
    upload,
)

from recognition.letters.operations import replace
from recognition.nominations.storage import blob_path
from recognition.timeutil import utcnow
from recognition.workflow.engine import ConditionNotMet, NotAllowed, fire

FIELD = "endorsements"


@pytest.fixture
def asked(world, db):
    """A letter asked of an Arabic-speaking referee for the Role Model City nomination."""
    letter, token = ask_letter(world.rmc, FIELD, world.focal)
    db.session.commit()
    return letter, token


def url(token: str) -> str:
    return f"/letters/{token}"


def test_the_page_needs_no_account_and_summarises_the_nomination(asked, client):
    letter, token = asked
    response = client.get(url(token))
    assert response.status_code == 200
    page = text(response)
    for shown in (
        "Makati",  # the nominee
        "Role Model Cities 2027",  # the call's title
        "Grace Santos",  # who asks
        "Neighbourhood risk maps drawn with residents.",  # a public answer
        'name="text"',
        'name="letter_file"',
    ):
        assert shown in page, shown
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_speaks_the_referees_language_and_lang_switches_it(asked, client):
    _letter, token = asked
    assert '<html lang="ar" dir="rtl">' in text(client.get(url(token)))
    assert '<html lang="fr" dir="ltr">' in text(client.get(url(token) + "?lang=fr"))


def test_the_language_menu_counts_once_the_referee_has_been_here(asked, client):
    _letter, token = asked
    client.get(url(token))  # first visit: the letter's language, remembered
    client.post("/language", data={"lang": "es", "next": url(token)})
    assert '<html lang="es" dir="ltr">' in text(client.get(url(token)))


def test_a_written_letter_is_received(asked, client, db):
    letter, token = asked
    events = history_count()
    response = client.post(url(token), data={"text": "Makati leads the region.\nSincerely."})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/letters/sent")
    kept = stored(letter.id)
    assert (kept.state, kept.text) == ("received", "Makati leads the region.\nSincerely.")
    assert kept.received_at is not None and kept.sha256 == ""
    assert history_count() == events + 1
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_pdf_letter_is_received(asked, client):
    letter, token = asked
    data = pdf_bytes("support")
    response = post_multipart(
        client, url(token), {"text": "", "letter_file": upload(data, "../letter of support.pdf")}
    )
    assert response.status_code == 303
    kept = stored(letter.id)
    assert (kept.state, kept.mime, kept.size, kept.filename) == (
        "received",
        "application/pdf",
        len(data),
        "letter of support.pdf",
    )
    assert blob_path(kept.sha256).read_bytes() == data


def test_the_history_names_no_account(asked, client, db):
    from recognition.workflow.history import WorkflowEvent

    letter, token = asked
    client.post(url(token), data={"text": "Yes."})
    event = db.session.scalars(
        db.select(WorkflowEvent).where(WorkflowEvent.transition == "receive")
    ).one()
    assert (event.object_id, event.actor_id) == (letter.id, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (PNG, "“map.png”: Send the letter as a PDF file."),
        (pdf_bytes(size=1024 * 1024 + 10), "“map.png”: The file is larger than 1 MB."),
    ],
    ids=["not a pdf", "too large"],
)
def test_a_refused_file_is_said_and_the_letter_typed_is_kept(
    asked, client, app, monkeypatch, data, message
):
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_FILE_MB", 1)
    letter, token = asked
    events = history_count()
    response = post_multipart(
        client,
        url(token) + "?lang=en",
        {"text": "My long letter.", "letter_file": upload(data, "map.png")},
    )
    assert response.status_code == 400
    assert field_error(response, "letter_file") == [message]
    assert "My long letter.</textarea>" in text(response)
    assert stored(letter.id).state == "requested" and history_count() == events


def test_an_empty_letter_is_refused_beside_the_text(asked, client):
    letter, token = asked
    response = client.post(url(token) + "?lang=en", data={"text": "   "})
    assert response.status_code == 400
    assert field_error(response, "text") == ["Write the letter here, or upload it as a PDF."]
    assert stored(letter.id).state == "requested"


def test_a_letter_too_long_is_refused_and_kept(asked, client):
    letter, token = asked
    response = client.post(url(token) + "?lang=en", data={"text": "word " * 4001})
    assert response.status_code == 400
    assert field_error(response, "text") == [
        "Write at most 20000 characters, or upload the letter as a PDF."
    ]
    assert stored(letter.id).state == "requested"


# -- links that no longer open the form ------------------------------------------------------


def _unchanged(letter, events, before):
    kept = stored(letter.id)
    assert (kept.version, kept.state, kept.text) == (before.version, before.state, before.text)
    assert history_count() == events


def test_a_used_link_is_gone_and_writes_nothing(asked, client):
    letter, token = asked
    client.post(url(token), data={"text": "First."})
    before, events = stored(letter.id), history_count()
    get = client.get(url(token) + "?lang=en")
    post = client.post(url(token), data={"text": "Second."})
    assert (get.status_code, post.status_code) == (410, 410)
    assert "Your letter has been received. Thank you." in text(get)
    assert 'name="text"' not in text(get)
    _unchanged(letter, events, before)
    assert stored(letter.id).text == "First."


def test_an_expired_link_is_gone_and_writes_nothing(asked, client, db):
    letter, token = asked
    letter.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    before, events = stored(letter.id), history_count()
    get = client.get(url(token) + "?lang=en")
    post = client.post(url(token), data={"text": "Late."})
    assert (get.status_code, post.status_code) == (410, 410)
    assert "This link has expired." in text(get)
    _unchanged(letter, events, before)


def test_a_replaced_link_is_gone_and_writes_nothing(asked, world, client, db):
    letter, token = asked
    replace(
        db.session.get(type(letter), letter.id), referee(email="other@example.org"), world.focal
    )
    db.session.commit()
    before, events = stored(letter.id), history_count()
    get = client.get(url(token) + "?lang=en")
    post = client.post(url(token), data={"text": "Too late."})
    assert (get.status_code, post.status_code) == (410, 410)
    assert "This request was withdrawn" in text(get)
    _unchanged(letter, events, before)


@pytest.mark.parametrize(
    "token",
    ["A" * 43, "short", "x" * 200, "-" * 43],
)
def test_an_unknown_token_is_not_found(asked, client, token):
    letter, _token = asked
    events = history_count()
    assert client.get(url(token)).status_code == 404
    assert client.post(url(token), data={"text": "Hello"}).status_code == 404
    assert stored(letter.id).state == "requested" and history_count() == events


def test_a_token_opens_its_own_letter_only(world, client, db):
    first, first_token = ask_letter(world.rmc, FIELD, world.focal, email="a@example.org")
    second, second_token = ask_letter(
        world.sasakawa, "referee_letters", world.focal, name="Bo", email="b@example.org"
    )
    db.session.commit()
    page = text(client.get(url(second_token)))
    assert "Sasakawa Award 2027" in page and "Role Model Cities 2027" not in page
    client.post(url(first_token), data={"text": "For the first."})
    assert stored(first.id).text == "For the first."
    assert stored(second.id).state == "requested" and stored(second.id).text == ""


# -- the engine, behind the link ---------------------------------------------------------------


def test_the_state_menu_cannot_receive_a_letter(asked, world, client, login_as):
    """The workflow's own endpoint has no token: the authors cannot mark a letter received."""
    letter, _token = asked
    login_as(world.focal)
    response = client.post(
        f"/workflow/letter/{letter.id}/receive", data={"next": "/", "version": letter.version}
    )
    assert response.status_code == 302
    assert stored(letter.id).state == "requested"


def test_the_engine_wants_the_letters_own_token(world, db):
    first, _first_token = ask_letter(world.rmc, FIELD, world.focal, email="a@example.org")
    _second, second_token = ask_letter(world.rmc, FIELD, world.focal, email="b@example.org")
    with pytest.raises(ConditionNotMet):
        fire(first, "receive", None, data={"token": second_token})
    with pytest.raises(NotAllowed):
        fire(first, "replace", None)
    assert first.state == "requested"
