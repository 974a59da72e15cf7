"""Evidence files: typed from their bytes, limited in size, safely named, stored by content
outside the static folder, downloaded as attachments by those who may see the nomination."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import factories
import pytest
import sqlalchemy as sa
from nominations_support import ELF, HTML, MZ, PNG, pdf_bytes, post_multipart, upload

from recognition.extensions import db as _db
from recognition.nominations.models import Attachment, Nomination
from recognition.nominations.storage import (
    UploadRefused,
    blob_path,
    sanitise_filename,
    store,
    upload_folder,
)

MB = 1024 * 1024
NOT_ACCEPTED = "This file type is not accepted. Send a PDF, an image or an office document."


def text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(response) -> list[str]:
    return re.findall(r'class="invalid-feedback d-block">([^<]*)<', text(response))


def zipped(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>"))
ODT = zipped(("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>"))
ZIP = zipped(("notes.txt", b"hello"))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32


def attachments(db, nomination=None) -> list[Attachment]:
    stmt = sa.select(Attachment).order_by(Attachment.id)
    if nomination is not None:
        stmt = stmt.where(Attachment.nomination_id == nomination.id)
    return list(db.session.scalars(stmt))


def stored_blobs(app) -> list[Path]:
    folder = Path(app.config["RECOGNITION_UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def send(client, nomination, section="nominator", **fields):
    return post_multipart(
        client, f"/nominations/{nomination.id}/edit/{section}", {"go": "stay", **fields}
    )


@pytest.fixture
def editor(db, client, login_as, draft, focal):
    db.session.commit()
    login_as(focal)
    return client


# -- the type comes from the bytes -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "mime", "extension"),
    [
        (pdf_bytes(), "application/pdf", "pdf"),
        (PNG, "image/png", "png"),
        (JPEG, "image/jpeg", "jpg"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
        (ODT, "application/vnd.oasis.opendocument.text", "odt"),
    ],
    ids=["pdf", "png", "jpeg", "docx", "odt"],
)
def test_accepted_types_are_sniffed_from_the_bytes(app, data, mime, extension):
    stored = store(io.BytesIO(data), "evidence.bin", MB)
    assert (stored.mime, stored.filename) == (mime, f"evidence.{extension}")


@pytest.mark.parametrize(
    "data",
    [HTML, ELF, MZ, ZIP, b"just some text", b"%!PS-Adobe-3.0\n"],
    ids=["html", "elf", "mz", "zip", "text", "postscript"],
)
def test_other_types_are_refused_whatever_their_name(app, data):
    with pytest.raises(UploadRefused) as refused:
        store(io.BytesIO(data), "report.pdf", MB)
    assert str(refused.value.message) == NOT_ACCEPTED


def test_empty_file_is_refused(app):
    with pytest.raises(UploadRefused, match="The file is empty."):
        store(io.BytesIO(b""), "empty.pdf", MB)


def test_refused_files_leave_nothing_in_storage(app):
    for data in (HTML, ELF, pdf_bytes(size=MB + 1)):
        with pytest.raises(UploadRefused):
            store(io.BytesIO(data), "x.pdf", MB)
    assert stored_blobs(app) == []


# -- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("report\x00.exe.pdf", "report.exe.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ('a<b>c:"d"|e?f*.pdf', "abcdef.pdf"),
        ("  .hidden.pdf  ", "hidden.pdf"),
        ("", "file.pdf"),
        ("../", "file.pdf"),
        ("Plan d’action 2026.doc", "Plan d’action 2026.pdf"),
    ],
)
def test_file_names_are_sanitised(name, safe):
    assert sanitise_filename(name, "pdf") == safe


def test_long_file_names_are_shortened_keeping_the_extension():
    safe = sanitise_filename("a" * 300 + ".pdf", "pdf")
    assert len(safe) <= 120 and safe.endswith("a.pdf")


# -- storage by content ----------------------------------------------------------------------


def test_files_are_stored_by_sha256_outside_the_static_folder(app, editor, draft):
    data = pdf_bytes("letter")
    send(editor, draft, motivation_letter=upload(data, "letter.pdf"))
    [attachment] = attachments(_db, draft)
    path = blob_path(attachment.sha256)
    assert path == upload_folder() / attachment.sha256[:2] / attachment.sha256
    assert path.read_bytes() == data
    assert Path(app.static_folder) not in path.parents


def test_same_content_is_stored_once(app, editor, draft):
    data = pdf_bytes("same")
    send(
        editor,
        draft,
        motivation_letter=upload(data, "one.pdf"),
        recommendation_letter=upload(data, "two.pdf"),
    )
    assert [a.filename for a in attachments(_db, draft)] == ["one.pdf", "two.pdf"]
    assert len(stored_blobs(app)) == 1


def test_upload_records_name_type_size_and_uploader(editor, draft, focal):
    send(editor, draft, other_evidence=upload(PNG, "photo.png", "image/png"))
    [attachment] = attachments(_db, draft)
    assert (attachment.field, attachment.filename, attachment.mime, attachment.size) == (
        "other_evidence",
        "photo.png",
        "image/png",
        len(PNG),
    )
    assert attachment.uploaded_by_id == focal.id


def test_browsers_claim_about_the_type_is_ignored(editor, draft):
    send(editor, draft, other_evidence=upload(PNG, "scan.pdf", "application/pdf"))
    [attachment] = attachments(_db, draft)
    assert (attachment.mime, attachment.filename) == ("image/png", "scan.png")


def test_several_files_can_answer_one_field(editor, draft):
    send(
        editor,
        draft,
        other_evidence=[upload(pdf_bytes("a"), "a.pdf"), upload(pdf_bytes("b"), "b.pdf")],
    )
    assert [a.filename for a in attachments(_db, draft)] == ["a.pdf", "b.pdf"]


def test_evidence_can_be_attached_to_an_essential(editor, draft):
    send(editor, draft, "self_assessment", essentials__4__evidence=upload(pdf_bytes(), "plan.pdf"))
    assert [a.field for a in attachments(_db, draft)] == ["essentials__4__evidence"]


# -- bad uploads through the page ------------------------------------------------------------


@pytest.mark.parametrize("data", [HTML, ELF, MZ], ids=["html", "elf", "mz"])
def test_a_pdf_that_is_not_a_pdf_is_refused_with_a_message(editor, draft, data):
    response = send(editor, draft, motivation_letter=upload(data, "letter.pdf"))
    assert response.status_code == 200
    assert field_errors(response) == [f"“letter.pdf”: {NOT_ACCEPTED}"]
    assert attachments(_db, draft) == []


def test_oversized_file_is_refused_with_the_limit(editor, draft, small_limits):
    response = send(editor, draft, motivation_letter=upload(pdf_bytes(size=MB + 1), "big.pdf"))
    assert field_errors(response) == ["“big.pdf”: The file is larger than 1 MB."]
    assert attachments(_db, draft) == []


def test_file_of_exactly_the_limit_is_accepted(editor, draft, small_limits):
    send(editor, draft, motivation_letter=upload(pdf_bytes(size=MB), "exact.pdf"))
    assert [a.size for a in attachments(_db, draft)] == [MB]


def test_files_beyond_the_nominations_total_are_refused(editor, draft, small_limits):
    send(
        editor,
        draft,
        other_evidence=[
            upload(pdf_bytes(str(n), size=int(0.9 * MB)), f"{n}.pdf") for n in range(2)
        ],
    )
    response = send(
        editor, draft, other_evidence=upload(pdf_bytes("3", size=int(0.5 * MB)), "3.pdf")
    )
    assert field_errors(response) == [
        "“3.pdf”: The files of this nomination would exceed 2 MB in total. "
        "Remove a file or send a smaller one."
    ]
    assert [a.filename for a in attachments(_db, draft)] == ["0.pdf", "1.pdf"]


def test_full_nomination_refuses_any_further_file(editor, draft, small_limits):
    send(
        editor,
        draft,
        other_evidence=[upload(pdf_bytes(str(n), size=MB), f"{n}.pdf") for n in range(2)],
    )
    response = send(editor, draft, other_evidence=upload(pdf_bytes("x"), "x.pdf"))
    assert field_errors(response) == [
        "“x.pdf”: This nomination already holds 2 MB of files, the most allowed."
    ]


def test_refused_file_loses_nothing_already_saved(editor, draft):
    send(editor, draft, motivation_letter=upload(pdf_bytes("kept"), "kept.pdf"))
    send(
        editor,
        draft,
        nominator_type="self",
        recommendation_letter=upload(ELF, "virus.pdf"),
    )
    assert [a.filename for a in attachments(_db, draft)] == ["kept.pdf"]
    assert _db.session.get(Nomination, draft.id).answers["nominator_type"] == "self"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("letter\x00.pdf", "letter.pdf"),
        ("l" * 300 + ".pdf", "l" * 116 + ".pdf"),
    ],
    ids=["dot-dot", "nul", "300-characters"],
)
def test_uploaded_file_names_are_sanitised(editor, draft, name, safe):
    response = send(editor, draft, motivation_letter=upload(pdf_bytes(), name))
    assert response.status_code == 302
    assert [a.filename for a in attachments(_db, draft)] == [safe]


# -- removing a file -------------------------------------------------------------------------


def test_a_file_can_be_removed_while_editable(editor, draft):
    send(
        editor,
        draft,
        motivation_letter=upload(pdf_bytes("a"), "keep.pdf"),
        recommendation_letter=upload(pdf_bytes("b"), "drop.pdf"),
    )
    drop = attachments(_db, draft)[1]
    response = send(editor, draft, delete_attachment=str(drop.id))
    assert [a.filename for a in attachments(_db, draft)] == ["keep.pdf"]
    assert "The file “drop.pdf” is removed." in text(editor.get(response.headers["Location"]))


def test_section_page_offers_a_remove_button_per_file(editor, draft):
    send(editor, draft, motivation_letter=upload(pdf_bytes(), "letter.pdf"))
    [attachment] = attachments(_db, draft)
    html = text(editor.get(f"/nominations/{draft.id}/edit/nominator"))
    assert f'name="delete_attachment" value="{attachment.id}"' in html


def test_another_nominations_file_cannot_be_removed(editor, draft, call, focal):
    other = factories.make_nomination(call=call, city=factories.make_city())
    _db.session.add(
        Attachment(
            nomination=other,
            field="motivation_letter",
            filename="x.pdf",
            sha256="0" * 64,
            mime="application/pdf",
            size=1,
        )
    )
    _db.session.commit()
    [theirs] = attachments(_db, other)
    send(editor, draft, delete_attachment=str(theirs.id))
    assert attachments(_db, other) == [theirs]


def test_a_bad_attachment_number_is_ignored(editor, draft):
    response = send(editor, draft, delete_attachment="not-a-number", nominator_type="self")
    assert response.status_code == 302


# -- downloading -----------------------------------------------------------------------------


@pytest.fixture
def letter(editor, draft):
    send(editor, draft, motivation_letter=upload(pdf_bytes("dl"), "Lettre du maire.pdf"))
    [attachment] = attachments(_db, draft)
    return attachment


def download(client, nomination, attachment):
    response = client.get(f"/nominations/{nomination.id}/files/{attachment.id}")
    body = response.get_data()
    response.close()
    return response, body


def test_download_is_always_an_attachment_with_the_sniffed_type(editor, draft, letter):
    response, body = download(editor, draft, letter)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Disposition"] == 'attachment; filename="Lettre du maire.pdf"'
    assert response.mimetype == "application/pdf"
    assert body == pdf_bytes("dl")


def test_download_cannot_be_rendered_by_the_browser(editor, draft, letter):
    response, _ = download(editor, draft, letter)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_secretariat_can_download(client, login_as, draft, letter):
    officer = factories.make_secretariat()
    _db.session.commit()
    login_as(officer)
    assert download(client, draft, letter)[0].status_code == 200


def test_another_city_guessing_the_file_gets_404(client, login_as, draft, letter):
    stranger = factories.make_focal_point()
    _db.session.commit()
    login_as(stranger)
    assert download(client, draft, letter)[0].status_code == 404


def test_a_file_of_another_nomination_under_ones_own_address_is_404(editor, draft, call, letter):
    other = factories.make_nomination(call=call, city=factories.make_city())
    theirs = Attachment(
        nomination=other,
        field="motivation_letter",
        filename="theirs.pdf",
        sha256=letter.sha256,
        mime="application/pdf",
        size=letter.size,
    )
    _db.session.add(theirs)
    _db.session.commit()
    assert download(editor, draft, theirs)[0].status_code == 404


def test_visitors_cannot_download(client, login_as, draft, letter):
    login_as(None)
    response, _ = download(client, draft, letter)
    assert response.headers["Location"].startswith("/login")


def test_nomination_page_links_the_files(editor, draft, letter):
    html = text(editor.get(f"/nominations/{draft.id}"))
    assert f'href="/nominations/{draft.id}/files/{letter.id}"' in html


def test_a_body_beyond_the_whole_nominations_limit_is_refused_unread(editor, draft, small_limits):
    response = send(
        editor,
        draft,
        nominator_type="self",
        other_evidence=upload(pdf_bytes(size=4 * MB), "huge.pdf"),
    )
    assert response.status_code == 413
    assert "What you sent is too large." in text(response)
    assert (_db.session.get(Nomination, draft.id).answers, attachments(_db, draft)) == ({}, [])
