"""The call dashboard: nominations by state (SVG and table), review progress, overdue
reviewers with a reminder, disagreements."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import factories
import pytest
from secretariat_support import flashes, recorded_statements, submit_review

from recognition.notifications.models import OutboxMessage
from recognition.timeutil import utcnow

SVG = "{http://www.w3.org/2000/svg}"


def dashboard(client, call, query=""):
    response = client.get(f"/secretariat/calls/{call.id}/dashboard{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def chart(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))


@pytest.fixture
def counted(db, world):
    """The world's call with 2 submitted and 1 draft nominations besides Lyon's."""
    for state in ("submitted", "submitted", "draft"):
        factories.make_nomination(call=world.call, state=state)
    db.session.commit()
    return world.call


def test_chart_is_an_image_with_a_title(as_officer, counted):
    svg = chart(dashboard(as_officer, counted))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Nominations by state"
    assert svg.get("aria-labelledby") == svg.find(f"{SVG}title").get("id")


def test_chart_draws_a_bar_per_state(as_officer, counted):
    svg = chart(dashboard(as_officer, counted))
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert labels[labels.index("Submitted") + 1] == "2"
    assert labels[labels.index("Under review") + 1] == "1"
    assert labels[labels.index("Draft") + 1] == "1"


def test_chart_data_is_also_a_table(as_officer, counted):
    html = dashboard(as_officer, counted)
    rows = dict(re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th><td>([^<]+)</td>', html))
    assert rows["Submitted"] == "2"
    assert rows["Under review"] == "1"
    assert rows["Recognised and announced"] == "0"


def test_total_is_shown(as_officer, counted):
    assert "4 nominations in all." in dashboard(as_officer, counted)


def test_review_progress_per_nomination(db, as_officer, world):
    submit_review(world.nomination, 3)
    factories.make_assignment(world.nomination, state="accepted")
    factories.make_assignment(world.nomination, state="invited")
    factories.make_assignment(world.nomination, state="declined")
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert re.search(r'<progress[^>]*aria-label="Lyon: 1 of 3 reviews"[^>]*value="1" max="3"', html)


def test_review_progress_lists_nominees_that_are_not_cities(db, as_officer, world):
    """An organisation nominated (the Sasakawa Award's) is in review like a city, by its
    name, in order of names with the cities."""
    from recognition.nominees.models import Nominee

    agency = Nominee(kind="organisation", names={"en": "Almaty Emergency Agency"})
    agency.source_language, agency.country = "en", "KZ"
    agency.organisation_type = "government_agency"
    agency.refresh_key()
    db.session.add(agency)
    db.session.flush()
    nomination = factories.make_nomination(call=world.call, state="under_review", nominee=agency)
    submit_review(nomination, 3)
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert re.search(r'<progress[^>]*aria-label="Almaty Emergency Agency: 1 of 1 reviews"', html), (
        "the organisation is missing from the review progress"
    )
    assert html.index("Almaty Emergency Agency: ") < html.index("Lyon: ")


def test_review_progress_is_kept_until_a_review_is_written(db, as_officer, world):
    """The dashboard keeps its dearest reads (the progress list, the disagreements, the
    rounds' entries) while nothing is written: a second view reads none of them again, and
    a review written since shows on the next view."""
    factories.make_assignment(world.nomination, state="accepted")
    db.session.commit()
    dear = ("FROM nomination_scores", "count(DISTINCT workflow_events", "lower(coalesce(cities")

    def read_again() -> list[str]:
        with recorded_statements() as statements:
            assert "Lyon: 0 of 1 reviews" in dashboard(as_officer, world.call)
        return [s for s in statements if any(d in s for d in dear)]

    assert read_again()  # the progress, the disagreements, the rounds' entries
    assert read_again() == []
    submit_review(world.nomination, 3)
    db.session.commit()
    assert re.search(r'aria-label="Lyon: 1 of 2 reviews"', dashboard(as_officer, world.call))


def test_review_progress_per_reviewer(db, as_officer, world):
    reviewer = factories.make_reviewer(name="Ana Reviewer")
    other = factories.make_nomination(call=world.call, state="under_review")
    submit_review(world.nomination, 3, reviewer=reviewer)
    factories.make_assignment(other, reviewer, state="accepted")
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert re.search(
        r'<progress[^>]*aria-label="Ana Reviewer: 1 of 2 reviews"[^>]*value="1" max="2"', html
    )


def test_progress_bars_need_no_inline_style(db, as_officer, world):
    """The Content-Security-Policy forbids style attributes: bars are drawn without them."""
    submit_review(world.nomination, 3)
    db.session.commit()
    assert "style=" not in dashboard(as_officer, world.call)


def test_review_progress_is_paginated(app, db, as_officer, world, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 1)
    city = factories.make_city(name="Zagreb")
    factories.make_nomination(call=world.call, city=city, state="under_review")
    db.session.commit()
    first = dashboard(as_officer, world.call)
    second = dashboard(as_officer, world.call, "?page=2")
    assert ">Lyon<" in first and ">Zagreb<" not in first
    assert ">Zagreb<" in second and ">Lyon<" not in second


def test_review_progress_pages_by_the_counts_by_state(app, db, as_officer, world, monkeypatch):
    """The progress list's pages come from the counts the chart reads (nominations in
    review): it counts nothing of its own, and a draft makes no page."""
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 1)
    factories.make_nomination(call=world.call, state="draft")
    factories.make_nomination(call=world.call, state="shortlisted")
    db.session.commit()
    with recorded_statements() as sent:
        html = dashboard(as_officer, world.call)
    assert not [s for s in sent if "page_total" in s and "nominees" in s]
    assert re.search(r"[?;]page=2", html) and not re.search(r"[?;]page=3", html)  # 2 in review


def test_overdue_reviewers_are_flagged(db, as_officer, world):
    world.call.review_deadline = utcnow() - timedelta(days=1)
    late = factories.make_reviewer(name="Late Reviewer")
    factories.make_assignment(world.nomination, late, state="accepted")
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert "outstanding reviews are overdue" in html
    assert re.search(r'<tr class="table-danger">\s*<td dir="auto">Late Reviewer</td>', html)


def test_a_reviewer_on_time_is_not_flagged(db, as_officer, world):
    factories.make_assignment(world.nomination, factories.make_reviewer(), state="accepted")
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert "overdue" not in html and "table-danger" not in html


def test_reminder_offered_only_for_outstanding_reviews(db, as_officer, world):
    late = factories.make_reviewer(name="Late Reviewer")
    done = factories.make_reviewer(name="Done Reviewer")
    factories.make_assignment(world.nomination, late, state="accepted")
    submit_review(world.nomination, 3, reviewer=done)
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert f"/secretariat/calls/{world.call.id}/remind/{late.id}" in html
    assert f"/secretariat/calls/{world.call.id}/remind/{done.id}" not in html


def test_sending_a_reminder_queues_a_message(db, as_officer, world):
    late = factories.make_reviewer(name="Late Reviewer", email="late@reviewers.example")
    factories.make_assignment(world.nomination, late, state="accepted")
    db.session.commit()
    response = as_officer.post(f"/secretariat/calls/{world.call.id}/remind/{late.id}")
    assert response.status_code == 302
    [message] = db.session.query(OutboxMessage).all()
    assert (message.template, message.to_email) == ("reminder", "late@reviewers.example")
    assert "Lyon" in message.body_text


def test_no_reminder_without_outstanding_review(db, as_officer, world):
    done = factories.make_reviewer(name="Done Reviewer")
    submit_review(world.nomination, 3, reviewer=done)
    db.session.commit()
    as_officer.post(f"/secretariat/calls/{world.call.id}/remind/{done.id}")
    assert db.session.query(OutboxMessage).count() == 0
    assert flashes(as_officer) == [
        ("info", "Done Reviewer has no outstanding review in this call.")
    ]


def test_reminder_to_an_unknown_reviewer_is_404(as_officer, world):
    assert as_officer.post(f"/secretariat/calls/{world.call.id}/remind/999999").status_code == 404


def test_disagreement_is_flagged(db, as_officer, world):
    submit_review(world.nomination, {"innovation": 0})
    submit_review(world.nomination, {"innovation": 5})
    db.session.commit()
    html = dashboard(as_officer, world.call)
    assert "1 nomination has scores that differ by more than the threshold." in html
    assert f'<a href="/nominations/{world.nomination.id}" dir="auto">Lyon</a></li>' in html


def test_agreement_is_not_flagged(db, as_officer, world):
    submit_review(world.nomination, {"innovation": 3})
    submit_review(world.nomination, {"innovation": 5})
    db.session.commit()
    assert "No disagreement so far." in dashboard(as_officer, world.call)


@pytest.mark.parametrize("who", ["focal", "reviewer"])
def test_dashboard_is_for_the_secretariat(db, login_as, world, who):
    user = world.focal if who == "focal" else factories.make_reviewer()
    db.session.commit()
    client = login_as(user)
    assert client.get(f"/secretariat/calls/{world.call.id}/dashboard").status_code == 403
    assert client.post(f"/secretariat/calls/{world.call.id}/remind/{user.id}").status_code == 403


@pytest.mark.parametrize("query", ["?page=99999999999999999999", "?rpage=99999999999999999999"])
def test_far_pages_show_the_last_page(db, as_officer, world, query):
    factories.make_assignment(
        world.nomination, factories.make_reviewer(name="Ana"), state="accepted"
    )
    db.session.commit()
    html = dashboard(as_officer, world.call, query)
    assert ">Lyon<" in html and ">Ana<" in html
