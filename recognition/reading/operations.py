"""What can be previewed, and the packet: a nomination's answers and PDF evidence as one PDF.

The packet opens with its contents (each evidence file, the page it starts on, or why it is
not included), then the answers as the reader's interface shows them, then every PDF
evidence file that can be read, in the order of the form. Files that are not PDFs, and PDFs
that are damaged or need a password, are listed as not included: the reader downloads them
separately. Letters of support are never included (they may be confidential).

Nothing is written to the database; the packet is built for each request.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import render_template

from ..accounts.models import User
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..nominations.models import Attachment, Nomination
from ..nominations.storage import PDF
from ..programmes.formbuilder import format_answer
from ..storage import Unavailable, evidence_store
from ..timeutil import utcnow

if TYPE_CHECKING:
    from pypdf import PdfReader

log = logging.getLogger(__name__)

#: Image types a browser shows as they are (the accepted image uploads).
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})

NOT_PDF = _l("not included: download it separately")
UNREADABLE = _l("not included: the file could not be read (it may be damaged); download it")
PROTECTED = _l("not included: the file is protected by a password; download it")
MISSING = _l("not included: the file is missing from the storage")


def preview_kind(attachment: Attachment) -> str | None:
    """How the preview page shows the file: ``"pdf"``, ``"image"``, or None (download only)."""
    if attachment.mime == PDF:
        return "pdf"
    if attachment.mime in IMAGES:
        return "image"
    return None


@dataclass
class Evidence:
    """One evidence file as the packet lists it."""

    attachment: Attachment
    #: Where the file answers the form: section, field (and Essential) titles, translated.
    where: list[str]
    #: Why the file is not in the packet (None: it is).
    refusal: Any = None
    pages: int = 0
    first_page: int = 0
    reader: PdfReader | None = field(default=None, repr=False)

    @property
    def included(self) -> bool:
        return self.refusal is None


@dataclass(frozen=True)
class Packet:
    pdf: bytes
    evidence: list[Evidence]
    pages: int


def _where(nomination: Nomination) -> dict[str, list[str]]:
    """Each input's place in the form, in the order of the form: section, field, Essential."""
    places: dict[str, list[str]] = {}
    for section in nomination.programme.sections:
        for inp in section.inputs():
            # Titles are msgids from the programme's YAML, translated like the |tr filter does.
            place = [_(section.title), _(inp.field.title)]
            if inp.essential is not None:
                place.append(f"{inp.essential}. {_(inp.title)}")
            places[inp.name] = place
    return places


def evidence_of(nomination: Nomination) -> list[Evidence]:
    """The nomination's evidence files in the order of the form (files of inputs the form no
    longer has come last), each opened if it is a PDF."""
    places = _where(nomination)
    order = {name: index for index, name in enumerate(places)}
    attachments = sorted(
        nomination.attachments, key=lambda a: (order.get(a.field, len(order)), a.id)
    )
    found = []
    for attachment in attachments:
        evidence = Evidence(attachment, places.get(attachment.field, [attachment.field]))
        if attachment.mime != PDF:
            evidence.refusal = NOT_PDF
        else:
            _open(evidence)
        found.append(evidence)
    return found


def _open(evidence: Evidence) -> None:
    """Read the PDF's page tree now, so that a damaged or protected file is listed as not
    included rather than failing halfway through the merge."""
    # pypdf is loaded by the first packet or preview, not by every worker at start-up.
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, WrongPasswordError

    try:
        # Read whole, as pypdf reads a file given by its path: the store may be remote.
        with evidence_store().open(evidence.attachment.sha256) as stream:
            reader = PdfReader(io.BytesIO(stream.read()))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            evidence.refusal = PROTECTED
            return
        # Every page's dictionary parsed now: a broken page tree fails here, not mid-merge.
        pages = len([page.mediabox for page in reader.pages])
    except (FileNotFoundError, Unavailable):
        log.warning("evidence file %s is missing from the storage", evidence.attachment.sha256)
        evidence.refusal = MISSING
        return
    except (FileNotDecryptedError, WrongPasswordError, DependencyError):
        evidence.refusal = PROTECTED
        return
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        log.info("evidence file %s cannot be read: %s", evidence.attachment.id, exc)
        evidence.refusal = UNREADABLE
        return
    if pages == 0:
        evidence.refusal = UNREADABLE
        return
    evidence.reader, evidence.pages = reader, pages


class _MergeFailed(Exception):
    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        super().__init__(evidence.attachment.id)


def build_packet(nomination: Nomination, for_user: User) -> Packet:
    """The packet of ``nomination`` as ``for_user`` reads it (in the current locale)."""
    from weasyprint import HTML  # heavy: loaded when a packet is first built

    def draw(template: str, **context) -> tuple[bytes, int]:
        document = HTML(string=render_template(template, **context)).render()
        return document.write_pdf(), len(document.pages)

    evidence = evidence_of(nomination)
    common = {
        "nomination": nomination,
        "programme": nomination.programme,
        "for_user": for_user,
        "prepared_at": utcnow(),
        "has_letters": any(
            f.type == "letters" for s in nomination.programme.sections for f in s.fields
        ),
    }
    answers_pdf = None
    while True:
        if answers_pdf is None:
            answers_pdf, answer_pages = draw(
                "reading/packet_answers.html",
                answers=nomination.answers or {},
                files_by_field=_by_field(evidence),
                format_answer=format_answer,
                **common,
            )
        contents_pages = 1
        for _attempt in range(3):  # the contents' own length moves every page number after it
            _number(evidence, contents_pages + answer_pages + 1)
            contents_pdf, drawn = draw(
                "reading/packet_contents.html",
                evidence=evidence,
                answers_page=contents_pages + 1,
                **common,
            )
            if drawn == contents_pages:
                break
            contents_pages = drawn
        try:
            pdf, pages = _merge(nomination, contents_pdf, answers_pdf, evidence)
        except _MergeFailed as failed:
            # Rare: the file opened but could not be copied. Listed as not included, and
            # the answers, which say which files the packet holds, are drawn again.
            failed.evidence.refusal, failed.evidence.reader = UNREADABLE, None
            answers_pdf = None
            continue
        return Packet(pdf, evidence, pages)


def _by_field(evidence: list[Evidence]) -> dict[str, list[Evidence]]:
    grouped: dict[str, list[Evidence]] = {}
    for item in evidence:
        grouped.setdefault(item.attachment.field, []).append(item)
    return grouped


def _number(evidence: list[Evidence], first: int) -> None:
    for item in evidence:
        if item.included:
            item.first_page, first = first, first + item.pages


def _merge(
    nomination: Nomination, contents_pdf: bytes, answers_pdf: bytes, evidence: list[Evidence]
) -> tuple[bytes, int]:
    """Contents, answers and the included evidence as one PDF, with a bookmark for each."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(contents_pdf), outline_item=_("Contents"), import_outline=False)
    writer.append(io.BytesIO(answers_pdf), outline_item=_("Answers"))
    for item in evidence:
        if not item.included:
            continue
        try:
            # The evidence's own bookmarks stay out: one per file keeps the outline readable.
            writer.append(item.reader, outline_item=item.attachment.filename, import_outline=False)
        except Exception as exc:
            log.info("evidence file %s cannot be merged: %s", item.attachment.id, exc)
            raise _MergeFailed(item) from exc
    writer.add_metadata({"/Title": packet_title(nomination)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


def packet_title(nomination: Nomination) -> str:
    return _("%(nominee)s: the nomination and its evidence", nominee=str(nomination.nominee_name()))
