"""Helpers for the reading tests: PDFs with text on each page, damaged and locked PDFs, an
image, and files attached as the city's edit page attaches them."""

from __future__ import annotations

import io

import segno
from pypdf import PdfReader, PdfWriter
from werkzeug.datastructures import FileStorage

from recognition.extensions import db
from recognition.nominations.operations import attach


def text_pdf(*pages: str) -> bytes:
    """A PDF with one page per text, each written on its page in Helvetica."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, text in enumerate(pages):
        safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 24 Tf 72 700 Td ({safe}) Tj ET".encode("latin-1")
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
            ).encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def locked_pdf(*pages: str, password: str = "secret") -> bytes:
    """A PDF that opens only with ``password``."""
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf(*pages))))
    writer.encrypt(user_password=password, owner_password=password, algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


#: A PDF header (the type is sniffed as PDF) and nothing a reader can use.
DAMAGED_PDF = b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def png_image() -> bytes:
    out = io.BytesIO()
    segno.make("evidence", micro=False).save(out, kind="png", scale=4)
    return out.getvalue()


def add_file(nomination, field: str, data: bytes, filename: str, user):
    """Attach ``data`` to ``field`` as the edit page does (stored, type sniffed); flushes."""
    attachment = attach(nomination, field, FileStorage(io.BytesIO(data), filename=filename), user)
    db.session.flush()
    return attachment


def pdf_text(data: bytes) -> list[str]:
    """The text of each page of a PDF."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
