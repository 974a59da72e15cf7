"""The languages a reviewer reads: declared in the profile, or by the secretariat in the
invitation; each offered in its own language, saved in the site's order."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from accounts_support import html_of
from flask_babel import force_locale, gettext

from recognition.accounts.models import User
from recognition.extensions import db

#: Each language as its checkbox names it: in itself, in its own direction.
OWN_NAMES = {
    "en": ("English", "ltr"),
    "ar": ("العربية", "rtl"),
    "es": ("español", "ltr"),
    "fr": ("français", "ltr"),
    "ru": ("русский", "ltr"),
    "zh": ("中文", "ltr"),
}


def profile_data(user, **changes):
    data = {"name": user.name, "locale": user.locale, "timezone": user.timezone}
    data.update(changes)
    return data


def invitation(**changes):
    data = {
        "name": "Kofi Mensah",
        "email": "kofi@example.org",
        "role": "reviewer",
        "locale": "fr",
        "country": "GH",
        "affiliations": "",
    }
    data.update(changes)
    return data


def checkboxes(html: str) -> dict[str, tuple[str, str, str]]:
    """The languages checkboxes: code -> (label text, its lang, its dir), each label tied to
    its input by ``for``."""
    found = {}
    for input_id, code in re.findall(
        r'<input [^>]*id="(languages-\d)" name="languages" type="checkbox" value="(\w+)"', html
    ):
        label = re.search(
            rf'<label class="form-check-label" for="{input_id}" lang="(\w+)" dir="(\w+)">([^<]+)<',
            html,
        )
        assert label, f"no label for {input_id}"
        found[code] = (label.group(3), label.group(1), label.group(2))
    return found


@pytest.fixture
def reviewer(app):
    user = factories.make_reviewer(name="Amina Diallo", locale="fr")
    db.session.commit()
    return user


@pytest.mark.parametrize("page_language", ["en", "ar"])
def test_the_profile_offers_each_language_named_in_itself(
    client, login_as, reviewer, page_language
):
    reviewer.locale = page_language
    db.session.commit()
    login_as(reviewer)
    html = html_of(client.get("/profile"))
    assert checkboxes(html) == {
        code: (name, code, direction) for code, (name, direction) in OWN_NAMES.items()
    }


@pytest.mark.parametrize(
    ("ticked", "saved"),
    [(["fr"], ["fr"]), (["zh", "ar", "fr"], ["ar", "fr", "zh"]), ([], [])],
)
def test_a_reviewer_saves_the_languages_they_read(client, login_as, reviewer, ticked, saved):
    reviewer.languages = ["ru"]
    db.session.commit()
    login_as(reviewer)
    response = client.post("/profile", data=profile_data(reviewer, languages=ticked))
    assert response.status_code == 302
    db.session.refresh(reviewer)
    assert reviewer.languages == saved


def test_the_profile_shows_the_languages_saved_as_ticked(client, login_as, reviewer):
    reviewer.languages = ["ar", "es"]
    db.session.commit()
    login_as(reviewer)
    html = html_of(client.get("/profile"))
    ticked = re.findall(r'<input checked [^>]*name="languages" type="checkbox" value="(\w+)"', html)
    assert ticked == ["ar", "es"]


def test_a_language_not_offered_is_refused_next_to_the_field(client, login_as, reviewer):
    login_as(reviewer)
    response = client.post("/profile", data=profile_data(reviewer, languages=["fr", "xx"]))
    html = html_of(response)
    assert response.status_code == 200
    with force_locale("fr"):  # the reviewer reads the site in French
        message = gettext("Choose among the languages offered.")
    assert message != "Choose among the languages offered."
    assert f'<div id="languages-error" class="invalid-feedback d-block">{message}</div>' in html
    assert 'aria-describedby="languages-help languages-error"' in html
    db.session.refresh(reviewer)
    assert reviewer.languages == []


def test_a_user_who_does_not_review_is_not_asked_and_keeps_their_languages(client, login_as):
    focal = factories.make_focal_point(languages=["es"])
    db.session.commit()
    login_as(focal)
    assert 'name="languages"' not in html_of(client.get("/profile"))
    client.post("/profile", data=profile_data(focal, name="New Name"))
    db.session.refresh(focal)
    assert (focal.name, focal.languages) == ("New Name", ["es"])


def test_a_user_declares_no_language_until_they_do(app):
    user = factories.make_user()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).languages == []


# -- the invitation ---------------------------------------------------------------------------


@pytest.fixture
def officer(app):
    user = factories.make_secretariat(name="Sofía Officer")
    db.session.commit()
    return user


def test_the_invitation_asks_which_languages_the_reviewer_reads(client, login_as, officer):
    login_as(officer)
    html = html_of(client.get("/invite"))
    assert "Languages the reviewer reads" in html
    assert set(checkboxes(html)) == set(OWN_NAMES)


def test_the_invitation_saves_the_languages_the_reviewer_reads(client, login_as, officer):
    login_as(officer)
    response = client.post("/invite", data=invitation(languages=["ru", "en"]))
    assert response.status_code == 302
    invited = db.session.scalar(sa.select(User).where(User.email == "kofi@example.org"))
    assert invited.languages == ["en", "ru"]


def test_an_invitation_without_languages_saves_none(client, login_as, officer):
    login_as(officer)
    client.post("/invite", data=invitation())
    invited = db.session.scalar(sa.select(User).where(User.email == "kofi@example.org"))
    assert (invited.languages, invited.locale) == ([], "fr")


def test_an_invitation_with_a_language_not_offered_is_refused(client, login_as, officer):
    login_as(officer)
    response = client.post("/invite", data=invitation(languages=["klingon"]))
    assert response.status_code == 200
    assert "Choose among the languages offered." in html_of(response)
    assert db.session.scalar(sa.select(User).where(User.email == "kofi@example.org")) is None
