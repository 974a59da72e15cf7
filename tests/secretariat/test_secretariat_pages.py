"""Every secretariat page renders, in every interface language, for a busy campaign."""

from __future__ import annotations

from datetime import date

import factories
import pytest
from secretariat_support import submit_review

from recognition.config import LANGUAGES
from recognition.reports.models import AnnualReport
from recognition.stages.models import CityStage
from recognition.timeutil import utcnow
from recognition.workflow.registry import registry


@pytest.fixture
def busy(db, world):
    """World's call with a nomination per state, reviews, a conflict, a pending city."""
    for state in ("draft", "submitted", "returned", "shortlisted", "recognised", "ineligible"):
        factories.make_nomination(call=world.call, state=state, areas_of_strength=[1])
    submit_review(world.nomination, {"innovation": 0})
    submit_review(world.nomination, {"innovation": 5})
    factories.make_assignment(world.nomination, state="conflicted")
    factories.make_assignment(world.nomination, state="accepted")
    # One reviewer short, so the conflict still waits for a replacement on its worklist.
    world.call.reviewers_per_nomination = 4
    factories.make_city(name="Pendington", state="pending")
    factories.make_partner(name="Applying Alliance", state="applied")
    factories.make_call(state="open", title="Open call")
    # A city asking for stage B; a hub's annual reports, one overdue, one to read.
    db.session.add(CityStage(city=factories.make_city(name="Stagetown"), state="b_requested"))
    hub = factories.make_nomination(call=world.call, state="announced")
    hub.valid_from = date(2020, 1, 1)
    for year, state in ((1, "due"), (2, "submitted")):
        db.session.add(
            AnnualReport(
                nomination=hub,
                year=year,
                due_on=date(2021, 1, 31),
                state=state,
                peer_exchanges="A study visit",
                shared_with="Quito",
                submitted_at=utcnow() if state == "submitted" else None,
            )
        )
    db.session.commit()
    return world


PAGES = [
    "/secretariat/",
    "/secretariat/calls/{call}/dashboard",
    "/secretariat/calls/{call}/ranking",
    "/secretariat/calls/{call}/announcement",
    "/secretariat/audit",
    "/nominations/{nomination}",
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_pages_render_in_every_language(db, login_as, busy, officer, lang, path):
    officer.locale = lang
    db.session.commit()
    url = path.format(call=busy.call.id, nomination=busy.nomination.id)
    response = login_as(officer).get(url)
    assert response.status_code == 200
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{direction}">' in response.get_data(as_text=True)


WORKLISTS = [
    ("call", "open_calls"),
    ("city", "awaiting_verification"),
    ("nomination", "awaiting_screening"),
    ("nomination", "under_review"),
    ("nomination", "to_announce"),
    ("review", "conflicts"),
    ("partner", "partners_to_verify"),
    ("city_stage", "stage_moves_to_confirm"),
    ("annual_report", "reports_overdue"),
    ("annual_report", "reports_to_read"),
]


@pytest.mark.parametrize(("workflow", "worklist"), WORKLISTS)
def test_every_secretariat_worklist_renders(as_officer, busy, workflow, worklist):
    response = as_officer.get(f"/secretariat/worklists/{workflow}/{worklist}")
    assert response.status_code == 200
    assert "Nothing is waiting here." not in response.get_data(as_text=True)


def test_the_worklist_table_names_every_secretariat_worklist(app):
    """The parametrized list above covers every worklist the secretariat has."""
    listed = set(WORKLISTS)
    defined = {
        (d.id, w.id)
        for d in registry().definitions.values()
        for w in d.worklists.values()
        if "secretariat" in w.roles
    }
    assert defined == listed


def test_recognised_nominations_are_announced_with_their_call_not_in_bulk(as_officer, busy):
    html = as_officer.get("/secretariat/worklists/nomination/to_announce").get_data(as_text=True)
    assert 'formaction="/secretariat/bulk/announce"' not in html
