"""A call's title on every role's pages in the reader's language, with its own lang and dir;
the source language's, marked, where the reader's is not written."""

from __future__ import annotations

import pytest
from factories import (
    make_assignment,
    make_call,
    make_focal_point,
    make_nomination,
    make_reviewer,
    make_secretariat,
)
from flask_babel import force_locale

from recognition.workflow.registry import object_title

TITLES = {
    "en": "Role Model Cities 2027",
    "ar": "المدن النموذجية 2027",
    "fr": "Villes modèles 2027",
}


@pytest.fixture
def world(db):
    officer = make_secretariat(email="officer@example.org")
    focal = make_focal_point(email="focal@example.org")
    reviewer = make_reviewer(email="rev@example.org")
    texts = {code: {"title": title} for code, title in TITLES.items()}
    call = make_call("role_model_city", state="reviewing", title=TITLES["en"], texts=texts)
    make_call("sasakawa_award", state="open", title=TITLES["en"], texts=texts)  # a worklist's
    nomination = make_nomination(call, focal.memberships[0].city, state="under_review")
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


def pages(world) -> list[tuple[str, str]]:
    c, n, a = world["call"], world["nomination"], world["assignment"]
    return [
        ("focal", "/nominations"),
        ("focal", f"/nominations/{n.id}"),
        ("reviewer", "/reviews"),
        ("reviewer", f"/reviews/{a.id}"),
        ("officer", "/calls"),
        ("officer", f"/calls/{c.id}"),
        ("officer", "/secretariat/"),
        ("officer", f"/secretariat/calls/{c.id}/dashboard"),
        ("officer", f"/secretariat/calls/{c.id}/ranking"),
        ("officer", f"/secretariat/calls/{c.id}/announcement"),
        ("officer", "/secretariat/worklists/call/open_calls"),
    ]


PAGE_IDS = [
    "nominations",
    "nomination",
    "reviews",
    "review",
    "calls",
    "call",
    "secretariat",
    "dashboard",
    "ranking",
    "announcement",
    "calls-worklist",
]


@pytest.mark.parametrize("index", range(len(PAGE_IDS)), ids=PAGE_IDS)
def test_the_call_is_named_in_arabic_right_to_left(index, world, client, login_as, db):
    role, path = pages(world)[index]
    user = world[role]
    user.locale = "ar"
    db.session.commit()
    response = login_as(user).get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<span lang="ar" dir="rtl">{TITLES["ar"]}</span>' in html
    assert TITLES["en"] not in html


@pytest.mark.parametrize("index", range(len(PAGE_IDS)), ids=PAGE_IDS)
def test_without_a_russian_title_the_english_one_is_shown_marked(
    index, world, client, login_as, db
):
    role, path = pages(world)[index]
    user = world[role]
    user.locale = "ru"
    db.session.commit()
    html = login_as(user).get(path).get_data(as_text=True)
    assert f'<span lang="en" dir="ltr">{TITLES["en"]}</span> <small' in html
    assert "fallback-note" in html


def test_a_nomination_is_titled_with_the_call_in_the_current_language(world, app):
    nomination = world["nomination"]
    city = nomination.city.name
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert object_title(nomination) == f"{city} — {TITLES['fr']}"
            assert object_title(world["call"]) == TITLES["fr"]
            assert object_title(world["assignment"]) == f"{city} — {TITLES['fr']}"
        with force_locale("zh"):
            assert object_title(nomination) == f"{city} — {TITLES['en']}"
