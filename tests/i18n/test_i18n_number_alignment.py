"""Numbers in a nomination's answers stand under their labels in every direction: on the
right in Arabic, where dir="auto" would push a bare number to the left. (Chromium's layout
of it: tests/browser/test_browser_layout.py.)"""

from __future__ import annotations

import re

import pytest
from factories import make_call, make_nomination, make_secretariat

from recognition.extensions import db


@pytest.fixture
def page_of(app, client, login_as):
    """``page_of(lang)``: a Sasakawa nomination (active since 2008) as the secretariat reads
    it in ``lang``."""
    call = make_call(programme_id="sasakawa_award", state="reviewing")
    nomination = make_nomination(
        call=call,
        state="under_review",
        language="ar",
        answers={"work_summary": "جمعية الهلال", "active_since": "2008"},
    )
    officer = make_secretariat()
    db.session.commit()
    login_as(officer)

    def get(lang: str) -> str:
        officer.locale = lang
        db.session.commit()
        response = client.get(f"/nominations/{nomination.id}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    return get


def _number_block(html: str) -> str:
    match = re.search(r"<div[^>]*>2008</div>", html)
    assert match, "the year is not on the page"
    return match.group(0)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_number_takes_the_pages_direction(page_of, lang):
    block = _number_block(page_of(lang))
    assert "dir=" not in block  # inherited from the page, as its label's is
    assert 'class="answer answer-number"' in block


def test_text_answers_keep_their_own_direction(page_of):
    html = page_of("en")
    assert re.search(r'<div class="answer" lang="ar" dir="auto">جمعية الهلال</div>', html)
