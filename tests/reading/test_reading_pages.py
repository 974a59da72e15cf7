"""Where the reading shows: "Preview" beside the evidence a browser can show (PDFs and
images), the preview page itself, and "Download all (PDF)" for those who read the whole file."""

from __future__ import annotations

import re

import factories
import pytest

from recognition.nominations.models import Attachment


def preview_links(page: str) -> set[str]:
    """The file names the page offers a preview of."""
    return set(
        re.findall(r'class="reading-preview" href="[^"]+"\s+aria-label="Preview ([^"]+)"', page)
    )


@pytest.fixture
def sheet(db, world):
    attachment = Attachment(
        nomination=world.nomination,
        field="other_evidence",
        filename="budget.xlsx",
        sha256="c" * 64,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=2048,
    )
    db.session.add(attachment)
    db.session.commit()
    return attachment


PREVIEWABLE = {"motivation.pdf", "recommendation.pdf", "flood-map.png", "damaged.pdf", "locked.pdf"}


@pytest.mark.parametrize("who", ["focal", "reviewer", "officer"])
def test_the_nomination_page_offers_a_preview_of_pdfs_and_images_only(
    client, login_as, world, sheet, who
):
    login_as(getattr(world, who))
    page = client.get(f"/nominations/{world.nomination.id}").get_data(as_text=True)
    assert preview_links(page) == PREVIEWABLE
    # The spreadsheet still downloads, without a preview.
    assert f'/nominations/{world.nomination.id}/files/{sheet.id}"' in page
    assert f"/files/{sheet.id}/preview" not in page


def test_the_scoring_page_offers_previews_and_the_packet(client, login_as, world, sheet):
    login_as(world.reviewer)
    page = client.get(f"/reviews/{world.assignment.id}").get_data(as_text=True)
    assert preview_links(page) == PREVIEWABLE
    assert f'href="/nominations/{world.nomination.id}/packet.pdf"' in page
    assert "Download all (PDF)" in page


@pytest.mark.parametrize("who", ["focal", "reviewer", "officer"])
def test_the_nomination_page_offers_the_packet_to_those_who_read_the_whole_file(
    client, login_as, world, who
):
    login_as(getattr(world, who))
    page = client.get(f"/nominations/{world.nomination.id}").get_data(as_text=True)
    assert f'href="/nominations/{world.nomination.id}/packet.pdf"' in page


def test_the_public_projection_offers_no_packet(db, client):
    nomination = factories.make_nomination(state="announced", answers={"population": "1000"})
    db.session.commit()
    page = client.get(f"/nominations/{nomination.id}")
    assert page.status_code == 200
    assert "packet.pdf" not in page.get_data(as_text=True)


def test_the_preview_page_of_a_pdf_loads_the_viewer_on_the_download(client, login_as, world):
    login_as(world.reviewer)
    response = client.get(
        f"/nominations/{world.nomination.id}/files/{world.files.motivation.id}/preview"
    )
    page = response.get_data(as_text=True)
    download = f"/nominations/{world.nomination.id}/files/{world.files.motivation.id}"
    assert f'data-src="{download}"' in page
    assert f'href="{download}"' in page  # the download works without JavaScript
    assert '<script type="module" src="/static/pdf-preview.js">' in page
    assert 'data-text-page="Page {page} of {pages}"' in page
    # No inline script: every script comes from a file, as the CSP requires.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_preview_page_of_an_image_shows_it(client, login_as, world):
    login_as(world.focal)
    page = client.get(
        f"/nominations/{world.nomination.id}/files/{world.files.image.id}/preview"
    ).get_data(as_text=True)
    download = f"/nominations/{world.nomination.id}/files/{world.files.image.id}"
    assert re.search(rf'<img [^>]*src="{download}"', page)
    assert "pdf-preview.js" not in page


@pytest.mark.parametrize(
    "path", ["vendor/pdfjs/pdf.min.mjs", "vendor/pdfjs/pdf.worker.min.mjs", "pdf-preview.js"]
)
def test_the_viewer_s_modules_are_served_as_javascript(client, path):
    with client.get(f"/static/{path}") as response:
        assert response.status_code == 200
        assert response.mimetype in ("text/javascript", "application/javascript")
