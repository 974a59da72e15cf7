"""E-mails name a call in the recipient's language, else in the call's source language, marked;
in the HTML part with the text's own lang and dir."""

from __future__ import annotations

import factories
import pytest
from notifications_support import make_nomination, outbox

from recognition.extensions import db
from recognition.review.mail import notify_assignment, queue_reminder
from recognition.workflow.engine import fire

TITLES = {
    "en": "UN Sasakawa Award 2027",
    "fr": "Prix Sasakawa des Nations Unies 2027",
    "ar": "جائزة الأمم المتحدة ساساكاوا 2027",
}


def message_to(locale: str, send=notify_assignment):
    call = factories.make_call(
        programme_id="sasakawa_award",
        title=TITLES["en"],
        texts={code: {"title": title} for code, title in TITLES.items()},
    )
    nomination = make_nomination("under_review", call=call)
    reviewer = factories.make_reviewer(locale=locale)
    send(factories.make_assignment(nomination, reviewer, state="invited"))
    db.session.commit()
    (message,) = outbox(recipient_id=reviewer.id)
    return message


@pytest.mark.parametrize("send", [notify_assignment, queue_reminder], ids=["invite", "remind"])
def test_an_email_to_a_french_recipient_names_the_call_in_french(app, send):
    message = message_to("fr", send)
    assert TITLES["fr"] in message.body_text
    assert f'<span lang="fr" dir="ltr">{TITLES["fr"]}</span>' in message.body_html
    assert TITLES["en"] not in message.body_text + message.body_html


def test_an_arabic_title_is_right_to_left_in_the_html(app):
    message = message_to("ar")
    assert f'<span lang="ar" dir="rtl">{TITLES["ar"]}</span>' in message.body_html


@pytest.mark.parametrize("send", [notify_assignment, queue_reminder], ids=["invite", "remind"])
def test_without_the_recipients_language_the_source_title_is_marked(app, send):
    message = message_to("ru", send)
    assert f"{TITLES['en']} (" in message.body_text  # "(in English)", in Russian
    assert f'<span lang="en" dir="ltr">{TITLES["en"]}</span> <small' in message.body_html
    assert "fallback-note" in message.body_html


def test_a_transition_names_the_call_in_each_recipient_s_language(app):
    """An English officer returns a French city's nomination: the city reads the call's
    French title (the title is composed per recipient, not in the actor's language)."""
    call = factories.make_call(
        programme_id="sasakawa_award",
        title=TITLES["en"],
        texts={code: {"title": title} for code, title in TITLES.items()},
    )
    nomination = make_nomination("submitted", call=call)
    focal = factories.make_focal_point(city=nomination.city, locale="fr")
    officer = factories.make_secretariat(locale="en")
    fire(nomination, "return", officer, "Please add the letter.")
    db.session.commit()
    (message,) = outbox(recipient_id=focal.id)
    assert TITLES["fr"] in message.subject + message.body_text
    assert TITLES["en"] not in message.subject + message.body_text
