"""Who sees and does what: the city writes and submits, the secretariat accepts or returns;
another city, a reviewer and the public see nothing; the city cannot accept its own report."""

from __future__ import annotations

import pytest
from reports_support import complete, reports, text_of

from recognition.reports.models import AnnualReport
from recognition.workflow.security import can


def report_page(report):
    return f"/reports/{report.id}"


def submitted(world, opened, login_as):
    login_as(world.rosa).post(report_page(opened.lima), data=complete())
    (report,) = reports(id=opened.lima.id)
    assert report.state == "submitted"
    return report


@pytest.mark.parametrize("who", ["stranger", "reviewer"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_city_and_a_reviewer_find_nothing(world, opened, login_as, who, method):
    client = login_as(getattr(world, who))
    response = getattr(client, method)(report_page(opened.lima), data=complete())
    assert response.status_code == 404
    assert reports(id=opened.lima.id)[0].state == "due"


def test_one_city_cannot_see_the_other_s_report(world, opened, login_as):
    assert login_as(world.aroha).get(report_page(opened.lima)).status_code == 404
    assert login_as(world.rosa).get(report_page(opened.auckland)).status_code == 404


def test_the_public_is_sent_to_sign_in_and_sees_nothing(world, opened, client):
    response = client.get(report_page(opened.lima))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.post(report_page(opened.lima), data=complete()).status_code == 302
    assert reports(id=opened.lima.id)[0].state == "due"


def test_the_public_recognition_page_shows_no_report(world, opened, client):
    response = client.get(f"/nominations/{world.lima_hub.id}")
    assert response.status_code == 200  # the announced recognition is public
    assert "Annual report" not in text_of(response)
    assert f"/reports/{opened.lima.id}" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["stranger", "reviewer"])
def test_others_see_no_panel_on_the_recognition_page(world, opened, login_as, who):
    response = login_as(getattr(world, who)).get(f"/nominations/{world.lima_hub.id}")
    assert "Annual reports" not in text_of(response)


def test_the_city_cannot_accept_its_own_report(world, opened, login_as):
    submitted(world, opened, login_as)
    client = login_as(world.rosa)
    for transition in ("accept", "return"):
        client.post(
            f"/workflow/annual_report/{opened.lima.id}/{transition}",
            data={"comment": "Perfecto.", "version": "3"},
        )
    assert reports(id=opened.lima.id)[0].state == "submitted"
    html = client.get(report_page(opened.lima)).get_data(as_text=True)
    assert "/accept" not in html and "/return" not in html


def test_the_secretariat_reads_and_accepts(world, opened, login_as):
    submitted(world, opened, login_as)
    client = login_as(world.officer)
    response = client.get(report_page(opened.lima))
    assert response.status_code == 200
    text = text_of(response)
    assert "Mentoría a Cusco y Arequipa sobre alerta temprana." in text
    html = response.get_data(as_text=True)
    assert f"/workflow/annual_report/{opened.lima.id}/accept" in html
    assert 'name="action" value="save"' not in html  # the secretariat does not write it
    client.post(
        f"/workflow/annual_report/{opened.lima.id}/accept",
        data={"version": "3", "next": report_page(opened.lima)},
    )
    assert reports(id=opened.lima.id)[0].state == "accepted"


def test_returning_needs_a_comment(world, opened, login_as):
    submitted(world, opened, login_as)
    client = login_as(world.officer)
    client.post(f"/workflow/annual_report/{opened.lima.id}/return", data={"version": "3"})
    assert reports(id=opened.lima.id)[0].state == "submitted"
    client.post(
        f"/workflow/annual_report/{opened.lima.id}/return",
        data={"version": "3", "comment": "Nombre las ciudades."},
    )
    assert reports(id=opened.lima.id)[0].state == "returned"


def test_the_secretariat_cannot_write_the_city_s_report(world, opened, login_as):
    client = login_as(world.officer)
    response = client.post(report_page(opened.lima), data=complete(action="save"))
    assert response.status_code == 303
    assert reports(id=opened.lima.id)[0].peer_exchanges == ""


# Who holds which permission in which state, as the definition says.
TABLE = {
    # state: {who: (view, edit, assess)}
    "due": {"rosa": "ve-", "officer": "v--", "aroha": "---", "reviewer": "---"},
    "returned": {"rosa": "ve-", "officer": "v--", "aroha": "---", "reviewer": "---"},
    "submitted": {"rosa": "v--", "officer": "v-a", "aroha": "---", "reviewer": "---"},
    "accepted": {"rosa": "v--", "officer": "v--", "aroha": "---", "reviewer": "---"},
}


@pytest.mark.parametrize("state", sorted(TABLE))
def test_permissions_by_state(db, world, opened, state):
    report = db.session.get(AnnualReport, opened.lima.id)
    report.state = state  # the table only: no transition fired, nothing written
    report.submitted_at = report.created_at
    for who, expected in TABLE[state].items():
        user = getattr(world, who)
        with db.session.no_autoflush:
            held = "".join(
                letter if can(user, permission, report) else "-"
                for letter, permission in zip("vea", ("view", "edit", "assess"), strict=True)
            )
        assert held == expected, (state, who)
    db.session.rollback()
