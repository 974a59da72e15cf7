"""Every accounts page renders for the role that may see it, in each of the six languages."""

from __future__ import annotations

import factories
import pytest
from accounts_support import html_of

from recognition.config import LANGUAGES
from recognition.extensions import db

#: path (``{city}``: a city's id) -> who opens it: None for a visitor, else a factory.
PAGES = {
    "/login": None,
    "/register": None,
    "/password/forgot": None,
    "/profile": factories.make_reviewer,
    "/invite": factories.make_secretariat,
    "/cities/{city}": factories.make_secretariat,
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", list(PAGES))
def test_accounts_page_renders_in_every_language(app, client, login_as, path, lang):
    city = factories.make_city(state="pending", members=[factories.make_user()])
    make = PAGES[path]
    user = make(locale=lang) if make else None
    db.session.commit()
    login_as(user)
    response = client.get(path.format(city=city.id) + f"?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}"' in html_of(response)
