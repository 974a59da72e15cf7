"""Each role's key pages in every language: translated, with the right lang and dir."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from factories import (
    make_assignment,
    make_call,
    make_focal_point,
    make_nomination,
    make_reviewer,
    make_secretariat,
)

from recognition.config import LANGUAGES

ROOT = Path(__file__).resolve().parents[2] / "translations"
TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sd]")


def english_msgids(lang: str) -> set[str]:
    """English texts whose translation in ``lang`` differs: none may show on its pages."""
    with open(ROOT / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=lang)
    found = set()
    for m in catalog:
        if not m.id or not isinstance(m.id, str) or m.string == m.id:
            continue
        for piece in PLACEHOLDER.split(m.id):
            piece = piece.strip(" .:,;()—-")
            if len(piece) >= 14 and " " in piece:
                found.add(piece)
    return found


def visible_text(page: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


@pytest.fixture
def world(db):
    officer = make_secretariat(email="officer@example.org")
    focal = make_focal_point(email="focal@example.org")
    city = focal.memberships[0].city
    reviewer = make_reviewer(email="rev@example.org")
    call = make_call("role_model_city")
    nomination = make_nomination(call, city, state="under_review")
    assignment = make_assignment(nomination, reviewer, state="accepted")
    db.session.commit()
    return {
        "officer": officer,
        "focal": focal,
        "reviewer": reviewer,
        "call": call,
        "nomination": nomination,
        "assignment": assignment,
    }


def pages_for(world) -> dict[str, list[str]]:
    n, c, a = world["nomination"], world["call"], world["assignment"]
    return {
        "visitor": [
            "/",
            "/login",
            "/register",
            "/calls",
            f"/calls/{c.id}",
            "/recognised",
            "/password/forgot",
        ],
        "focal": ["/", "/nominations", f"/nominations/{n.id}", "/profile", "/notifications"],
        "reviewer": ["/", "/reviews", f"/reviews/{a.id}"],
        "officer": [
            "/",
            "/secretariat/",
            f"/nominations/{n.id}",
            f"/secretariat/calls/{c.id}/dashboard",
            f"/secretariat/calls/{c.id}/ranking",
            "/secretariat/worklists/nomination/awaiting_screening",
            "/workflow/nomination",
            "/secretariat/audit",
        ],
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_pages_are_translated(lang, world, client, login_as, db):
    leftovers = english_msgids(lang) if lang != "en" else set()
    for role, paths in pages_for(world).items():
        user = world.get(role)
        if user is not None:
            user.locale = lang
            db.session.commit()
            login_as(user)
        else:
            login_as(None)
        for path in paths:
            query = f"{'&' if '?' in path else '?'}lang={lang}"
            response = client.get(path + query)
            assert response.status_code == 200, (role, path)
            page = response.get_data(as_text=True)
            assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in page
            text = visible_text(page)
            untranslated = sorted(m for m in leftovers if m in text)
            assert untranslated == [], (role, path, untranslated[:5])


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_form_errors_come_back_in_the_language(lang, client):
    english = client.post("/register?lang=en", data={"email": "x"}).get_data(as_text=True)
    page = client.post(f"/register?lang={lang}", data={"email": "x"}).get_data(as_text=True)
    assert "This field is required." in english
    assert "This field is required." not in page
    assert "invalid-feedback" in page


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_email_renders_in_the_recipient_language_not_the_sender(lang, world, client, login_as, db):
    from recognition.notifications.models import OutboxMessage

    officer, focal = world["officer"], world["focal"]
    focal.locale = lang
    officer.locale = "en"
    db.session.commit()
    login_as(officer)
    nomination = world["nomination"]
    response = client.post(
        f"/workflow/nomination/{nomination.id}/return",
        data={"comment": "Please add the budget figures.", "next": "/"},
    )
    assert response.status_code == 302
    message = db.session.query(OutboxMessage).filter_by(recipient_id=focal.id).one()
    assert message.locale == lang
    english = "Your nomination was returned for revision"
    assert message.subject != english
    assert english not in message.body_text
    assert "Please add the budget figures." in message.body_text
