"""Helpers for the city journey: small real files, multipart posts, and
``complete_role_model_answers(nomination, user)`` (from factories), which fills every required
input of the Role Model City form so that a nomination can be submitted."""

from __future__ import annotations

import io

from database_support import recorded_statements as count_queries  # noqa: F401
from factories import PDF, complete_role_model_answers, pdf_bytes  # noqa: F401 - re-exported
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

#: The smallest bytes each sniffed type recognises; enough for filetype to tell the type.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


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
