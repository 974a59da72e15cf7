"""Certificates as PDF in the nomination's language: who may download them and what they say."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import datetime

import factories
import pytest
import segno
from babel.dates import format_date
from flask_babel import force_locale, gettext
from PIL import Image
from public_support import ANNOUNCED_AT, recognition
from pypdf import PdfReader

from recognition.public.certificates import display_code


def download(client, nomination, **kwargs):
    return client.get(f"/nominations/{nomination.id}/certificate.pdf", **kwargs)


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


# -- Issuer, signatory and verification ------------------------------------------------------


def translated(app, language: str, msgid: str) -> str:
    with app.test_request_context(), force_locale(language):
        return gettext(msgid)


def has_words(text: str, phrase: str) -> bool:
    """Every word of ``phrase`` is in ``text`` (right-to-left runs may be extracted apart,
    quotation marks moved to the other side of a word)."""
    quotes = str.maketrans("", "", '"«»“”')
    text = text.translate(quotes)
    return all(word.translate(quotes) in text for word in phrase.split())


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("language", "name", "country"),
    [("en", "Lyon", "FR"), ("ar", "دبي", "AE"), ("zh", "成都", "CN")],
)
def test_certificate_names_issuer_signatory_code_and_address(
    app, db, client, published, language, name, country
):
    nomination = recognition(published.rmc, name, country, language=language, areas_of_strength=[1])
    db.session.commit()
    text = pdf_text(download(client, nomination).get_data())
    db.session.refresh(nomination)
    code = nomination.verification_code
    issuer = nomination.programme.issuer
    for msgid in (issuer.name, issuer.signatory.name, issuer.signatory.title):
        assert has_words(flat(text), translated(app, language, msgid)), msgid
    assert display_code(code) in text
    assert f"http://127.0.0.1:5000/verify/{code}" in text.replace("\n", "")


def test_certificate_address_is_the_configured_site(app, client, published, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_BASE_URL", "https://recognition.example.org/")
    text = pdf_text(download(client, published.lyon, headers={"Host": "evil.example"}).get_data())
    code = published.lyon.verification_code
    # A long address wraps where it must, in the middle if need be.
    assert f"https://recognition.example.org/verify/{code}" in text.replace("\n", "")
    assert "evil.example" not in text


def test_sasakawa_certificate_is_signed_by_its_own_signatory(client, published):
    text = pdf_text(download(client, published.manila).get_data())
    assert "Chair of the Jury" in text
    assert "Head of the Secretariat" not in text


def qr_image(data: bytes):
    """The one raster image of the certificate: its QR code."""
    [image] = PdfReader(io.BytesIO(data)).pages[0].images
    return image.image


def modules_of(image, size: int, border: int = 4) -> list[list[bool]]:
    """The dark (True) and light modules of a QR code image with ``size`` modules a side."""
    gray = image.convert("L")
    scale = gray.size[0] / (size + 2 * border)
    return [
        [gray.getpixel((int((border + x + 0.5) * scale), int((border + y + 0.5) * scale))) < 128
         for x in range(size)]
        for y in range(size)
    ]  # fmt: skip


def test_qr_code_encodes_the_verification_address(client, published):
    """segno made the QR code of the address printed below it: the PDF's image has the very
    modules segno draws for that address (and not those of another address)."""
    data = download(client, published.lyon).get_data()
    url = f"http://127.0.0.1:5000/verify/{published.lyon.verification_code}"
    expected = segno.make(url, error="m", micro=False)
    size = expected.symbol_size(border=0)[0]
    drawn = modules_of(qr_image(data), size)
    assert drawn == [[bool(v) for v in row] for row in expected.matrix]
    # Another address: its last character changed (the random code may end with any).
    other = segno.make(url[:-1] + ("3" if url.endswith("2") else "2"), error="m", micro=False)
    assert drawn != [[bool(v) for v in row] for row in other.matrix]


def test_arabic_date_has_arabic_month_and_reads_right_to_left(db, client, published):
    """The date is Babel's, in Arabic; drawn from left to right its parts come in the reverse
    of their reading order (a right-to-left line), so it reads "15 مارس 2026"."""
    nomination = recognition(published.rmc, "دبي", "AE", language="ar", areas_of_strength=[1])
    db.session.commit()
    text = pdf_text(download(client, nomination).get_data())
    parts = format_date(ANNOUNCED_AT.date(), "long", locale="ar").split()
    assert "مارس" in parts
    [line] = [line for line in text.splitlines() if parts[1] in line]
    positions = [line.index(part) for part in parts]
    assert positions == sorted(positions, reverse=True), line


def test_certificate_date_is_the_same_in_every_time_zone(db, login_as, published):
    """Announced late in the evening UTC: a city in Tokyo still reads the day it was announced."""
    published.lyon.announced_at = datetime(2026, 3, 15, 23, 30)
    focal = published.lyon.city.memberships[0].user
    focal.timezone = "Asia/Tokyo"
    db.session.commit()
    text = pdf_text(download(login_as(focal), published.lyon).get_data())
    assert "March 15, 2026" in text


def test_certificate_shows_the_issuer_logo_and_signature(
    app, client, published, monkeypatch, tmp_path
):
    """The images configured for the issuer are drawn (here PNGs, which stay images in the
    PDF; the shipped SVGs become drawings)."""
    logo, signature = tmp_path / "logo.png", tmp_path / "signature.png"
    Image.new("RGB", (60, 40), "navy").save(logo)
    Image.new("RGB", (90, 30), "black").save(signature)
    programme = published.lyon.programme
    issuer = replace(
        programme.issuer,
        logo=logo,
        signatory=replace(programme.issuer.signatory, signature=signature),
    )
    programmes = app.extensions["programmes"]
    monkeypatch.setitem(programmes, programme.id, replace(programme, issuer=issuer))
    data = download(client, published.lyon).get_data()
    sizes = {image.image.size for image in PdfReader(io.BytesIO(data)).pages[0].images}
    assert {(60, 40), (90, 30)} <= sizes


def test_certificate_before_the_announcement_is_a_preview_without_code(db, login_as, published):
    officer = factories.make_secretariat()
    db.session.commit()
    data = download(login_as(officer), published.porto).get_data()
    assert "Preview" in pdf_text(data)
    assert "/verify/" not in pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0  # no QR code
    db.session.refresh(published.porto)
    assert published.porto.verification_code is None


def test_announced_certificate_is_no_preview(certificate):
    assert "Preview" not in pdf_text(certificate.get_data())
