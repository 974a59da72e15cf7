"""The city writes its report: Save draft keeps anything within the lengths, Submit needs
something shared and with whom; errors beside their field, in the user's language, and
nothing typed is lost."""

from __future__ import annotations

import re

import sqlalchemy as sa
from reports_support import complete, error_after, outbox, reports, text_of

from recognition.extensions import db
from recognition.reports.models import TEXT_LENGTH
from recognition.workflow.history import WorkflowEvent


def page(client, report):
    return f"/reports/{report.id}"


def test_the_focal_point_opens_the_form(world, opened, login_as):
    response = login_as(world.aroha).get(page(None, opened.auckland))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for field in ("language", "peer_exchanges", "study_visits", "tools", "shared_with"):
        assert f'<label class="form-label" for="{field}">' in html
    assert 'name="action" value="save"' in html and 'name="action" value="submit"' in html
    text = text_of(response)
    assert "Year 1 of the recognition: from March 15, 2027 to March 14, 2028." in text
    assert "Due by April 14, 2028" in text


def test_save_draft_keeps_what_is_typed_without_submitting(world, opened, login_as):
    client = login_as(world.rosa)
    response = client.post(
        page(client, opened.lima),
        data={"language": "es", "peer_exchanges": "Mentoría a Cusco.", "action": "save"},
    )
    assert response.status_code == 303
    (report,) = reports(id=opened.lima.id)
    assert (report.state, report.peer_exchanges, report.shared_with) == (
        "due",
        "Mentoría a Cusco.",
        "",
    )
    assert report.language == "es"
    assert report.submitted_at is None


def test_an_incomplete_report_is_saved_not_submitted_with_errors_beside_the_fields(
    world, opened, login_as
):
    client = login_as(world.rosa)
    response = client.post(
        page(client, opened.lima),
        data={
            "language": "es",
            "tools": "",
            "shared_with": "",
            "action": "submit",
            "study_visits": "",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_after(html, "peer_exchanges") == (
        "Describe at least one peer exchange, study visit or tool your city shared."
    )
    assert error_after(html, "shared_with") == "Name the cities or partners your city shared with."
    assert reports(id=opened.lima.id)[0].state == "due"


def test_the_incomplete_text_is_kept(world, opened, login_as):
    client = login_as(world.rosa)
    response = client.post(
        page(client, opened.lima), data=complete(shared_with="", action="submit")
    )
    assert "Mentoría a Cusco y Arequipa sobre alerta temprana." in response.get_data(as_text=True)
    (report,) = reports(id=opened.lima.id)
    assert report.peer_exchanges == "Mentoría a Cusco y Arequipa sobre alerta temprana."
    assert report.state == "due"


def test_a_complete_report_is_submitted(world, opened, login_as):
    client = login_as(world.rosa)
    response = client.post(page(client, opened.lima), data=complete())
    assert response.status_code == 303
    (report,) = reports(id=opened.lima.id)
    assert report.state == "submitted"
    assert report.submitted_at is not None
    assert report.shared_with == "Cusco (PE)\nArequipa (PE)\nQuito (EC)"
    events = db.session.scalars(
        sa.select(WorkflowEvent.transition).where(
            WorkflowEvent.object_type == "annual_report", WorkflowEvent.object_id == report.id
        )
    ).all()
    assert events == ["create", "submit"]
    told = {m.to_email for m in outbox(template="transition")}
    assert {world.officer.email, world.rosa.email} <= told
    page_text = text_of(client.get(page(client, opened.lima)))
    assert "Mentoría a Cusco y Arequipa sobre alerta temprana." in page_text
    assert "Submitted" in page_text


def test_too_long_a_text_is_refused_beside_its_field_and_kept(world, opened, login_as):
    client = login_as(world.rosa)
    long_text = "x" * (TEXT_LENGTH + 1)
    response = client.post(page(client, opened.lima), data=complete(tools=long_text, action="save"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_after(html, "tools") == f"Write at most {TEXT_LENGTH} characters."
    assert long_text in html
    assert reports(id=opened.lima.id)[0].tools == ""  # nothing cut off behind the city's back


def test_an_unknown_language_is_refused_beside_the_field(world, opened, login_as):
    client = login_as(world.rosa)
    response = client.post(page(client, opened.lima), data=complete(language="xx"))
    assert response.status_code == 200
    assert error_after(response.get_data(as_text=True), "language")
    assert reports(id=opened.lima.id)[0].state == "due"


def test_errors_come_in_the_user_s_language(world, opened, login_as):
    world.rosa.locale = "fr"
    db.session.commit()
    client = login_as(world.rosa)
    response = client.post(
        page(client, opened.lima), data=complete(language="xx"), headers={"Accept-Language": "fr"}
    )
    assert "pas un choix valide" in error_after(response.get_data(as_text=True), "language")


def test_the_form_in_arabic_is_right_to_left_and_the_text_keeps_its_language(
    world, opened, login_as
):
    world.rosa.locale = "ar"
    db.session.commit()
    client = login_as(world.rosa)
    client.post(page(client, opened.lima), data=complete(language="es", action="save"))
    html = client.get(page(client, opened.lima)).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html
    for name in ("peer_exchanges", "study_visits", "tools", "shared_with"):
        assert re.search(rf'<textarea [^>]*dir="auto" id="{name}" lang="es"', html), name


def test_a_report_changed_meanwhile_keeps_the_text_and_says_so(world, opened, login_as):
    client = login_as(world.rosa)
    client.post(page(client, opened.lima), data=complete(action="save"))  # version 2
    response = client.post(
        page(client, opened.lima),
        data=complete(peer_exchanges="Texto escrito en otra pestaña.", version="1"),
    )
    assert response.status_code == 409
    assert "Texto escrito en otra pestaña." in response.get_data(as_text=True)
    assert reports(id=opened.lima.id)[0].state == "due"


def test_a_submitted_report_can_no_longer_be_changed(world, opened, login_as):
    client = login_as(world.rosa)
    client.post(page(client, opened.lima), data=complete())
    response = client.post(
        page(client, opened.lima), data=complete(peer_exchanges="Otra cosa.", action="save")
    )
    assert response.status_code == 303
    (report,) = reports(id=opened.lima.id)
    assert report.peer_exchanges == "Mentoría a Cusco y Arequipa sobre alerta temprana."
    html = client.get(page(client, opened.lima)).get_data(as_text=True)
    assert 'name="action" value="submit"' not in html


def test_returned_the_city_reads_the_comment_and_submits_again(world, opened, login_as):
    client = login_as(world.rosa)
    client.post(page(client, opened.lima), data=complete())
    login_as(world.officer).post(
        f"/workflow/annual_report/{opened.lima.id}/return",
        data={"comment": "¿Con qué ciudades de Bolivia?", "version": "3"},
    )
    assert reports(id=opened.lima.id)[0].state == "returned"
    client = login_as(world.rosa)
    text = text_of(client.get(page(client, opened.lima)))
    assert "The secretariat asks you to complete the report" in text
    assert "¿Con qué ciudades de Bolivia?" in text
    client.post(page(client, opened.lima), data=complete(shared_with="Cusco\nLa Paz (BO)"))
    (report,) = reports(id=opened.lima.id)
    assert (report.state, report.shared_with) == ("submitted", "Cusco\nLa Paz (BO)")
    events = db.session.scalars(
        sa.select(WorkflowEvent.transition)
        .where(WorkflowEvent.object_type == "annual_report", WorkflowEvent.object_id == report.id)
        .order_by(WorkflowEvent.id)
    ).all()
    assert events == ["create", "submit", "return", "resubmit"]
