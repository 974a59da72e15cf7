"""The evidence of a request: a note (required) and a PDF (optional), checked by its bytes,
stored by content, downloaded by those who may read it; a refused file keeps the note."""

from __future__ import annotations

import factories
from stages_support import NOTE, field_error, request_data, stage_at, text_of

from recognition.extensions import db
from recognition.nominations.storage import blob_path
from recognition.stages.models import stage_of_city
from recognition.workflow.history import history_of


def test_a_pdf_is_stored_with_the_request_and_named_in_the_history(client, login_as, people):
    pdf = factories.pdf_bytes("scorecard")
    login_as(people.focal)
    response = client.post(
        f"/stages/cities/{people.city.id}/request",
        data=request_data(file=(pdf, "Scorecard 2026.pdf")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 302
    stage = stage_of_city(people.city.id)
    assert (stage.filename, stage.mime, stage.size) == (
        "Scorecard 2026.pdf",
        "application/pdf",
        len(pdf),
    )
    assert blob_path(stage.sha256).read_bytes() == pdf
    assert history_of(stage)[-1].data == {"file": "Scorecard 2026.pdf", "sha256": stage.sha256}


def test_a_file_that_is_not_a_pdf_is_refused_beside_the_field_and_the_note_kept(
    client, login_as, people
):
    login_as(people.focal)
    note = "Our risk maps <with> neighbourhoods & schools"
    response = client.post(
        f"/stages/cities/{people.city.id}/request",
        data=request_data(note=note, file=(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "map.pdf")),
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    assert field_error(response, "evidence") == "“map.pdf”: Send the evidence as a PDF file."
    html = response.get_data(as_text=True)
    assert "Our risk maps &lt;with&gt; neighbourhoods &amp; schools</textarea>" in html
    assert stage_of_city(people.city.id) is None


def test_a_request_without_a_note_is_refused_beside_the_field(client, login_as, people):
    login_as(people.focal)
    response = client.post(
        f"/stages/cities/{people.city.id}/request",
        data=request_data(note="  ", file=(factories.pdf_bytes(), "scorecard.pdf")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert field_error(response, "note") == "Say what the city has done for this stage."
    assert stage_of_city(people.city.id) is None


def test_a_new_request_replaces_the_evidence_of_the_previous_one(client, login_as, people):
    stage = stage_at(people.city, "stage_a", note="old", filename="old.pdf", sha256="a" * 64)
    db.session.commit()
    login_as(people.focal)
    response = client.post(
        f"/stages/cities/{people.city.id}/request",
        data=request_data(version=stage.version),
    )
    assert response.status_code == 302
    db.session.refresh(stage)
    assert (stage.note, stage.filename, stage.sha256) == (NOTE, "", "")


def test_the_evidence_is_downloaded_by_the_city_and_the_secretariat(client, login_as, people):
    pdf = factories.pdf_bytes("plan")
    login_as(people.focal)
    client.post(
        f"/stages/cities/{people.city.id}/request",
        data=request_data(file=(pdf, "plan.pdf")),
        content_type="multipart/form-data",
    )
    stage = stage_of_city(people.city.id)
    for user in (people.focal, people.officer):
        login_as(user)
        page = client.get(f"/stages/{stage.id}")
        assert f'href="/stages/{stage.id}/evidence"' in page.get_data(as_text=True)
        assert NOTE in text_of(page)
        response = client.get(f"/stages/{stage.id}/evidence")
        assert response.status_code == 200
        assert response.data == pdf
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["Content-Type"] == "application/pdf"
        response.close()

    login_as(people.other)
    assert client.get(f"/stages/{stage.id}/evidence").status_code == 404


def test_no_file_no_download(client, login_as, people):
    stage = stage_at(people.city, "a_requested", note=NOTE)
    db.session.commit()
    login_as(people.officer)
    assert client.get(f"/stages/{stage.id}/evidence").status_code == 404
