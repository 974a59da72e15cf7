"""Demo data: a secretariat, reviewers, six cities in six countries, an open call per
programme. Loading twice changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from .accounts.models import User
from .accounts.operations import create_user, register_city
from .extensions import db
from .programmes.demo import load_demo_calls
from .workflow.engine import fire
from .workflow.security import global_roles, roles_with_permission

DEMO_PASSWORD = "demo-password-2026"

#: (e-mail, name, language); the officer holds every global role that runs the campaign.
SECRETARIAT = [("secretariat@example.org", "Sofía Secretariat", "en")]
REVIEWERS = [
    ("reviewer1@example.org", "Amina Reviewer", "ar", "EG", "Cairo University"),
    ("reviewer2@example.org", "Lucas Reviewer", "fr", "FR", "Institut des risques"),
    ("reviewer3@example.org", "Elena Reviewer", "ru", "KZ", "Almaty Engineering Institute"),
    ("reviewer4@example.org", "Wei Reviewer", "zh", "CN", "Tsinghua University"),
]
#: (e-mail, focal point's name, language, city, country, region, population)
CITIES = [
    (
        "focal.amman@example.org",
        "Layla Haddad",
        "ar",
        "Amman",
        "JO",
        "Amman Governorate",
        4_000_000,
    ),
    ("focal.quito@example.org", "Mateo Andrade", "es", "Quito", "EC", "Pichincha", 2_800_000),
    ("focal.dakar@example.org", "Awa Diop", "fr", "Dakar", "SN", "Dakar Region", 1_400_000),
    ("focal.almaty@example.org", "Dmitri Volkov", "ru", "Almaty", "KZ", "Almaty", 2_200_000),
    ("focal.chengdu@example.org", "Li Na", "zh", "Chengdu", "CN", "Sichuan", 21_000_000),
    ("focal.makati@example.org", "Grace Santos", "en", "Makati", "PH", "Metro Manila", 630_000),
]


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def load_demo() -> dict:
    """Create what is missing of the demo data; return the logins to print."""
    accounts: list[tuple[str, str]] = []
    officer_roles = tuple(sorted(roles_with_permission("run_campaign") & global_roles()))
    reviewer_roles = tuple(sorted(roles_with_permission("review") & global_roles()))
    for email, name, locale in SECRETARIAT:
        if _user(email) is None:
            create_user(email, name, DEMO_PASSWORD, locale=locale, roles=officer_roles)
        accounts.append(("secretariat + admin", email))
    officer = _user(SECRETARIAT[0][0])
    for email, name, locale, country, affiliation in REVIEWERS:
        if _user(email) is None:
            create_user(
                email,
                name,
                DEMO_PASSWORD,
                locale=locale,
                roles=reviewer_roles,
                country=country,
                affiliations=affiliation,
            )
        accounts.append((f"reviewer ({locale})", email))
    for email, name, locale, city_name, country, region, population in CITIES:
        user = _user(email)
        if user is None:
            user = create_user(email, name, DEMO_PASSWORD, locale=locale)
            city = register_city(user, city_name, country, region, population)
            fire(city, "verify", officer, "Demo data: verified on loading.")
        accounts.append((f"focal point {city_name} ({locale})", email))
    load_demo_calls(officer)
    db.session.commit()
    return {"password": DEMO_PASSWORD, "accounts": accounts}
