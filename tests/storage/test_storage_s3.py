"""Evidence in an S3-compatible object store (moto's standalone server over real HTTP): the
app's upload forms put files there, its permission-checked views stream them back with the
headers a local file gets, the same bytes are stored once, and a store that cannot be reached
refuses the file beside its field while the answers typed with it are saved."""

from __future__ import annotations

import hashlib
import io
import re
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import factories
import pytest
import sqlalchemy as sa
from pypdf import PdfWriter
from storage_support import field_errors, free_port, post_multipart, upload

from recognition.extensions import db
from recognition.letters.models import Letter
from recognition.letters.operations import RefereeDetails, ask
from recognition.nominations.models import Attachment, Nomination
from recognition.reading import operations as reading
from recognition.stages.models import stage_of_city
from recognition.storage import evidence_store

MB = 1024 * 1024
UNAVAILABLE = (
    "The file could not be stored just now. Your other answers are saved: "
    "send the file again later."
)
#: What a download answers besides the bytes, compared between the two backends.
DOWNLOAD_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "Content-Length",
    "Content-Security-Policy",
    "Cache-Control",
    "X-Content-Type-Options",
)


@pytest.fixture
def world(db):
    """Committed: ``focal`` of ``city``, its ``draft`` to an open Role Model City call, and
    ``officer`` of the secretariat."""
    focal = factories.make_focal_point(name="Focal Point")
    city = focal.memberships[0].city
    call = factories.make_call(title="Role Model Cities 2026")
    draft = factories.make_nomination(call=call, city=city, created_by_id=focal.id)
    officer = factories.make_secretariat()
    db.session.commit()
    return SimpleNamespace(focal=focal, city=city, call=call, draft=draft, officer=officer)


@pytest.fixture
def editor(client, login_as, world):
    login_as(world.focal)
    return client


def send(client, nomination, **fields):
    """The city's section page sent with ``fields`` (text and files), staying on the page."""
    return post_multipart(
        client, f"/nominations/{nomination.id}/edit/nominator", {"go": "stay", **fields}
    )


def attachments(nomination) -> list[Attachment]:
    stmt = sa.select(Attachment).where(Attachment.nomination_id == nomination.id)
    return list(db.session.scalars(stmt.order_by(Attachment.id)))


def download(client, url: str):
    """The response and its body, the body read and the response closed."""
    response = client.get(url)
    body = response.get_data()
    response.close()
    return response, body


def object_name(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return f"evidence/{sha[:2]}/{sha}"


def local_files(app) -> list[Path]:
    folder = Path(app.config["RECOGNITION_UPLOAD_FOLDER"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def count_puts() -> list[str]:
    """The objects the app's store writes from now on (each PutObject it sends)."""
    written: list[str] = []
    client = evidence_store().client
    client.meta.events.register(
        "before-call.s3.PutObject", lambda params, **kw: written.append(params["Key"])
    )
    return written


# -- through the forms and the views ---------------------------------------------------------


def test_evidence_uploaded_through_the_form_is_downloaded_through_the_view(s3, app, editor, world):
    data = factories.pdf_bytes("mayor's letter")
    response = send(editor, world.draft, motivation_letter=upload(data, "Lettre du maire.pdf"))
    assert response.status_code == 302
    [attachment] = attachments(world.draft)
    assert s3.names() == [object_name(data)]
    assert local_files(app) == []

    response, body = download(editor, f"/nominations/{world.draft.id}/files/{attachment.id}")
    assert response.status_code == 200
    assert body == data
    assert response.headers["Content-Disposition"] == 'attachment; filename="Lettre du maire.pdf"'


def test_a_download_from_the_store_has_the_headers_of_a_local_file(
    s3, app, editor, world, monkeypatch
):
    data = factories.pdf_bytes("headers")
    headers = {}
    for backend in ("s3", "local"):
        monkeypatch.setitem(app.config, "RECOGNITION_STORAGE", backend)
        send(editor, world.draft, other_evidence=upload(data, "Plan d’action.pdf"))
        attachment = attachments(world.draft)[-1]
        response, body = download(editor, f"/nominations/{world.draft.id}/files/{attachment.id}")
        assert body == data
        headers[backend] = {name: response.headers.get(name) for name in DOWNLOAD_HEADERS}
    assert headers["s3"] == headers["local"]
    assert headers["s3"]["Content-Disposition"].startswith("attachment;")
    assert headers["s3"]["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_the_same_bytes_uploaded_twice_are_stored_once(s3, editor, world):
    data = factories.pdf_bytes("same")
    send(editor, world.draft, motivation_letter=upload(data, "one.pdf"))
    puts = count_puts()
    send(
        editor,
        world.draft,
        recommendation_letter=upload(data, "two.pdf"),
        other_evidence=upload(data, "three.pdf"),
    )
    assert [a.filename for a in attachments(world.draft)] == ["one.pdf", "two.pdf", "three.pdf"]
    assert len({a.sha256 for a in attachments(world.draft)}) == 1
    assert s3.names() == [object_name(data)]
    assert puts == []  # found in the store, not sent again


def test_a_letter_sent_through_the_referees_link_is_read_from_the_store(
    s3, client, login_as, world
):
    field = next(
        f for s in world.draft.programme.sections for f in s.fields if f.id == "endorsements"
    )
    referee = RefereeDetails(
        name="Rania Referee", organisation="ONG", email="rania@example.org", language="en"
    )
    letter, token = ask(world.draft, field, referee, world.focal)
    db.session.commit()
    data = factories.pdf_bytes("support")
    response = post_multipart(
        client, f"/letters/{token}", {"text": "", "letter_file": upload(data, "support.pdf")}
    )
    assert response.status_code == 303
    assert s3.names() == [object_name(data)]

    login_as(world.officer)
    response, body = download(client, f"/nominations/letters/{letter.id}/file")
    assert (response.status_code, body) == (200, data)
    assert db.session.get(Letter, letter.id).sha256 == hashlib.sha256(data).hexdigest()


def test_a_stage_requests_evidence_is_read_from_the_store(s3, client, login_as, world):
    data = factories.pdf_bytes("scorecard")
    login_as(world.focal)
    response = client.post(
        f"/stages/cities/{world.city.id}/request",
        data={"note": "Scorecard done.", "evidence": (io.BytesIO(data), "Scorecard.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert s3.names() == [object_name(data)]

    stage = stage_of_city(world.city.id)
    login_as(world.officer)
    response, body = download(client, f"/stages/{stage.id}/evidence")
    assert (response.status_code, body) == (200, data)


def one_page_pdf() -> bytes:
    """A PDF that pypdf reads: one blank page."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_packet_reads_pdf_evidence_from_the_store(s3, editor, world):
    data = one_page_pdf()
    send(editor, world.draft, motivation_letter=upload(data, "letter.pdf"))
    nomination = db.session.get(Nomination, world.draft.id)
    [found] = reading.evidence_of(nomination)
    assert found.included and found.pages == 1

    s3.client.delete_object(Bucket=s3.bucket, Key=object_name(data))
    [missing] = reading.evidence_of(nomination)
    assert missing.refusal == reading.MISSING


def test_a_download_is_streamed_not_read_whole_into_memory(s3, client, login_as, world):
    """16 MB go through the view while Python holds well under 4 MB at any moment (also
    the multipart upload's path: above 8 MB the object is sent in parts)."""
    data = factories.pdf_bytes("large", size=16 * MB)
    key = evidence_store().put(io.BytesIO(data))
    attachment = Attachment(
        nomination_id=world.draft.id,
        field="other_evidence",
        filename="large.pdf",
        sha256=key,
        mime="application/pdf",
        size=len(data),
    )
    db.session.add(attachment)
    db.session.commit()
    digest = hashlib.sha256()
    del data
    login_as(world.focal)
    tracemalloc.start()
    try:
        response = client.get(
            f"/nominations/{world.draft.id}/files/{attachment.id}", buffered=False
        )
        assert response.status_code == 200
        assert response.content_length == 16 * MB
        for chunk in response.response:
            digest.update(chunk)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert digest.hexdigest() == key
    assert peak < 4 * MB, f"peak {peak / MB:.1f} MB"


# -- when the store fails ----------------------------------------------------------------------


def dead_endpoint() -> dict:
    return {"RECOGNITION_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}


@pytest.mark.parametrize(
    "failure",
    [dead_endpoint, lambda: {"RECOGNITION_S3_BUCKET": "no-such-bucket"}],
    ids=["unreachable-endpoint", "missing-bucket"],
)
def test_a_store_that_fails_refuses_the_file_beside_its_field_and_keeps_the_answers(
    s3, editor, world, failure
):
    s3.use(**failure())
    response = send(
        editor,
        world.draft,
        nominator_type="campaign_partner",
        nominator_name="Kept across the failure",
        motivation_letter=upload(factories.pdf_bytes("lost"), "letter.pdf"),
    )
    assert response.status_code == 200
    assert field_errors(response.get_data(as_text=True)) == [f"“letter.pdf”: {UNAVAILABLE}"]
    saved = db.session.get(Nomination, world.draft.id)
    assert saved.answers["nominator_name"] == "Kept across the failure"
    assert attachments(world.draft) == []


def test_a_download_while_the_store_is_unreachable_answers_503(s3, editor, world):
    send(editor, world.draft, motivation_letter=upload(factories.pdf_bytes(), "letter.pdf"))
    [attachment] = attachments(world.draft)
    s3.use(**dead_endpoint())
    response, body = download(editor, f"/nominations/{world.draft.id}/files/{attachment.id}")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert re.search(r"<h1[^>]*>\s*Temporarily unavailable", body.decode())


def test_a_file_missing_from_the_store_is_404(s3, editor, world):
    data = factories.pdf_bytes("gone")
    send(editor, world.draft, motivation_letter=upload(data, "letter.pdf"))
    [attachment] = attachments(world.draft)
    s3.client.delete_object(Bucket=s3.bucket, Key=object_name(data))
    response, _ = download(editor, f"/nominations/{world.draft.id}/files/{attachment.id}")
    assert response.status_code == 404
