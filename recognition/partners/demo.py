"""Demo partners: a verified global network with a focal point and a deputy, and a regional
network whose application waits for the secretariat. Loading twice changes nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..accounts.models import User
from ..accounts.operations import create_user
from ..extensions import db
from ..timeutil import utcnow
from ..workflow.engine import fire
from ..workflow.security import users_with_permission
from .models import Partner, PartnerMember
from .operations import apply

#: (e-mail, name, language) of each partner's members, the focal point first, and the
#: partner's profile.
PARTNERS: list[dict[str, Any]] = [
    {
        "members": [
            ("partner@example.org", "Claire Martin", "fr"),
            ("partner.deputy@example.org", "Kwame Mensah", "en"),
        ],
        "verify": True,
        "profile": {
            "names": {
                "en": "Global Alliance of Civil Society Organisations for Disaster Reduction",
                "fr": "Alliance mondiale des organisations de la société civile pour la "
                "réduction des catastrophes",
                "es": "Alianza Mundial de Organizaciones de la Sociedad Civil para la "
                "Reducción de Desastres",
                "ar": "التحالف العالمي لمنظمات المجتمع المدني للحد من الكوارث",
                "ru": "Глобальный альянс организаций гражданского общества за снижение "
                "риска бедствий",
                "zh": "全球民间社会组织减灾联盟",
            },
            "source_language": "en",
            "kind": "ngo",
            "country": None,
            "website": "https://alliance.example.org",
            "offer": {
                "en": "A network of 1,400 civil society organisations in 120 countries: local "
                "risk assessments with communities, training for neighbourhood volunteers, "
                "and a bridge between residents and their local government.",
                "fr": "Un réseau de 1 400 organisations de la société civile dans 120 pays : "
                "évaluations locales des risques avec les habitants, formation de bénévoles "
                "de quartier, et un pont entre les habitants et leur collectivité.",
            },
            "essentials": [1, 3, 7, 9],
        },
    },
    {
        "members": [("partner.applicant@example.org", "Lucía Quispe", "es")],
        "verify": False,
        "profile": {
            "names": {
                "es": "Red Andina de Ciudades Resilientes",
                "en": "Andean Network of Resilient Cities",
            },
            "source_language": "es",
            "kind": "city_network",
            "country": "PE",
            "website": "https://red-andina.example.org",
            "offer": {
                "es": "Intercambio entre ciudades andinas sobre planificación del uso del "
                "suelo y construcción segura en laderas.",
            },
            "essentials": [3, 6],
        },
    },
]


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load_demo_partners(password: str) -> list[tuple[str, str]]:
    """Create what is missing of the demo partners, their members signing in with
    ``password`` (the demo's), the first verified by a secretariat officer if there is one;
    return the logins to print, as (role, e-mail). Flushes; the caller commits."""
    accounts = []
    for entry in PARTNERS:
        (email, name, locale), *deputies = entry["members"]
        focal = _user(email)
        if focal is None:
            focal = create_user(email, name, password, locale=locale)
            focal.email_confirmed_at = utcnow()
        partner = db.session.scalar(
            sa.select(Partner)
            .join(PartnerMember)
            .where(PartnerMember.user_id == focal.id)
            .order_by(Partner.id)
            .limit(1)
        )
        if partner is None:
            partner = apply(focal, dict(entry["profile"]))
            if entry["verify"]:
                officer = next(iter(users_with_permission("verify", partner)), None)
                if officer is not None:
                    fire(partner, "verify", officer, "Demo data: verified on loading.")
        role = "partner focal point" if entry["verify"] else "partner applicant"
        accounts.append((f"{role} ({locale})", email))
        for deputy_email, deputy_name, deputy_locale in deputies:
            deputy = _user(deputy_email)
            if deputy is None:
                deputy = create_user(deputy_email, deputy_name, password, locale=deputy_locale)
                deputy.email_confirmed_at = utcnow()
            if all(m.user_id != deputy.id for m in partner.members):
                db.session.add(PartnerMember(partner=partner, user=deputy, role="deputy"))
                db.session.flush()
            accounts.append((f"partner deputy ({deputy_locale})", deputy_email))
    db.session.flush()
    return accounts
