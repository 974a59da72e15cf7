"""Helpers for the city journey: small real files, multipart posts, and
``complete_role_model_answers(nomination, user)``, which fills every required input of the
Role Model City form so that a nomination can be submitted (other suites may reuse it:
``from nominations_support import complete_role_model_answers``)."""

from __future__ import annotations

import io
from contextlib import contextmanager

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from recognition.extensions import db
from recognition.nominations.operations import attach, save_answers

#: The smallest bytes each sniffed type recognises; enough for filetype to tell the type.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def pdf_bytes(label: str = "", size: int | None = None) -> bytes:
    """A small PDF; ``label`` makes its content (and so its sha256) distinct; ``size`` pads."""
    data = PDF + f"% {label}\n".encode()
    if size is not None:
        data += b"%" * (size - len(data))
    return data


def upload(data: bytes, filename: str, content_type: str = "application/pdf") -> FileStorage:
    """A file as a browser sends it: ``content_type`` is the browser's claim, not the truth."""
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type=content_type)


def post_multipart(client, url: str, data: dict, **kwargs):
    """POST ``data`` (strings, lists and ``upload()`` files) as multipart/form-data.

    The body is encoded in memory: werkzeug's test client spools large bodies to a temporary
    file it never closes, which the suite's ``filterwarnings = error`` turns into a failure.
    """
    boundary, body = encode_multipart(data)
    return client.post(
        url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"', **kwargs
    )


def complete_role_model_answers(nomination, user) -> None:
    """Fill every required input of the Role Model City form, valid, and attach the letters.

    The answers go through ``save_answers`` and the files through ``attach`` (real PDF bytes,
    stored under the test upload folder), as the city's edit pages would. Flushes only: the
    caller commits when a request must see the data.
    """
    programme = nomination.programme
    assert programme.id == "role_model_city", "this helper fills the Role Model City form"
    answers = {
        "population": "250000",
        "area_km2": "120",
        "hazards": ["flood", "heat"],
        "joined_campaign": "2021-03-15",
        "motivation": "The city plans and acts with its residents.",
        "innovation": "Neighbourhood risk maps drawn with residents.",
        "sustained_results": "Flood damage halved over ten years.",
        "sharing": "Twinning with three cities; annual training week.",
        "nominator_type": "self",
        "nominator_name": "",
    }
    grid = programme.inputs["essentials__1__score"].field
    for number in range(1, len(grid.essentials) + 1):
        answers[f"essentials__{number}__score"] = str(4 if number <= 6 else 3)
        answers[f"essentials__{number}__narrative"] = f"Progress on Essential {number}."
    save_answers(nomination, answers)
    for field in ("motivation_letter", "recommendation_letter"):
        attach(
            nomination,
            field,
            FileStorage(
                stream=io.BytesIO(pdf_bytes(f"{nomination.id}-{field}")), filename=f"{field}.pdf"
            ),
            user,
        )
    db.session.flush()


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block: ``with count_queries() as n: ...``;
    ``len(n)`` afterwards."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
