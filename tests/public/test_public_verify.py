"""Verification codes and /verify/<code>: assigned once, stable and unique; what a genuine
certificate records; unknown codes and withdrawn recognitions said plainly."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from public_support import recognition
from pypdf import PdfReader

from recognition.nominations.models import Nomination
from recognition.public import certificates
from recognition.public.certificates import (
    CODE_ALPHABET,
    CODE_LENGTH,
    display_code,
    ensure_verification_code,
    normalise_code,
)

UNKNOWN = "No certificate has this verification code."


@pytest.fixture
def code(db, published) -> str:
    """Lyon's verification code (committed)."""
    value = ensure_verification_code(published.lyon)
    db.session.commit()
    return value


def stored_code(db, nomination) -> str | None:
    return db.session.scalar(
        sa.select(Nomination.verification_code).where(Nomination.id == nomination.id)
    )


def main_text(response) -> str:
    html = response.get_data(as_text=True)
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


# -- The code --------------------------------------------------------------------------------


def test_code_is_short_and_free_of_look_alikes(db, published):
    value = ensure_verification_code(published.lyon)
    assert len(value) == CODE_LENGTH == 10
    assert set(value) <= set(CODE_ALPHABET)
    assert not set("01ILO") & set(CODE_ALPHABET)


def test_code_is_assigned_once_and_stays(db, published):
    first = ensure_verification_code(published.lyon)
    db.session.commit()
    db.session.expire_all()
    assert ensure_verification_code(published.lyon) == first
    db.session.commit()
    assert stored_code(db, published.lyon) == first


def test_certificate_downloads_keep_one_code(db, client, published):
    assert stored_code(db, published.lyon) is None
    client.get(f"/nominations/{published.lyon.id}/certificate.pdf")
    first = stored_code(db, published.lyon)
    assert first is not None
    client.get(f"/nominations/{published.lyon.id}/certificate.pdf")
    assert stored_code(db, published.lyon) == first


def test_codes_differ_between_nominations(db, published):
    codes = {ensure_verification_code(n) for n in (published.lyon, published.manila)}
    assert len(codes) == 2


def test_a_code_already_taken_is_drawn_again(db, published, monkeypatch):
    taken = ensure_verification_code(published.lyon)
    draws = iter([taken, taken, "FRESH23456"])
    monkeypatch.setattr(certificates, "new_code", lambda: next(draws))
    assert ensure_verification_code(published.manila) == "FRESH23456"
    assert stored_code(db, published.manila) == "FRESH23456"


def test_ensure_flushes_but_never_commits(db, published):
    value = ensure_verification_code(published.lyon)
    assert stored_code(db, published.lyon) == value  # flushed: visible in this transaction
    db.session.rollback()
    assert stored_code(db, published.lyon) is None


def test_ensure_leaves_the_nomination_version_alone(db, published):
    """A user looking at the nomination when its code is given can still act on it."""
    version = published.lyon.version
    ensure_verification_code(published.lyon)
    db.session.commit()
    db.session.refresh(published.lyon)
    assert published.lyon.version == version


def test_a_code_given_meanwhile_by_someone_else_wins(db, published):
    """Two first downloads at once: the second keeps the first one's code."""
    nomination = published.lyon
    assert nomination.verification_code is None  # loaded before the other request wrote
    with db.engine.begin() as other:
        other.execute(
            sa.update(Nomination.__table__)
            .where(Nomination.__table__.c.id == nomination.id)
            .values(verification_code="OTHER23456")
        )
    assert ensure_verification_code(nomination) == "OTHER23456"
    assert nomination.verification_code == "OTHER23456"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCDE23456", "ABCDE23456"),
        ("abcde-23456", "ABCDE23456"),
        (" abcde 23456 ", "ABCDE23456"),
        ("AB-CD-E2\u201334\u201456", "ABCDE23456"),
        ("ABCDE2345", None),  # too short
        ("ABCDE234567", None),  # too long
        ("ABCDE2345O", None),  # a look-alike letter no code has
        ("ABCDE2345/", None),
        ("", None),
    ],
)
def test_typed_codes_are_normalised(typed, expected):
    assert normalise_code(typed) == expected


def test_code_is_printed_in_two_groups():
    assert display_code("ABCDE23456") == "ABCDE-23456"


# -- /verify/<code> --------------------------------------------------------------------------


def test_verify_says_what_was_awarded_to_whom_when_and_by_whom(client, published, code):
    response = client.get(f"/verify/{code}?lang=en")
    assert response.status_code == 200
    text = main_text(response)
    assert "This certificate is genuine" in text
    assert "Lyon" in text and "France" in text
    assert "Role Model City" in text  # the programme
    assert "Role Model City 2025" in text  # the call
    for number in range(1, 6):
        assert f"Essential {number}:" in text
    assert "Essential 6:" not in text
    assert "March 15, 2026" in text
    assert "UNDRR — United Nations Office for Disaster Risk Reduction" in text
    assert "Head of the Secretariat, Making Cities Resilient 2030 campaign" in text
    assert display_code(code) in text


def test_verify_names_the_award_level(db, client, published):
    code = ensure_verification_code(published.manila)
    db.session.commit()
    text = main_text(client.get(f"/verify/{code}?lang=en"))
    assert "Manila" in text and "Philippines" in text
    assert "Laureate" in text
    assert "Chair of the Jury" in text


def test_verify_in_arabic(db, client, published):
    nomination = recognition(published.rmc, "دبي", "AE", language="ar", areas_of_strength=[1])
    code = ensure_verification_code(nomination)
    db.session.commit()
    response = client.get(f"/verify/{code}?lang=ar")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    text = main_text(response)
    assert "دبي" in text
    assert "الإمارات العربية المتحدة" in text
    assert "15 مارس 2026" in text
    # The call has no Arabic title: its English one is shown, marked as such.
    assert re.search(r'<span lang="en" dir="ltr">Role Model City 2025</span>', html)


def test_verify_page_has_title_and_description(client, published, code):
    html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "<title>Certificate verified · Recognition</title>" in html
    assert re.search(
        r'<meta name="description" content="Check that a recognition certificate', html
    )


@pytest.mark.parametrize("variant", [str.lower, display_code, lambda c: f"{c[:3]} {c[3:]}"])
def test_codes_are_case_and_separator_insensitive(client, published, code, variant):
    response = client.get(f"/verify/{variant(code)}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/verify/{code}")
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    "typed",
    ["ZZZZZ22222", "zzzzz-22222", "not-a-code", "ABCDE2345O", "a/b/c", "%3Cscript%3E", "x" * 500],
)
def test_unknown_or_garbled_codes_are_404_with_the_message(client, published, code, typed):
    response = client.get(f"/verify/{typed}")
    assert response.status_code == 404
    text = main_text(response)
    assert UNKNOWN in text
    assert "Lyon" not in text and "Manila" not in text
    assert "<script>" not in response.get_data(as_text=True)


def test_unknown_code_in_arabic(client, published):
    response = client.get("/verify/ZZZZZ22222?lang=ar")
    assert response.status_code == 404
    assert '<html lang="ar" dir="rtl">' in response.get_data(as_text=True)


def test_withdrawn_recognition_says_so(db, client, published, code):
    published.lyon.state = "recognised"  # no longer public
    db.session.commit()
    response = client.get(f"/verify/{code}")
    assert response.status_code == 410
    text = main_text(response)
    assert "This recognition was withdrawn" in text
    assert display_code(code) in text
    assert "Lyon" not in text and UNKNOWN not in text
    assert "Essential 1" not in text


def test_withdrawn_certificate_no_longer_prints_its_code(db, login_as, published, code):
    published.lyon.state = "recognised"
    db.session.commit()
    from_officer = login_as(published.lyon.decided_by)
    data = from_officer.get(f"/nominations/{published.lyon.id}/certificate.pdf").get_data()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Lyon" in text
    assert display_code(code) not in text and code not in text


def test_verify_answers_are_not_kept_by_caches(client, published, code):
    assert client.get(f"/verify/{code}").headers["Cache-Control"] == "no-cache"


# -- /verify: typing a code ------------------------------------------------------------------


def test_verify_form_sends_the_typed_code_to_its_page(client, published, code):
    response = client.get("/verify", query_string={"code": display_code(code).lower()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{code}")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the verification code printed on the certificate."),
        ("hello", "This is not a verification code: it has ten letters and digits."),
    ],
)
def test_verify_form_says_what_is_wrong_beside_the_field(client, typed, message):
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<div id="verify-error" class="invalid-feedback d-block">{message}</div>' in html
    assert 'aria-describedby="verify-help verify-error"' in html


def test_verify_form_without_a_code_asks_for_one(client):
    response = client.get("/verify?lang=ar")
    assert response.status_code == 200
    assert 'name="code"' in response.get_data(as_text=True)
