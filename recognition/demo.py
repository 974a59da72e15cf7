"""Demo data: a secretariat, reviewers, six cities in six countries, two campaign partners,
an open call per programme, a city nominated by a partner (accepted, with a referee's letter),
a register of past laureates, last cycle's Sasakawa call in its second review round and a
Resilience Hub whose recognition ends within 90 days.
Loading twice changes nothing."""

from __future__ import annotations

import sqlalchemy as sa

from .accounts.models import City, User
from .accounts.operations import create_user, register_city
from .extensions import db
from .letters.demo import load_demo_letter
from .lifetimes.demo import load_demo_hub
from .nominations.models import Nomination
from .nominations.operations import existing_nomination, start
from .nominees.demo import load_demo_register
from .nominees.models import nominee_for_city
from .partners.demo import load_demo_partners
from .partners.models import partners_of
from .programmes.demo import load_demo_calls
from .programmes.models import Call
from .review.demo import load_demo_rounds
from .stages.demo import load_demo_stages
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
#: The languages each demo reviewer reads (automatic assignment keeps to them).
READS = {
    "reviewer1@example.org": ["ar", "en", "fr"],
    "reviewer2@example.org": ["fr", "en", "es"],
    "reviewer3@example.org": ["ru", "en", "zh"],
    "reviewer4@example.org": ["zh", "en", "ru"],
}
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
                languages=READS.get(email, []),
            )
        accounts.append((f"reviewer ({locale})", email))
    for email, name, locale, city_name, country, region, population in CITIES:
        user = _user(email)
        if user is None:
            user = create_user(email, name, DEMO_PASSWORD, locale=locale)
            city = register_city(user, city_name, country, region, population)
            fire(city, "verify", officer, "Demo data: verified on loading.")
        accounts.append((f"focal point {city_name} ({locale})", email))
    load_demo_stages(officer)
    accounts.extend(load_demo_partners(DEMO_PASSWORD))
    load_demo_calls(officer)
    _partner_nominates_a_city()
    load_demo_letter()
    load_demo_register(actor=officer)
    load_demo_rounds(officer, [u for u in (_user(r[0]) for r in REVIEWERS) if u is not None])
    load_demo_hub(officer)
    db.session.commit()
    return {"password": DEMO_PASSWORD, "accounts": accounts}


#: The demo partner's focal point nominates this city to the Role Model City call.
PARTNER_NOMINATES = ("partner@example.org", "Dakar", "role_model_city")


def _partner_nominates_a_city() -> Nomination | None:
    """The verified demo partner nominates Dakar; Dakar's focal point accepts, so both now
    prepare the draft together."""
    email, city_name, programme_id = PARTNER_NOMINATES
    nominator = _user(email)
    city = db.session.scalar(sa.select(City).where(City.name == city_name))
    call = db.session.scalar(
        sa.select(Call).where(Call.programme_id == programme_id).order_by(Call.id).limit(1)
    )
    if nominator is None or city is None or call is None or not partners_of(nominator):
        return None
    if existing_nomination(call, city) is not None:
        return None
    nomination = start(call, nominee_for_city(city), "fr", nominator, partners_of(nominator)[0])
    focal = city.memberships[0].user
    fire(nomination, "consent", focal, "Demo data: Dakar accepts the nomination.")
    return nomination
