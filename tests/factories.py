"""Factories for test data. Each flushes; tests commit when a request must see the data."""

from __future__ import annotations

import itertools
from datetime import timedelta

from recognition.accounts.models import City, Membership, User
from recognition.accounts.operations import set_password
from recognition.extensions import db
from recognition.timeutil import utcnow

#: The smallest bytes sniffed as a PDF.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


def make_user(email=None, name=None, roles=(), locale="en", password=PASSWORD, **fields) -> User:
    n = next(_seq)
    user = User(
        email=(email or f"user{n}@example.org").lower(),
        name=name or f"User {n}",
        locale=locale,
        **fields,
    )
    if password:
        set_password(user, password)
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.flush()
    return user


def make_secretariat(**kw) -> User:
    return make_user(roles=("secretariat",), name=kw.pop("name", "Officer"), **kw)


def make_reviewer(**kw) -> User:
    return make_user(roles=("reviewer",), **kw)


def make_city(name=None, country="FR", state="verified", members=(), **fields) -> City:
    n = next(_seq)
    city = City(name=name or f"City {n}", country=country, state=state, **fields)
    db.session.add(city)
    db.session.flush()
    for user in members:
        db.session.add(Membership(user=user, city=city))
    db.session.flush()
    return city


def make_partner(name=None, state="verified", kind="ngo", members=(), **fields):
    """A campaign partner; ``members`` act for it, the first as its focal point."""
    from recognition.partners.models import Partner, PartnerMember

    n = next(_seq)
    partner = Partner(
        names={"en": name or f"Partner {n}"},
        source_language="en",
        kind=kind,
        state=state,
        **fields,
    )
    db.session.add(partner)
    db.session.flush()
    for index, user in enumerate(members):
        role = "focal" if index == 0 else "deputy"
        db.session.add(PartnerMember(partner=partner, user=user, role=role))
    db.session.flush()
    return partner


def make_focal_point(city=None, **kw) -> User:
    user = make_user(**kw)
    if city is None:
        city = make_city(members=[user])
    else:
        db.session.add(Membership(user=user, city=city))
        db.session.flush()
    return user


def make_call(programme_id="role_model_city", state="open", **fields):
    from recognition.programmes.models import Call

    now = utcnow()
    defaults = {
        "title": f"Call {next(_seq)}",
        "cycle": "2026",
        "opens_at": now - timedelta(days=10),
        "closes_at": now + timedelta(days=30),
        "review_deadline": now + timedelta(days=60),
    }
    defaults.update(fields)
    call = Call(programme_id=programme_id, state=state, **defaults)
    db.session.add(call)
    db.session.flush()
    return call


def make_nomination(call=None, city=None, state="draft", answers=None, **fields):
    from recognition.nominations.models import Nomination
    from recognition.nominees.models import nominee_for_city

    if call is None:
        # The call goes with the nomination: reviewed (and decided) while the call is being
        # reviewed, public once it is announced, open for anything earlier.
        call_state = {
            "under_review": "reviewing",
            "longlisted": "reviewing",
            "shortlisted": "reviewing",
            "recognised": "reviewing",
            "not_recognised": "reviewing",
            "announced": "announced",
        }.get(state, "open")
        call = make_call(state=call_state)
    nominee = fields.get("nominee")
    # An organisation or a person has no city.
    city = None if nominee is not None and nominee.kind != "city" else city or make_city()
    if state not in ("draft",) and "submitted_at" not in fields:
        fields["submitted_at"] = utcnow()
    if state in ("recognised", "not_recognised", "announced") and "decided_by_id" not in fields:
        fields["decided_by_id"] = make_secretariat().id
        fields["decided_at"] = utcnow()
    if "nominee" not in fields and "nominee_id" not in fields:
        fields["nominee"] = nominee_for_city(city)
    nomination = Nomination(call=call, city=city, state=state, answers=answers or {}, **fields)
    db.session.add(nomination)
    db.session.flush()
    return nomination


def make_assignment(nomination, reviewer=None, state="accepted", **fields):
    from recognition.review.models import Assignment

    reviewer = reviewer or make_reviewer()
    if state == "submitted" and "submitted_at" not in fields:
        fields["submitted_at"] = utcnow()
    if state == "conflicted" and "conflict_reason" not in fields:
        fields["conflict_reason"] = "Works for the city"
    assignment = Assignment(nomination=nomination, reviewer=reviewer, state=state, **fields)
    db.session.add(assignment)
    db.session.flush()
    return assignment


def pdf_bytes(label: str = "", size: int | None = None) -> bytes:
    """A small PDF; ``label`` makes its content (and so its sha256) distinct; ``size`` pads."""
    data = PDF + f"% {label}\n".encode()
    if size is not None:
        data += b"%" * (size - len(data))
    return data


def complete_role_model_answers(nomination, user) -> None:
    """Fill every required input of the Role Model City form, valid, and attach the letters.

    The answers go through ``save_answers`` and the files through ``attach`` (real PDF bytes,
    stored under the test upload folder), as the city's edit pages would. Flushes only: the
    caller commits when a request must see the data.
    """
    import io

    from werkzeug.datastructures import FileStorage

    from recognition.nominations.operations import attach, save_answers

    programme = nomination.programme
    assert programme.id == "role_model_city", "this helper fills the Role Model City form"
    answers = {
        "population": "250000",
        "area_km2": "120",
        "hazards": ["flood", "heat"],
        "joined_campaign": "2021-03-15",
        "motivation": "The city plans and acts with its residents.",
        "innovation": "Neighbourhood risk maps drawn with residents.",
        "sustained_results": "Flood damage halved over ten years.",
        "sharing": "Twinning with three cities; annual training week.",
        "nominator_type": "self",
        "nominator_name": "",
    }
    grid = programme.inputs["essentials__1__score"].field
    for number in range(1, len(grid.essentials) + 1):
        answers[f"essentials__{number}__score"] = str(4 if number <= 6 else 3)
        answers[f"essentials__{number}__narrative"] = f"Progress on Essential {number}."
    save_answers(nomination, answers)
    for field in ("motivation_letter", "recommendation_letter"):
        attach(
            nomination,
            field,
            FileStorage(
                stream=io.BytesIO(pdf_bytes(f"{nomination.id}-{field}")), filename=f"{field}.pdf"
            ),
            user,
        )
    db.session.flush()


#: A complete UN Sasakawa Award nomination (its nomination letter is attached separately).
COMPLETE_SASAKAWA_ANSWERS = {
    "nominee_type": "government",
    "work_country": "FR",
    "work_summary": "Twenty years of flood risk reduction.",
    "concrete_results": "No deaths in the last three floods.",
    "acting_ahead": "Early warning by text message.",
    "sustainability": "Copied by four neighbouring towns.",
}


def make_ready_nomination(state: str = "draft", **fields):
    """A complete Sasakawa nomination in ``state`` of a verified city, that the guards of
    nomination.yaml let through: fire() alone can move it on.

    The data an operation records beside a transition (submission date, decider) is set
    beforehand, so that no database constraint breaks; a decided nomination sits in an
    announced call (guard call_is_announced), one in review in a call being reviewed
    (call_is_reviewing), any other in an open one.
    """
    from recognition.nominations.models import Attachment

    now = utcnow()
    # A recognised nomination waits for its call's announcement; one in review is decided
    # while its call is being reviewed; any other sits in an open call.
    call_state = {
        "recognised": "announced",
        "not_recognised": "announced",
        "under_review": "reviewing",
        "longlisted": "reviewing",
        "shortlisted": "reviewing",
    }.get(state, "open")
    fields.setdefault(
        "call",
        make_call(
            programme_id="sasakawa_award",
            state=call_state,
            announcement={"en": "The recognised cities of 2026."},
        ),
    )
    fields.setdefault("city", make_city(state="verified"))
    fields.setdefault("answers", dict(COMPLETE_SASAKAWA_ANSWERS))
    fields.setdefault("submitted_at", now)
    fields.setdefault("decided_by_id", make_user(password=None).id)  # only the column needs one
    fields.setdefault("decided_at", now)
    nomination = make_nomination(state=state, **fields)
    db.session.add(
        Attachment(
            nomination=nomination,
            field="nomination_letter",
            filename="letter.pdf",
            sha256="0" * 64,
            mime="application/pdf",
            size=1000,
        )
    )
    db.session.flush()
    return nomination
