"""The Resilience Hub programme (programmes/resilience_hub.yaml): MCR2030's 2017 Essentials, a
three-year recognition, and a form a verified city's focal point fills and submits."""

from __future__ import annotations

import io
import re

import factories
import pytest
import sqlalchemy as sa
from programmes_support import PROGRAMMES
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from recognition.extensions import db
from recognition.nominations.models import Attachment, Nomination
from recognition.nominations.validation import problems
from recognition.programmes.definition import load_programme, load_programmes
from recognition.stages.models import CityStage

ESSENTIALS_2017 = [
    "Organise for disaster resilience",
    "Identify, understand and use current and future risk scenarios",
    "Strengthen financial capacity for resilience",
    "Pursue resilient urban development and design",
    "Safeguard natural buffers to enhance the protective functions offered by natural ecosystems",
    "Strengthen institutional capacity for resilience",
    "Understand and strengthen societal capacity for resilience",
    "Increase infrastructure resilience",
    "Ensure effective disaster response",
    "Expedite recovery and build back better",
]


@pytest.fixture(scope="module")
def hub():
    return load_programme(PROGRAMMES / "resilience_hub.yaml")


# -- the definition ---------------------------------------------------------------------------


def test_the_hub_loads_with_its_lifetime_and_edition(hub):
    assert (hub.id, hub.title) == ("resilience_hub", "Resilience Hub (MCR2030)")
    assert hub.essentials.edition == 2017
    assert (hub.lifetime.years, hub.lifetime.remind_days_before) == (3, (180, 90, 30))
    assert hub.lifetime.annual_report is True


def test_the_hub_is_among_the_shipped_programmes():
    assert load_programmes(PROGRAMMES)["resilience_hub"].essentials.edition == 2017


def test_a_city_applies_for_itself_without_consent(hub):
    assert hub.nominating.nominators == ("self",)
    assert hub.nominating.nominees == ("city",)
    assert hub.nominating.consent is False


def test_one_review_round_and_one_level_without_quota(hub):
    assert [(r.id, r.state) for r in hub.rounds] == [("review", "under_review")]
    assert hub.decision == "levels"
    assert [(lv.id, lv.title, lv.max_per_call) for lv in hub.levels] == [
        ("hub", "Resilience Hub", None)
    ]


def test_the_rules(hub):
    assert {t: [r.name for r in rules] for t, rules in hub.rules.items()} == {
        "create": [
            "one_recognition_per_city",
            "city_stage_tagged",
            "annual_reports_submitted",
        ],
        "submit": ["city_stage_tagged", "annual_reports_submitted"],
        "recognise": ["award_level_chosen"],
    }
    [stage] = [r for r in hub.rules["create"] if r.name == "city_stage_tagged"]
    assert stage.params == {"tag": "implementing"}


def test_the_issuer_is_the_role_model_city_s(hub):
    role_model = load_programme(PROGRAMMES / "role_model_city.yaml")
    assert hub.issuer == role_model.issuer


def test_what_the_city_shares_is_asked_per_2017_essential(hub):
    """One answer per Essential, titled exactly as the edition (one msgid, one translation),
    the foundational ones required, all published."""
    assert [hub.inputs[f"share_{n}"].field.title for n in range(1, 11)] == ESSENTIALS_2017
    assert list(hub.essentials.titles.values()) == ESSENTIALS_2017
    required = {n for n in range(1, 11) if hub.inputs[f"share_{n}"].field.required}
    assert required == hub.essentials.foundational == {1, 2, 3}
    assert all(hub.inputs[f"share_{n}"].field.public for n in range(1, 11))


def test_the_commitment_is_required_and_private(hub):
    field = hub.inputs["sharing_commitment"].field
    assert (field.type, field.required, field.public) == ("choice", True, False)
    assert [value for value, _label in field.choices] == ["yes"]


def test_the_criteria_score_the_foundational_essentials_and_the_offer(hub):
    scored = {c.essential for c in hub.rubric.criteria if c.essential}
    assert scored == hub.essentials.foundational
    assert "offer" in {c.id for c in hub.rubric.criteria}


def test_evidence_files_stay_private(hub):
    files = [i for i in hub.inputs.values() if i.kind == "file"]
    assert {i.name for i in files} == {"scorecard_report", "other_evidence"}
    assert not any(i.field.public for i in files)


# -- the form, filled by a verified city's focal point ----------------------------------------

PROFILE = {
    "scorecard_date": "2025-11-20",
    "scorecard_level": "detailed",
    "resilience_summary": "The city implements its resilience strategy since 2022.",
}
SHARING = {
    "share_1": "Peer exchanges on how our resilience council works.",
    "share_2": "Our open risk atlas, with training for other cities.",
    "share_3": "Study visits on the city's contingency budget.",
    "share_9": "Our drill planning templates.",
    "sharing_ways": ["peer_exchange", "study_visit", "tools"],
    "sharing_commitment": "yes",
}


@pytest.fixture
def applicant(app, client, login_as):
    """A verified city's focal point (the city at stage C), signed in, and an open
    Resilience Hub call."""
    city = factories.make_city(name="Nairobi", country="KE")
    db.session.add(CityStage(city=city, state="stage_c"))
    focal = factories.make_focal_point(city=city)
    call = factories.make_call(programme_id="resilience_hub", title="Resilience Hubs 2026")
    db.session.commit()
    login_as(focal)
    return city, call


def start(client, city, call) -> Nomination:
    response = client.post(
        f"/calls/{call.id}/nominate", data={"nominator": f"city:{city.id}", "language": "en"}
    )
    nomination = db.session.scalar(sa.select(Nomination).where(Nomination.call_id == call.id))
    assert response.headers["Location"] == f"/nominations/{nomination.id}/edit/profile"
    return nomination


def save(client, nomination, section, data):
    return client.post(f"/nominations/{nomination.id}/edit/{section}", data={**data, "go": "stay"})


def labels(html: str) -> dict[str, str]:
    """The labels tied to inputs: {input id: label text}."""
    return dict(re.findall(r'<label class="form-label" for="([^"]+)">([^<]+?)\s*(?:<|$)', html))


def test_the_focal_point_can_start_an_application(client, applicant):
    city, call = applicant
    html = client.get(f"/calls/{call.id}/nominate").get_data(as_text=True)
    assert f'value="city:{city.id}"' in html


def test_every_section_renders_with_its_labels(client, applicant):
    nomination = start(client, *applicant)
    profile = client.get(f"/nominations/{nomination.id}/edit/profile").get_data(as_text=True)
    assert labels(profile)["scorecard_date"] == (
        "Date of the city's latest Disaster Resilience Scorecard self-assessment"
    )
    assert '<legend class="form-label fs-6">Level of the self-assessment' in profile
    sharing = client.get(f"/nominations/{nomination.id}/edit/sharing")
    assert sharing.status_code == 200
    tied = labels(sharing.get_data(as_text=True))
    assert [tied.get(f"share_{n}") for n in range(1, 11)] == ESSENTIALS_2017
    html = sharing.get_data(as_text=True)
    assert "A foundational Essential." in html
    assert "The city commits to share its practice with other cities for three years" in html
    evidence = client.get(f"/nominations/{nomination.id}/edit/evidence").get_data(as_text=True)
    assert 'type="file"' in evidence and 'name="scorecard_report"' in evidence


def test_an_answer_too_long_is_shown_beside_its_field_and_kept(client, applicant):
    nomination = start(client, *applicant)
    long = "word " * 301
    response = save(client, nomination, "sharing", {**SHARING, "share_4": long})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    beside = r'id="share_4-error"[^>]*>Use at most 300 words; this text has 301\.'
    assert re.search(beside, html), "the error is beside the field"
    db.session.expire_all()
    saved = db.session.get(Nomination, nomination.id).answers
    assert saved["share_4"] == long
    assert saved["share_1"] == SHARING["share_1"]


def test_the_foundational_essentials_and_the_commitment_are_required(client, applicant):
    nomination = start(client, *applicant)
    save(client, nomination, "profile", PROFILE)
    save(
        client,
        nomination,
        "sharing",
        {k: v for k, v in SHARING.items() if k not in ("share_2", "sharing_commitment")},
    )
    db.session.expire_all()
    missing = {p.input_name for p in problems(db.session.get(Nomination, nomination.id))}
    assert {"share_2", "sharing_commitment", "scorecard_report"} <= missing
    assert not {"share_1", "share_3", "share_4"} & missing  # 4 to 10 may stay empty


def test_a_complete_application_is_submitted(client, applicant):
    nomination = start(client, *applicant)
    assert save(client, nomination, "profile", PROFILE).status_code == 302
    assert save(client, nomination, "sharing", SHARING).status_code == 302
    boundary, body = encode_multipart(
        {
            "go": "stay",
            "scorecard_report": FileStorage(
                stream=io.BytesIO(factories.pdf_bytes("scorecard")),
                filename="scorecard.pdf",
                content_type="application/pdf",
            ),
        }
    )
    response = client.post(
        f"/nominations/{nomination.id}/edit/evidence",
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    assert response.status_code == 302
    db.session.expire_all()
    nomination = db.session.get(Nomination, nomination.id)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Attachment)
            .where(Attachment.nomination_id == nomination.id)
        )
        == 1
    )
    assert problems(nomination) == []
    client.post(
        f"/workflow/nomination/{nomination.id}/submit",
        data={"next": f"/nominations/{nomination.id}", "version": nomination.version},
    )
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state == "submitted"
