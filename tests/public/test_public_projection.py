"""From the public pages to an announced nomination: its public projection, nothing more."""

from __future__ import annotations

import re

import pytest

PUBLIC = "Lyon rebuilt its river banks as flood parks."
PRIVATE = "We still have no budget line for Essential 2."


@pytest.fixture
def lyon(db, published):
    """Lyon's announced nomination with a public and a private answer (committed)."""
    published.lyon.answers = {"motivation": PUBLIC, "essentials__2__narrative": PRIVATE}
    db.session.commit()
    return published.lyon


def test_the_city_page_links_to_the_public_nomination(client, lyon):
    html = client.get(f"/recognised/cities/{lyon.city_id}").get_data(as_text=True)
    assert f'href="/nominations/{lyon.id}"' in html


@pytest.mark.parametrize("lang", ["en", "ar", "zh"])
def test_the_public_nomination_shows_its_public_answers_only(client, lyon, lang):
    response = client.get(f"/nominations/{lyon.id}?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert PUBLIC in html
    assert PRIVATE not in html
    decision = html.split('id="outcome-heading"')[1].split("</section>")[0]
    assert len(re.findall(r"<li>[^<]+</li>", decision)) == 5  # Lyon's areas of strength
