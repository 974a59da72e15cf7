"""The demo's partners: a verified one with its focal point and a deputy, an application
waiting; loading twice changes nothing."""

from __future__ import annotations

import factories
import sqlalchemy as sa

from recognition.accounts.operations import authenticate
from recognition.extensions import db
from recognition.partners.demo import load_demo_partners
from recognition.partners.models import Partner, PartnerMember
from recognition.workflow.history import WorkflowEvent

PASSWORD = "demo-password-2026"


def snapshot():
    partners = db.session.scalars(sa.select(Partner).order_by(Partner.id)).all()
    return [
        (p.names.get(p.source_language), p.state, [(m.user.email, m.role) for m in p.members])
        for p in partners
    ]


def test_demo_partners_load_once(app):
    factories.make_secretariat(email="secretariat@example.org")
    logins = load_demo_partners(PASSWORD)
    db.session.commit()
    first = snapshot()
    assert first == [
        (
            "Global Alliance of Civil Society Organisations for Disaster Reduction",
            "verified",
            [("partner@example.org", "focal"), ("partner.deputy@example.org", "deputy")],
        ),
        (
            "Red Andina de Ciudades Resilientes",
            "applied",
            [("partner.applicant@example.org", "focal")],
        ),
    ]
    assert [email for _role, email in logins] == [
        "partner@example.org",
        "partner.deputy@example.org",
        "partner.applicant@example.org",
    ]
    events = db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent))
    assert load_demo_partners(PASSWORD) == logins
    db.session.commit()
    assert snapshot() == first
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WorkflowEvent)) == events
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartnerMember)) == 3


def test_demo_partners_sign_in_with_the_demo_password(app):
    load_demo_partners(PASSWORD)
    db.session.commit()
    assert authenticate("partner@example.org", PASSWORD) is not None


def test_the_verified_demo_partner_is_named_in_every_language(app):
    factories.make_secretariat()
    load_demo_partners(PASSWORD)
    partner = db.session.scalars(sa.select(Partner).order_by(Partner.id)).first()
    assert sorted(partner.names) == ["ar", "en", "es", "fr", "ru", "zh"]
    assert partner.country is None and partner.state == "verified"
