"""Drafts keep what is typed, within bounds: an answer longer than its limit is cut there,
with a message beside the field; the large request limit is for the page that takes files."""

from __future__ import annotations

import factories
import pytest
from nominations_support import upload

from recognition.extensions import db
from recognition.nominations.models import Attachment, Nomination
from recognition.programmes.formbuilder import LONG_TEXT_CHARACTERS


def _edit(client, nomination, section, data, **kwargs):
    return client.post(f"/nominations/{nomination.id}/edit/{section}", data=data, **kwargs)


def _stored(nomination) -> dict:
    db.session.expire_all()
    return db.session.get(Nomination, nomination.id).answers


def test_an_overlong_answer_is_kept_cut_at_its_limit_with_a_message(client, login_as, focal, draft):
    db.session.commit()
    login_as(focal)
    response = _edit(client, draft, "motivation", {"motivation": "x" * 100_000, "innovation": "y"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "At most 60000 characters: what goes beyond is not kept when you save." in page
    answers = _stored(draft)
    assert len(answers["motivation"]) == LONG_TEXT_CHARACTERS
    assert answers["innovation"] == "y"


def test_a_short_text_keeps_its_own_limit(client, login_as, focal, draft):
    db.session.commit()
    login_as(focal)
    _edit(client, draft, "nominator", {"nominator_name": "n" * 5_000})
    assert len(_stored(draft)["nominator_name"]) == 200  # max_length in role_model_city.yaml


def test_a_choice_list_cannot_grow_beyond_its_choices(client, login_as, focal, draft):
    db.session.commit()
    login_as(focal)
    _edit(client, draft, "profile", {"hazards": ["flood"] * 10_000})
    assert len(_stored(draft)["hazards"]) <= 11


@pytest.mark.parametrize("megabytes", [2, 40])
def test_a_form_without_files_is_refused_unread_beyond_the_form_limit(
    client, login_as, focal, draft, megabytes
):
    """The limit used to be a whole nomination's files (101 MB) for every page."""
    db.session.commit()
    big = "p" * (megabytes << 20)
    assert client.post("/login", data={"email": "a@b.c", "password": big}).status_code == 413
    login_as(focal)
    response = client.post("/language", data={"lang": "fr", "next": big})
    assert response.status_code == 413


def test_the_page_that_takes_files_still_takes_a_large_file(
    app, client, login_as, focal, draft, monkeypatch
):
    monkeypatch.setitem(app.config, "RECOGNITION_MAX_FORM_KB", 64)
    db.session.commit()
    login_as(focal)
    letter = factories.pdf_bytes("letter", size=200 << 10)  # beyond the form limit
    response = _edit(
        client,
        draft,
        "nominator",
        {"motivation_letter": upload(letter, "letter.pdf"), "nominator_type": "self"},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302)
    assert db.session.query(Attachment).filter_by(nomination_id=draft.id).count() == 1


def test_a_file_the_storage_refuses_keeps_the_text_typed_beside_it(
    app, client, login_as, focal, draft, tmp_path, monkeypatch
):
    """The storage fails for real (its folder cannot be made: a file stands in the way), as a
    full or read-only disk would: the file is refused beside its field, the text is saved."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    monkeypatch.setitem(app.config, "RECOGNITION_UPLOAD_FOLDER", str(blocker / "uploads"))
    db.session.commit()
    login_as(focal)
    response = _edit(
        client,
        draft,
        "nominator",
        {
            "nominator_type": "campaign_partner",
            "nominator_name": "Kept across the failure",
            "motivation_letter": upload(factories.pdf_bytes("x"), "letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "The file could not be stored just now." in response.get_data(as_text=True)
    answers = _stored(draft)
    assert answers["nominator_name"] == "Kept across the failure"
    assert db.session.query(Attachment).filter_by(nomination_id=draft.id).count() == 0


def test_the_limit_holds_with_csrf_protection_on(app, client, login_as, focal, monkeypatch):
    """The CSRF check reads the whole form: the size limit must refuse the body before it."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    db.session.commit()
    login_as(focal)
    response = client.post("/language", data={"lang": "fr", "next": "p" * (3 << 20)})
    assert response.status_code == 413
