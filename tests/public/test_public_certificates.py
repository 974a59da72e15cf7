"""Certificates as PDF in the nomination's language: who may download them and what they say."""

from __future__ import annotations

import io
import subprocess

import factories
import pytest
from public_support import recognition
from pypdf import PdfReader


def download(client, nomination):
    return client.get(f"/nominations/{nomination.id}/certificate.pdf")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> set[str]:
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


@pytest.fixture
def certificate(client, published):
    """Lyon's certificate, downloaded by a visitor."""
    response = download(client, published.lyon)
    assert response.status_code == 200
    return response


def test_certificate_is_a_pdf_download(certificate, published):
    assert certificate.mimetype == "application/pdf"
    assert certificate.get_data().startswith(b"%PDF")
    disposition = certificate.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="certificate-{published.lyon.id}-en.pdf"'


def test_certificate_names_the_city_and_the_programme(certificate):
    text = pdf_text(certificate.get_data())
    assert "Lyon (France)" in text
    assert "Role Model City" in text


def test_certificate_lists_the_areas_of_strength(certificate):
    text = pdf_text(certificate.get_data())
    for number in range(1, 6):
        assert f"Essential {number}:" in text
    assert "Essential 6:" not in text


def test_sasakawa_certificate_names_the_level(client, published):
    text = pdf_text(download(client, published.manila).get_data())
    assert "Manila" in text and "Laureate" in text


def test_pdftotext_reads_the_city_name(certificate, tmp_path):
    """Where poppler's pdftotext is installed, it reads the name too (as people's tools do)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(certificate.get_data())
    try:
        result = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        )
    except FileNotFoundError:
        text = pdf_text(certificate.get_data())  # no poppler here: pypdf reads it instead
    else:
        text = result.stdout
    assert "Lyon" in text


@pytest.mark.parametrize(
    ("language", "name", "country", "expected"),
    [
        ("ar", "دبي", "AE", ["دبي", "الإمارات العربية المتحدة", "مارس"]),
        ("zh", "成都", "CN", ["成都", "中国", "2026年3月15日"]),
        ("fr", "Lyon", "DE", ["Lyon (Allemagne)", "15 mars 2026"]),
        ("ru", "Казань", "RU", ["Казань (Россия)", "15 марта 2026"]),
        ("es", "Quito", "EC", ["Quito (Ecuador)", "15 de marzo de 2026"]),
    ],
)
def test_certificate_in_the_nomination_language(
    db, client, published, language, name, country, expected
):
    nomination = recognition(published.rmc, name, country, language=language, areas_of_strength=[1])
    db.session.commit()
    response = client.get(f"/nominations/{nomination.id}/certificate.pdf?lang=en")
    assert response.status_code == 200
    data = response.get_data()
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == language
    text = pdf_text(data)
    for fragment in expected:
        assert fragment in text


def test_chinese_certificate_embeds_a_font_with_chinese_glyphs(db, client, published):
    nomination = recognition(published.rmc, "成都", "CN", language="zh", areas_of_strength=[1])
    db.session.commit()
    fonts = embedded_fonts(download(client, nomination).get_data())
    assert fonts - {"DejaVu-Sans", "DejaVu-Sans-Bold"}, fonts


def test_certificate_dates_the_announcement(certificate):
    assert "March 15, 2026" in pdf_text(certificate.get_data())


def test_secretariat_downloads_before_the_announcement(db, login_as, published):
    officer = factories.make_secretariat()
    db.session.commit()
    response = download(login_as(officer), published.porto)
    assert response.status_code == 200
    assert "Porto" in pdf_text(response.get_data())


def test_city_downloads_its_announced_certificate(db, login_as, published):
    focal = published.lyon.city.memberships[0].user
    assert download(login_as(focal), published.lyon).status_code == 200


def test_visitors_get_no_certificate_before_the_announcement(client, published):
    assert download(client, published.porto).status_code == 404


@pytest.mark.parametrize("who", ["visitor", "focal", "officer"])
def test_no_certificate_without_recognition(db, client, login_as, published, who):
    if who == "focal":
        client = login_as(published.riga.city.memberships[0].user)
    elif who == "officer":
        client = login_as(factories.make_secretariat())
        db.session.commit()
    assert download(client, published.riga).status_code in (403, 404)


@pytest.mark.parametrize("state", ["draft", "submitted", "under_review"])
def test_no_certificate_for_an_undecided_nomination(db, client, state):
    nomination = factories.make_nomination(state=state)
    db.session.commit()
    assert download(client, nomination).status_code == 404


def test_unknown_nomination_has_no_certificate(client, published):
    assert client.get("/nominations/999999/certificate.pdf").status_code == 404
