"""What each message says, in whose language: every kind of e-mail rendered from
templates/emails/ (text and HTML) for its recipient, dates in the recipient's locale and time
zone, and no message to a city that names a reviewer."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import factories
import flask_babel
import pytest
from babel.dates import get_month_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.support import Translations
from flask_login import login_user
from notifications_support import make_nomination, outbox

from recognition.accounts.models import User
from recognition.config import LANGUAGES
from recognition.extensions import db
from recognition.review.mail import notify_assignment, queue_due_reminders
from recognition.review.operations import assign
from recognition.workflow.engine import fire

DEADLINE = datetime(2031, 3, 14, 16, 30)


def install_translations(monkeypatch, locale: str, messages: dict[str, str]) -> None:
    """Give ``locale`` a catalog holding ``messages`` for this test (the real ones are empty)."""
    catalog = Catalog(locale=locale)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    domain = flask_babel.get_domain()
    monkeypatch.setitem(domain.cache, (locale, domain.domain[0]), Translations(compiled))


# -- one builder per kind of message: (app, client, login_as, locale) -> the message ----------


def _register(client, locale):
    response = client.post(
        "/register",
        data={
            "name": "Ana Focal",
            "email": "ana@lyon.example.org",
            "password": factories.PASSWORD,
            "confirm": factories.PASSWORD,
            "locale": locale,
            "city_name": "Lyon",
            "country": "DE",
            "region": "",
        },
    )
    assert response.status_code == 302


def confirm_email(client, login_as, locale):
    factories.make_secretariat()
    db.session.commit()
    _register(client, locale)
    return outbox(template="confirm_email")[0]


def city_registered(client, login_as, locale):
    factories.make_secretariat(locale=locale)
    db.session.commit()
    _register(client, "en")
    return outbox(template="city_registered")[0]


def password_reset(client, login_as, locale):
    factories.make_user(email="ana@lyon.example.org", name="Ana Focal", locale=locale)
    db.session.commit()
    response = client.post("/password/forgot", data={"email": "ana@lyon.example.org"})
    assert response.status_code == 302
    return outbox(template="password_reset")[0]


def invitation(client, login_as, locale, role="reviewer"):
    officer = factories.make_secretariat(name="Olga Officer")
    db.session.commit()
    login_as(officer)
    response = client.post(
        "/invite",
        data={
            "name": "Rita Reviewer",
            "email": "rita@reviews.example.org",
            "role": role,
            "locale": locale,
            "country": "",
            "affiliations": "",
        },
    )
    assert response.status_code == 302
    return outbox(template="invitation")[0]


def _city_with_focal_point(locale, state="verified"):
    focal = factories.make_user(name="Ana Focal", locale=locale)
    city = factories.make_city(name="Lyon", state=state, members=[focal])
    return city, focal


#: A Sasakawa Award nomination is recognised at a level.
DECISION = {"recognise": {"level": "merit"}}


def _fire_and_find(obj, transition, actor, comment=None, *, to):
    fire(obj, transition, actor, comment, data=DECISION.get(transition))
    db.session.commit()
    return outbox(recipient_id=to.id)[0]


def city_verified(client, login_as, locale):
    city, focal = _city_with_focal_point(locale, "pending")
    return _fire_and_find(city, "verify", factories.make_secretariat(), to=focal)


def city_rejected(client, login_as, locale):
    city, focal = _city_with_focal_point(locale, "pending")
    officer = factories.make_secretariat()
    return _fire_and_find(city, "reject", officer, "This is not a city.", to=focal)


def submitted_to_city(client, login_as, locale):
    city, focal = _city_with_focal_point(locale)
    factories.make_secretariat()
    nomination = make_nomination(
        "draft",
        city=city,
        call=factories.make_call(programme_id="sasakawa_award", title="Sasakawa 2031"),
    )
    return _fire_and_find(nomination, "submit", focal, to=focal)


def submitted_to_secretariat(client, login_as, locale):
    city, focal = _city_with_focal_point("en")
    officer = factories.make_secretariat(locale=locale)
    nomination = make_nomination(
        "draft",
        city=city,
        call=factories.make_call(programme_id="sasakawa_award", title="Sasakawa 2031"),
    )
    return _fire_and_find(nomination, "submit", focal, to=officer)


def returned(client, login_as, locale):
    city, focal = _city_with_focal_point(locale)
    nomination = make_nomination("submitted", city=city)
    officer = factories.make_secretariat()
    return _fire_and_find(nomination, "return", officer, "Attach the council's letter.", to=focal)


def reviewer_assigned(client, login_as, locale):
    city, _focal = _city_with_focal_point("en")
    call = factories.make_call(
        programme_id="sasakawa_award", title="Sasakawa 2031", review_deadline=DEADLINE
    )
    nomination = make_nomination("under_review", city=city, call=call)
    reviewer = factories.make_reviewer(name="Rita Reviewer", locale=locale)
    assign(nomination, reviewer, factories.make_secretariat())
    db.session.commit()
    return outbox(recipient_id=reviewer.id)[0]


def review_reminder(client, login_as, locale):
    city, _focal = _city_with_focal_point("en")
    call = factories.make_call(
        programme_id="sasakawa_award",
        title="Sasakawa 2031",
        closes_at=datetime.now(UTC).replace(tzinfo=None),
        review_deadline=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=2),
    )
    nomination = make_nomination("under_review", city=city, call=call)
    reviewer = factories.make_reviewer(name="Rita Reviewer", locale=locale)
    factories.make_assignment(nomination, reviewer, state="accepted")
    assert queue_due_reminders(3) == 1
    db.session.commit()
    return outbox(recipient_id=reviewer.id)[0]


def not_recognised(client, login_as, locale):
    """A decision not to recognise is told with the call's announcement, not before."""
    city, focal = _city_with_focal_point(locale)
    nomination = make_nomination("not_recognised", city=city)
    nomination.call.state = "announced"
    return _fire_and_find(nomination, "inform", factories.make_secretariat(), to=focal)


def announced(client, login_as, locale):
    city, focal = _city_with_focal_point(locale)
    nomination = make_nomination("recognised", city=city)
    nomination.call.state = "announced"
    return _fire_and_find(nomination, "announce", factories.make_secretariat(), to=focal)


#: kind -> (builder, subject, a sentence of the body, the link's path).
KINDS = {
    "confirm_email": (
        confirm_email,
        "Confirm your e-mail address",
        "Please confirm that this is your e-mail address.",
        r"/confirm/[\w.-]+",
    ),
    "city_registered": (
        city_registered,
        "A city awaits verification: Lyon",
        "Ana Focal registered the city Lyon",
        r"/cities/\d+",
    ),
    "password_reset": (
        password_reset,
        "Reset your password",
        "Someone asked to reset the password of your account.",
        r"/password/reset/[\w.-]+",
    ),
    "invitation": (
        invitation,
        "You are invited to Recognition",
        "Olga Officer invites you to Recognition as Reviewer.",
        r"/invitation/[\w.-]+",
    ),
    "city_verified": (
        city_verified,
        "Your city is verified",
        "The secretariat verified Lyon. The city can now submit nominations.",
        r"/cities/\d+",
    ),
    "city_rejected": (
        city_rejected,
        "Your city registration was not accepted",
        "The secretariat did not accept the registration of Lyon.",
        r"/cities/\d+",
    ),
    "submitted_to_city": (
        submitted_to_city,
        "Nomination submitted",
        "The nomination Lyon — Sasakawa 2031 was submitted.",
        r"/nominations/\d+",
    ),
    "submitted_to_secretariat": (
        submitted_to_secretariat,
        "Nomination submitted",
        "The nomination Lyon — Sasakawa 2031 was submitted.",
        r"/nominations/\d+",
    ),
    "returned": (
        returned,
        "Your nomination was returned for revision",
        "The secretariat asks for changes to the nomination Lyon",
        r"/nominations/\d+",
    ),
    "reviewer_assigned": (
        reviewer_assigned,
        "You are invited to review a nomination",
        "You are invited to review the nomination of Lyon to Sasakawa 2031.",
        r"/reviews/\d+",
    ),
    "review_reminder": (
        review_reminder,
        "Reminder: a review is due",
        "Your review of the nomination of Lyon to Sasakawa 2031 is due by",
        r"/reviews/\d+",
    ),
    "not_recognised": (
        not_recognised,
        "Decision on your nomination",
        "is not recognised this time.",
        r"/nominations/\d+",
    ),
    "announced": (
        announced,
        "Your nomination is recognised",
        "The recognition is now public.",
        r"/nominations/\d+",
    ),
}
ALL_KINDS = pytest.mark.parametrize("kind", list(KINDS))


def build(kind, client, login_as, locale="en"):
    return KINDS[kind][0](client, login_as, locale)


@ALL_KINDS
def test_each_message_has_its_subject(app, client, login_as, kind):
    assert build(kind, client, login_as).subject == KINDS[kind][1]


@ALL_KINDS
def test_each_message_says_what_happened_in_text_and_html(app, client, login_as, kind):
    message = build(kind, client, login_as)
    sentence = KINDS[kind][2]
    assert sentence in message.body_text
    # The HTML marks the call's title with its language: <span lang="en" dir="ltr">…</span>.
    assert sentence.replace("'", "&#39;") in re.sub(r"</?span[^>]*>", "", message.body_html)


@ALL_KINDS
def test_each_message_greets_its_recipient(app, client, login_as, kind):
    message = build(kind, client, login_as)
    name = db.session.get(User, message.recipient_id).name
    assert message.body_text.startswith(f"Hello {name},")
    assert f"<p>Hello {name},</p>" in message.body_html


@ALL_KINDS
def test_each_message_links_to_the_page_it_is_about(app, client, login_as, kind):
    message = build(kind, client, login_as)
    base = app.config["RECOGNITION_BASE_URL"]
    assert re.fullmatch(re.escape(base) + KINDS[kind][3], message.link)
    assert message.link in message.body_text
    assert f'href="{message.link}"' in message.body_html


@ALL_KINDS
def test_each_message_is_in_the_recipients_language(app, client, login_as, kind):
    message = build(kind, client, login_as, locale="ar")
    assert message.locale == "ar"
    assert '<html lang="ar" dir="rtl">' in message.body_html


@ALL_KINDS
def test_each_message_is_a_whole_html_document(app, client, login_as, kind):
    message = build(kind, client, login_as)
    assert message.body_html.lstrip().startswith("<!doctype html>")
    assert f"<title>{message.subject}</title>" in message.body_html
    assert message.body_html.rstrip().endswith("</html>")


def test_a_translated_subject_and_greeting_reach_each_recipient_in_their_language(app, monkeypatch):
    install_translations(
        monkeypatch,
        "fr",
        {
            "Your city is verified": "Votre ville est vérifiée",
            "Hello %(name)s,": "Bonjour %(name)s,",
            "The secretariat verified %(title)s. The city can now submit nominations.": (
                "Le secrétariat a vérifié %(title)s. Vous pouvez la proposer."
            ),
        },
    )
    french = factories.make_user(name="Amélie", locale="fr")
    english = factories.make_user(name="Alice", locale="en")
    city = factories.make_city(name="Lyon", state="pending", members=[french, english])
    fire(city, "verify", factories.make_secretariat(locale="en"))
    db.session.commit()
    mail = {m.recipient_id: m for m in outbox()}
    assert mail[french.id].subject == "Votre ville est vérifiée"
    assert "Bonjour Amélie," in mail[french.id].body_text
    assert "Le secrétariat a vérifié Lyon." in mail[french.id].body_html
    assert mail[english.id].subject == "Your city is verified"
    assert "Hello Alice," in mail[english.id].body_text


def _march(locale: str) -> set[str]:
    """Every way Babel's locale data names March in ``locale``."""
    return {
        get_month_names(width, context, locale=locale)[3]
        for width in ("wide", "abbreviated")
        for context in ("format", "stand-alone")
    }


@pytest.mark.parametrize("locale", LANGUAGES)
def test_the_review_deadline_month_is_named_in_the_reviewers_language(
    app, client, login_as, locale
):
    message = reviewer_assigned(client, login_as, locale)
    for body in (message.body_text, message.body_html):
        assert any(name in body for name in _march(locale)), body


@pytest.mark.parametrize("locale", [code for code in LANGUAGES if code != "en"])
def test_the_review_deadline_is_not_written_in_english_for_others(app, client, login_as, locale):
    message = reviewer_assigned(client, login_as, locale)
    assert "March" not in message.body_text
    assert "Mar 14" not in message.body_text


def test_a_french_reviewer_reads_the_deadline_in_french(app, client, login_as):
    message = reviewer_assigned(client, login_as, "fr")
    assert "14 mars 2031" in message.body_text


def test_the_deadline_is_in_the_reviewers_time_zone_not_the_officers(app):
    """Assigned by an officer in New York, read by a reviewer in Tokyo: Tokyo's date."""
    call = factories.make_call(programme_id="sasakawa_award", review_deadline=DEADLINE)
    nomination = make_nomination("under_review", call=call)
    officer = factories.make_secretariat(timezone="America/New_York")
    reviewer = factories.make_reviewer(timezone="Asia/Tokyo")
    db.session.commit()
    with app.test_request_context("/"):
        login_user(officer)
        assign(nomination, reviewer, officer)
    db.session.commit()
    (message,) = outbox(recipient_id=reviewer.id)
    # 16:30 UTC on 14 March is 01:30 on 15 March in Tokyo, 12:30 on 14 March in New York.
    assert "15, 2031" in message.body_text
    assert "1:30" in message.body_text
    assert "14, 2031" not in message.body_text


def test_an_unknown_time_zone_falls_back_to_utc(app):
    call = factories.make_call(programme_id="sasakawa_award", review_deadline=DEADLINE)
    nomination = make_nomination("under_review", call=call)
    reviewer = factories.make_reviewer(timezone="Mars/Olympus_Mons")
    assignment = factories.make_assignment(nomination, reviewer, state="invited")
    notify_assignment(assignment)
    db.session.commit()
    (message,) = outbox(recipient_id=reviewer.id)
    assert "14, 2031" in message.body_text
    assert "4:30" in message.body_text


def test_the_secretariat_reads_the_country_in_its_language(app, client, login_as):
    message = city_registered(client, login_as, "fr")
    assert "(Allemagne)" in message.body_text


@pytest.mark.parametrize("kind", ["password_reset", "invitation"])
def test_a_link_message_says_how_long_the_link_works(app, client, login_as, kind):
    hours = app.config["RECOGNITION_TOKEN_MAX_AGE"] // 3600
    message = build(kind, client, login_as)
    assert f"expires in {hours} hours" in message.body_text


@pytest.mark.parametrize(
    ("role", "title"), [("reviewer", "Reviewer"), ("secretariat", "Secretariat")]
)
def test_an_invitation_names_the_role_offered(app, client, login_as, role, title):
    message = invitation(client, login_as, "en", role=role)
    assert f"invites you to Recognition as {title}." in message.body_text
    assert role in db.session.get(User, message.recipient_id).global_roles


def test_the_return_comment_is_in_the_message(app, client, login_as):
    message = returned(client, login_as, "en")
    assert "Attach the council's letter." in message.body_text
    assert "Attach the council&#39;s letter." in message.body_html


def test_the_rejection_reason_is_in_the_message(app, client, login_as):
    message = city_rejected(client, login_as, "en")
    assert "This is not a city." in message.body_text


def test_a_comment_cannot_inject_html(app):
    city, focal = _city_with_focal_point("en", "pending")
    comment = '<a href="https://evil.example">click</a>'
    message = _fire_and_find(city, "reject", factories.make_secretariat(), comment, to=focal)
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;" in message.body_html
    assert '<a href="https://evil.example">' not in message.body_html
    assert comment in message.body_text


def test_a_message_to_the_assignee_about_a_withdrawal_does_not_repeat_the_comment(app):
    call = factories.make_call(programme_id="sasakawa_award")
    assignment = factories.make_assignment(make_nomination("under_review", call=call))
    message = _fire_and_find(
        assignment,
        "withdraw",
        factories.make_secretariat(),
        "The city complained about this reviewer.",
        to=assignment.reviewer,
    )
    assert "complained" not in message.body_text


def test_no_message_a_city_receives_names_a_reviewer(app):
    """A whole cycle with reviewers acting: nothing sent to the city names one of them."""
    focal = factories.make_user(name="Ana Focal")
    city = factories.make_city(name="Lyon", state="verified", members=[focal])
    officer = factories.make_secretariat()
    nomination = make_nomination("draft", city=city)
    reviewers = [
        factories.make_reviewer(name="Zygmunt Quarles", email="quarles@reviews.example.org"),
        factories.make_reviewer(name="Wilhelmina Vane", email="vane@reviews.example.org"),
    ]
    fire(nomination, "submit", focal)
    fire(nomination, "return", officer, "Please add the letter.")
    fire(nomination, "resubmit", focal)
    fire(nomination, "accept", officer)
    first, second = (assign(nomination, r, officer) for r in reviewers)
    fire(first, "accept", reviewers[0])
    second.conflict_reason = "I worked for Lyon."
    fire(second, "declare_conflict", reviewers[1], "I worked for Lyon.")
    first.submitted_at = first.assigned_at
    first.state = "submitted"
    db.session.flush()
    nomination.call.state = "reviewing"
    fire(nomination, "recognise", officer, data=DECISION["recognise"])
    nomination.call.state = "announced"  # as the call's announcement leaves it
    fire(nomination, "announce", officer)
    db.session.commit()

    to_city = outbox(recipient_id=focal.id)
    assert len(to_city) == 4  # submitted, returned, resubmitted, announced (not the decision)
    for message in to_city:
        for reviewer in reviewers:
            for text in (message.subject, message.body_text, message.body_html):
                assert reviewer.name not in text
                assert reviewer.email not in text
