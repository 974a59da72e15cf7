"""The navigation bar shows each role what it can reach; the language switcher and the
locale chosen from preference, ?lang=, cookie and Accept-Language."""

from __future__ import annotations

import re

import factories
import pytest
from accounts_support import html_of

from recognition.extensions import db

LINKS = {
    "Sign in": "/login",
    "Register a city": "/register",
    "Our nominations": "/nominations",
    "My reviews": "/reviews",
    "Secretariat": "/secretariat/",
}
#: role -> the links of LINKS its navigation bar shows (the others must not be there).
SHOWN = {
    "visitor": {"Sign in", "Register a city"},
    "focal point": {"Our nominations"},
    "reviewer": {"My reviews"},
    "secretariat": {"Secretariat"},
}


def make(role):
    return {
        "visitor": lambda: None,
        "focal point": factories.make_focal_point,
        "reviewer": factories.make_reviewer,
        "secretariat": factories.make_secretariat,
    }[role]()


def navigation(response) -> str:
    html = html_of(response)
    return html[html.index("<nav") : html.index("</nav>")]


def nav_link(label: str, path: str) -> str:
    return f'href="{path}">{label}</a>'


@pytest.mark.parametrize("role", list(SHOWN))
@pytest.mark.parametrize("label", list(LINKS))
def test_navigation_shows_each_role_its_links(app, client, login_as, role, label):
    user = make(role)
    db.session.commit()
    login_as(user)
    nav = navigation(client.get("/"))
    assert (nav_link(label, LINKS[label]) in nav) is (label in SHOWN[role])


@pytest.mark.parametrize(("role", "label"), [(r, lb) for r, ls in SHOWN.items() for lb in ls])
def test_each_navigation_link_opens_for_its_role(app, client, login_as, role, label):
    user = make(role)
    db.session.commit()
    login_as(user)
    assert client.get(LINKS[label]).status_code == 200


@pytest.mark.parametrize("role", list(SHOWN))
def test_sign_out_is_offered_to_signed_in_users_only(app, client, login_as, role):
    user = make(role)
    db.session.commit()
    login_as(user)
    nav = navigation(client.get("/"))
    assert ('action="/logout"' in nav) is (role != "visitor")


def test_navigation_names_the_signed_in_user(app, client, login_as):
    login_as(factories.make_user(name="Awa Diop"))
    db.session.commit()
    assert nav_link("Awa Diop", "/profile") in navigation(client.get("/"))


def test_a_user_with_two_roles_sees_both_links(app, client, login_as):
    user = factories.make_user(roles=("reviewer", "secretariat"))
    db.session.commit()
    login_as(user)
    nav = navigation(client.get("/"))
    assert nav_link("My reviews", "/reviews") in nav
    assert nav_link("Secretariat", "/secretariat/") in nav


# -- language ------------------------------------------------------------------------------


def html_lang(response) -> tuple[str, str]:
    match = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', html_of(response))
    assert match
    return match.group(1), match.group(2)


def test_language_menu_offers_the_six_languages(client):
    nav = navigation(client.get("/"))
    values = re.findall(r'name="lang" value="([a-z]+)"', nav)
    assert sorted(values) == ["ar", "en", "es", "fr", "ru", "zh"]


def test_language_switch_saves_the_users_preference(app, client, login_as):
    user = factories.make_user(locale="en")
    db.session.commit()
    login_as(user)
    client.post("/language", data={"lang": "fr", "next": "/profile"})
    db.session.refresh(user)
    assert user.locale == "fr"


def test_language_switch_for_a_visitor_makes_the_next_page_french(client):
    response = client.post("/language", data={"lang": "fr", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert html_lang(client.get("/login")) == ("fr", "ltr")


def test_language_switch_for_a_visitor_sets_a_cookie(client):
    response = client.post("/language", data={"lang": "zh"})
    assert "lang=zh" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("lang", ["de", "", "FR", "fr\x00x", "../en"])
def test_unknown_language_changes_nothing(app, client, login_as, lang):
    user = factories.make_user(locale="es")
    db.session.commit()
    login_as(user)
    response = client.post("/language", data={"lang": lang})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.locale == "es"
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "javascript:x"])
def test_language_switch_returns_to_local_pages_only(client, target):
    response = client.post("/language", data={"lang": "fr", "next": target})
    assert response.headers["Location"] == "/"


def test_lang_parameter_works_before_sign_in(client):
    assert html_lang(client.get("/login?lang=es")) == ("es", "ltr")


def test_accept_language_is_used_otherwise(client):
    response = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert html_lang(response) == ("ru", "ltr")


def test_accept_language_falls_back_to_an_offered_language(client):
    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,zh;q=0.5"})
    assert html_lang(response)[0] == "zh"


def test_unoffered_accept_language_gives_english(client):
    response = client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert html_lang(response) == ("en", "ltr")


def test_cookie_beats_accept_language(client):
    client.post("/language", data={"lang": "fr"})
    response = client.get("/", headers={"Accept-Language": "ru"})
    assert html_lang(response)[0] == "fr"


def test_lang_parameter_beats_cookie(client):
    client.post("/language", data={"lang": "fr"})
    assert html_lang(client.get("/?lang=es"))[0] == "es"


def test_users_preference_beats_everything_else(app, client, login_as):
    user = factories.make_user(locale="zh")
    db.session.commit()
    login_as(user)
    response = client.get("/?lang=es", headers={"Accept-Language": "ru"})
    assert html_lang(response)[0] == "zh"


@pytest.mark.parametrize(
    "how",
    [
        lambda client: client.get("/?lang=ar"),
        lambda client: client.get("/", headers={"Accept-Language": "ar"}),
        lambda client: (client.post("/language", data={"lang": "ar"}), client.get("/"))[1],
    ],
    ids=["parameter", "accept-language", "switcher"],
)
def test_arabic_pages_are_right_to_left(client, how):
    response = how(client)
    assert html_lang(response) == ("ar", "rtl")
    assert "bootstrap.rtl.min.css" in html_of(response)


def test_left_to_right_pages_use_the_plain_stylesheet(client):
    html = html_of(client.get("/?lang=fr"))
    assert "bootstrap.min.css" in html
    assert "bootstrap.rtl.min.css" not in html


def test_a_user_preferring_arabic_gets_right_to_left_pages(app, client, login_as):
    user = factories.make_user(locale="ar")
    db.session.commit()
    login_as(user)
    assert html_lang(client.get("/profile")) == ("ar", "rtl")
