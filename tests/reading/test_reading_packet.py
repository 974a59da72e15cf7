"""The packet: contents, the answers, then each readable PDF evidence file, page for page;
what it cannot hold is listed as not included; letters of support stay out."""

from __future__ import annotations

import io

import pytest
from flask_login import login_user
from pypdf import PdfReader, PdfWriter
from reading_support import add_file, pdf_text, text_pdf

from recognition.extensions import db
from recognition.letters.models import Letter
from recognition.nominations.models import Attachment
from recognition.reading import operations
from recognition.reading.operations import build_packet


def packet(client, login_as, world, who="reviewer") -> bytes:
    login_as(getattr(world, who))
    response = client.get(f"/nominations/{world.nomination.id}/packet.pdf")
    assert response.status_code == 200
    return response.data


def built(app, world, user=None):
    """The packet as build_packet gives it, with its list of evidence."""
    user = user or world.reviewer
    with app.test_request_context():
        login_user(user)
        return build_packet(db.session.get(type(world.nomination), world.nomination.id), user)


def test_the_packet_holds_the_contents_the_answers_and_every_readable_pdf_page(
    client, login_as, world
):
    pages = pdf_text(packet(client, login_as, world))
    evidence = [
        "Motivation page one",
        "Motivation page two",
        "Motivation page three",
        "Recommendation first",
        "Recommendation last",
    ]
    # The evidence pages come last, in the order of the form, each once.
    assert [p.strip() for p in pages[-5:]] == evidence
    front = "\n".join(pages[:-5])
    assert "Contents" in pages[0]
    assert "We plan ahead with our neighbourhoods." in front
    assert "513,000" in front  # formatted as the interface formats numbers
    assert not any(line in front for line in evidence)


def test_the_contents_give_the_page_each_file_starts_on(app, client, login_as, world):
    packet_ = built(app, world)
    reader = PdfReader(io.BytesIO(packet_.pdf))
    assert len(reader.pages) == packet_.pages
    starts = {e.attachment.filename: e.first_page for e in packet_.evidence if e.included}
    assert set(starts) == {"motivation.pdf", "recommendation.pdf"}
    assert "Motivation page one" in reader.pages[starts["motivation.pdf"] - 1].extract_text()
    assert "Recommendation first" in reader.pages[starts["recommendation.pdf"] - 1].extract_text()
    contents = reader.pages[0].extract_text()
    for filename, first in starts.items():
        after = contents.split(filename, 1)[1]
        assert str(first) in after.split(".pdf", 1)[0], (filename, contents)


def test_each_part_has_a_bookmark(app, world):
    reader = PdfReader(io.BytesIO(built(app, world).pdf))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert top == ["Contents", "Answers", "motivation.pdf", "recommendation.pdf"]
    sections = [item.title for item in reader.outline[2]]  # under "Answers"
    assert sections[:2] == ["City profile", "Motivation"]


@pytest.mark.parametrize(
    ("filename", "why"),
    [
        ("flood-map.png", "not included: download it separately"),
        ("damaged.pdf", "not included: the file could not be read"),
        ("locked.pdf", "not included: the file is protected by a password"),
    ],
)
def test_what_the_packet_cannot_hold_is_listed_as_not_included(
    client, login_as, world, filename, why
):
    pages = pdf_text(packet(client, login_as, world))
    contents = " ".join(pages[0].split())
    assert filename in contents
    assert why in contents.split(filename, 1)[1]
    assert "Locked away" not in "".join(pages)


def test_a_damaged_file_is_listed_not_included_in_the_answers_too(app, world):
    reader = PdfReader(io.BytesIO(built(app, world).pdf))
    answers = " ".join(" ".join(p.extract_text().split()) for p in reader.pages[1:-5])
    assert "damaged.pdf — not included: the file could not be read" in answers
    assert "motivation.pdf — in this packet" in answers


def test_a_file_missing_from_the_storage_is_listed_not_included(app, db, world):
    db.session.add(
        Attachment(
            nomination=world.nomination,
            field="other_evidence",
            filename="lost.pdf",
            sha256="d" * 64,
            mime="application/pdf",
            size=10,
        )
    )
    db.session.commit()
    packet_ = built(app, world)
    refused = {e.attachment.filename: e.refusal for e in packet_.evidence if not e.included}
    assert refused["lost.pdf"] == operations.MISSING
    assert "lost.pdf" in pdf_text(packet_.pdf)[0]


def test_a_file_that_breaks_while_merging_is_left_out_and_listed(app, world, monkeypatch):
    append = PdfWriter.append

    def failing(self, fileobj, outline_item=None, *args, **kwargs):
        if outline_item == "recommendation.pdf":
            raise ValueError("broken object stream")
        return append(self, fileobj, outline_item, *args, **kwargs)

    monkeypatch.setattr(PdfWriter, "append", failing)
    packet_ = built(app, world)
    refused = {e.attachment.filename: e.refusal for e in packet_.evidence if not e.included}
    assert refused["recommendation.pdf"] == operations.UNREADABLE
    texts = pdf_text(packet_.pdf)
    assert [p.strip() for p in texts[-3:]] == [
        "Motivation page one",
        "Motivation page two",
        "Motivation page three",
    ]
    assert "Recommendation first" not in "".join(texts)


def test_letters_of_support_stay_out_and_the_contents_say_so(db, client, login_as, world):
    db.session.add(
        Letter(
            nomination_id=world.nomination.id,
            field="endorsements",
            referee_name="Mayor of Nice",
            referee_email="mayor@nice.example",
            text="A confidential endorsement.",
            state="received",
        )
    )
    db.session.commit()
    pages = pdf_text(packet(client, login_as, world, who="officer"))
    everything = " ".join(" ".join(p.split()) for p in pages)
    assert "A confidential endorsement." not in everything
    assert "Mayor of Nice" not in everything
    assert "Letters of support are not in this packet" in everything


def test_a_nomination_without_evidence_has_a_packet_of_its_answers(db, client, login_as, world):
    for attachment in list(world.nomination.attachments):
        db.session.delete(attachment)
    db.session.commit()
    pages = pdf_text(packet(client, login_as, world))
    assert "The nomination has no evidence files." in " ".join(pages[0].split())
    assert "We plan ahead with our neighbourhoods." in "".join(pages[1:])


def test_a_long_list_of_evidence_moves_the_page_numbers_on(app, db, world):
    for n in range(45):
        add_file(
            world.nomination,
            "other_evidence",
            text_pdf(f"Annex {n}"),
            f"annex-{n}.pdf",
            world.focal,
        )
    db.session.commit()
    packet_ = built(app, world)
    reader = PdfReader(io.BytesIO(packet_.pdf))
    for item in packet_.evidence:
        if item.included and item.attachment.filename.startswith("annex-"):
            number = item.attachment.filename[len("annex-") : -len(".pdf")]
            assert f"Annex {number}" in reader.pages[item.first_page - 1].extract_text()
