"""Layout as chromium draws it, in both directions: a number in a nomination's answers stands
under its label (on the right in Arabic, where dir="auto" would push a bare number to the
left), and no bar of the dashboard's chart is drawn over a label."""

from __future__ import annotations

import pytest
from browser_support import sign_in
from factories import make_call, make_city, make_nomination, make_secretariat
from playwright.sync_api import Page

#: The left and right edges of the text of a year answer and of its label.
EDGES = """() => {
    const block = Array.from(document.querySelectorAll('dd div'))
        .find(el => el.textContent.trim() === '2008');
    const range = document.createRange();
    range.selectNodeContents(block);
    const text = range.getBoundingClientRect();
    range.selectNodeContents(block.closest('dl').querySelector('dt'));
    const title = range.getBoundingClientRect();
    return [[title.left, title.right], [text.left, text.right]];
}"""

#: Every text and bar of the chart, as boxes.
BOXES = """svg => Array.from(svg.querySelectorAll('text, rect')).map(el => {
    const r = el.getBoundingClientRect();
    return [el.tagName, r.left, r.right, r.top, r.bottom, r.width];
})"""


@pytest.mark.parametrize(("lang", "edge"), [("ar", "right"), ("en", "left")])
def test_the_number_lines_up_with_its_label(page: Page, db, lang, edge):
    call = make_call(programme_id="sasakawa_award", state="reviewing")
    nomination = make_nomination(
        call=call,
        state="under_review",
        language="ar",
        answers={"work_summary": "جمعية الهلال", "active_since": "2008"},
    )
    officer = make_secretariat(email=f"layout-{lang}@example.org", locale=lang)
    db.session.commit()
    sign_in(page, officer.email)
    page.goto(f"/nominations/{nomination.id}")
    label, number = page.evaluate(EDGES)
    side = 0 if edge == "left" else 1
    assert abs(label[side] - number[side]) < 2, (lang, label, number)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_no_bar_is_drawn_over_a_label(page: Page, db, lang):
    call = make_call(state="reviewing")
    for state in ("submitted", "submitted", "draft", "returned", "under_review"):
        make_nomination(call=call, city=make_city(), state=state)
    officer = make_secretariat(email=f"chart-{lang}@example.org", locale=lang)
    db.session.commit()
    sign_in(page, officer.email)
    page.goto(f"/secretariat/calls/{call.id}/dashboard")
    boxes = page.eval_on_selector("figure > svg", BOXES)
    texts = [b for b in boxes if b[0] == "text"]
    bars = [b for b in boxes if b[0] == "rect" and b[5] > 0]
    assert bars
    for _tag, left, right, top, bottom, _w in bars:
        for _t, t_left, t_right, t_top, t_bottom, _tw in texts:
            same_row = t_top < bottom and t_bottom > top
            assert not (same_row and t_left < right and t_right > left), (lang, texts, bars)
