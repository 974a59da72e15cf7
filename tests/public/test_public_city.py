"""A recognised city's page: its recognitions across programmes and years, the practice it
published (the fields its programme marks public, nothing else), its certificates."""

from __future__ import annotations

import dataclasses
import io
import re

import factories
import pytest
from public_support import get
from werkzeug.datastructures import FileStorage

from recognition.nominations.operations import attach

PUBLIC = "Lyon rebuilt its river banks as flood parks."
PRIVATE = "We still have no budget line for Essential 2."
PRIVATE_NOMINATOR = "Ministry of Ecological Transition"


@pytest.fixture
def lyon(db, published):
    """Lyon's announced Role Model City nomination with public and private answers, and an
    announced Sasakawa Award of the same city (committed)."""
    published.lyon.language = "fr"
    published.lyon.answers = {
        "motivation": PUBLIC,
        "population": "513275",
        "hazards": ["flood", "heat"],
        "joined_campaign": "2021-03-15",
        "essentials__2__narrative": PRIVATE,
        "essentials__2__score": "2",
        "nominator_name": PRIVATE_NOMINATOR,
    }
    award = factories.make_nomination(
        call=published.sasakawa,
        city=published.lyon.city,
        state="announced",
        award_level="merit",
        announced_at=published.sasakawa.announced_at,
        language="ar",
        answers={
            "work_country": "FR",
            "work_summary": "Flood parks along the Rhône.",
            "concrete_results": "Secret figures for the jury.",
        },
    )
    db.session.commit()
    published.award = award
    return published


def page(client, published, lang="en") -> str:
    return get(client, f"/recognised/cities/{published.lyon.city_id}?lang={lang}")


def practice(html: str, nomination_id: int) -> str:
    """The part of the page about one recognition."""
    return html.split(f'aria-labelledby="recognition-{nomination_id}"')[1].split("</section>")[0]


@pytest.mark.parametrize("lang", ["en", "ar", "zh"])
def test_the_public_answers_are_shown_and_the_private_ones_never(client, lyon, lang):
    html = page(client, lyon, lang)
    assert PUBLIC in html
    assert "Flood parks along the Rhône." in html
    for private in (PRIVATE, PRIVATE_NOMINATOR, "Secret figures for the jury."):
        assert private not in html


def test_someone_who_may_see_the_whole_file_still_sees_only_the_public_part(client, login_as, lyon):
    login_as(factories.make_secretariat())
    html = page(client, lyon)
    assert PUBLIC in html
    assert PRIVATE not in html and PRIVATE_NOMINATOR not in html
    assert "The city is nominated by" not in html  # a private field, not even empty


def test_answers_are_formatted_as_on_the_nomination_page(client, lyon):
    html = practice(page(client, lyon), lyon.lyon.id)
    assert "<dt>Hazards the city faces</dt>" in html
    assert '<div class="answer" lang="fr" dir="auto">Floods, Extreme heat</div>' in html
    assert '<div class="answer" lang="fr" dir="auto">513,275</div>' in html
    assert '<div class="answer" lang="fr" dir="auto">March 15, 2021</div>' in html
    assert '<h4 class="h6 border-bottom pb-1">City profile</h4>' in html


def test_answers_follow_the_reader_language(client, lyon):
    html = practice(page(client, lyon, "fr"), lyon.lyon.id)
    assert "Inondations" in html
    assert "513\u202f275" in html
    award = practice(page(client, lyon, "ru"), lyon.award.id)
    assert "Франция" in award  # the nominee's country, through Babel


def test_unanswered_public_fields_are_left_out(client, lyon):
    html = practice(page(client, lyon), lyon.lyon.id)
    assert "Area (km²)" not in html
    assert "Innovation" not in html


def test_a_recognition_without_published_answers_has_no_summary(client, published):
    html = get(client, f"/recognised/cities/{published.lyon.city_id}")
    assert "Practice summary" not in html


def test_the_answers_are_escaped(db, client, lyon):
    lyon.lyon.answers = {**lyon.lyon.answers, "motivation": "<script>alert(1)</script>"}
    db.session.commit()
    html = page(client, lyon)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_recognitions_of_every_programme_and_year(client, lyon):
    html = page(client, lyon)
    headings = re.findall(r'<h2 class="h4" id="recognition-\d+">([^<]+)</h2>', html)
    assert headings == [
        "UN Sasakawa Award for Disaster Risk Reduction 2026",
        "Role Model City 2025",
    ]
    assert '<p class="fs-5">Certificate of Merit</p>' in practice(html, lyon.award.id)
    assert len(re.findall(r"<li>Essential \d+:", practice(html, lyon.lyon.id))) == 5


def test_each_recognition_links_its_certificate_announcement_and_nomination(client, lyon):
    html = page(client, lyon)
    for nomination, call, language in (
        (lyon.lyon, lyon.rmc, "French"),
        (lyon.award, lyon.sasakawa, "Arabic"),
    ):
        part = practice(html, nomination.id)
        certificate = f"/nominations/{nomination.id}/certificate.pdf"
        assert (
            f'<a href="{certificate}" hreflang="{nomination.language}" type="application/pdf">'
            f"Certificate (PDF, {language})</a>"
        ) in part
        assert f'<a href="/announcements/{call.id}">' in part
        assert f'<a href="/nominations/{nomination.id}">' in part


def test_the_certificate_link_works_for_anyone(client, lyon, monkeypatch):
    monkeypatch.setattr(
        "recognition.public.certificates.render_certificate", lambda nomination: b"%PDF-1.4"
    )
    response = client.get(f"/nominations/{lyon.lyon.id}/certificate.pdf")
    assert response.status_code == 200


def test_a_recognition_not_announced_never_appears(db, client, lyon):
    later = factories.make_nomination(
        call=lyon.pending,
        city=lyon.lyon.city,
        state="recognised",
        areas_of_strength=[7],
        answers={"motivation": "Not announced yet"},
    )
    db.session.commit()
    html = page(client, lyon)
    assert "Not announced yet" not in html
    assert f"/nominations/{later.id}" not in html
    assert "2026" not in re.findall(r'id="recognition-\d+">Role Model City (\d+)<', html)


def test_the_city_page_names_country_and_region(db, client, lyon):
    lyon.lyon.city.region = "Auvergne-Rhône-Alpes"
    db.session.commit()
    html = page(client, lyon, "ru")
    assert '<a href="/recognised?country=FR">Франция</a>' in html
    assert '<span dir="auto">Auvergne-Rhône-Alpes</span>' in html


def test_the_call_title_is_shown_in_the_reader_language(db, client, lyon):
    lyon.rmc.texts = {"es": {"title": "Ciudades modelo 2025"}}
    db.session.commit()
    html = practice(page(client, lyon, "es"), lyon.lyon.id)
    assert '<span lang="es" dir="ltr">Ciudades modelo 2025</span>' in html


def with_public_field(programme, field_id):
    """The programme with one more field marked public."""
    sections = tuple(
        dataclasses.replace(
            s,
            fields=tuple(
                dataclasses.replace(f, public=True) if f.id == field_id else f for f in s.fields
            ),
        )
        for s in programme.sections
    )
    return dataclasses.replace(programme, sections=sections)


def test_files_of_public_fields_are_listed_and_private_ones_never(
    app, db, client, lyon, monkeypatch
):
    programmes = app.extensions["programmes"]
    rmc = programmes["role_model_city"]
    monkeypatch.setitem(programmes, "role_model_city", with_public_field(rmc, "other_evidence"))
    focal = lyon.lyon.city.memberships[0].user
    for field, name in (("other_evidence", "flood-parks.pdf"), ("motivation_letter", "mayor.pdf")):
        attach(
            lyon.lyon,
            field,
            FileStorage(stream=io.BytesIO(factories.pdf_bytes(name)), filename=name),
            focal,
        )
    db.session.commit()
    html = practice(page(client, lyon), lyon.lyon.id)
    [link] = re.findall(
        r'<a href="(/nominations/\d+/files/\d+)" dir="auto">flood-parks.pdf</a>', html
    )
    assert "mayor.pdf" not in html
    response = client.get(link)
    assert response.status_code == 200
    response.close()
