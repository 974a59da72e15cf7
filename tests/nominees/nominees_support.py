"""Helpers for the register tests: nominees that are organisations, register entries, CSV
uploads and a query counter."""

from __future__ import annotations

import io

from database_support import recorded_statements as count_queries  # noqa: F401
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from recognition.extensions import db
from recognition.nominees.models import Nominee, RegisterEntry, name_key


def organisation(name: str, country: str | None = "KZ", kind: str = "government_agency"):
    """An organisation nominee named ``name`` in English (flushed)."""
    nominee = Nominee(
        kind="organisation",
        names={"en": name},
        source_language="en",
        country=country,
        organisation_type=kind,
    )
    nominee.refresh_key()
    db.session.add(nominee)
    db.session.flush()
    return nominee


def entry(
    name: str,
    country: str | None = "KZ",
    year: int = 2015,
    level: str = "laureate",
    programme_id: str = "sasakawa_award",
    **fields,
) -> RegisterEntry:
    """A register entry as an import records it (flushed)."""
    found = RegisterEntry(
        programme_id=programme_id,
        year=year,
        name=name,
        key=name_key(name),
        country=country,
        level=level,
        source=fields.pop("source", "import"),
        **fields,
    )
    db.session.add(found)
    db.session.flush()
    return found


def csv_upload(text: str | bytes, filename: str = "laureates.csv") -> FileStorage:
    data = text.encode() if isinstance(text, str) else text
    return FileStorage(stream=io.BytesIO(data), filename=filename, content_type="text/csv")


def post_multipart(client, url: str, data: dict, **kwargs):
    """POST as multipart/form-data, the body encoded in memory (werkzeug's test client would
    spool a large body to a file it never closes: a warning, an error under the suite)."""
    boundary, body = encode_multipart(data)
    return client.post(
        url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"', **kwargs
    )


def org_nomination(nominee, state: str = "submitted", **fields):
    """A complete Sasakawa Award nomination of the organisation ``nominee``, started by a
    registered user (``created_by_id``), in ``state`` (flushed)."""
    import factories

    nomination = factories.make_ready_nomination(state=state, nominee=nominee, **fields)
    nomination.city, nomination.city_id = None, None  # no city: an organisation
    db.session.flush()
    return nomination
