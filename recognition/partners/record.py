"""What a partner did for the campaign: the nominations it made and those its members
supported with a letter, their state and public outcome, and for each announced recognition
a text to circulate to its own members, in every language, with the public link.

A nomination names its partner, so the partners package sits below nominations and letters:
it reaches them through the models the workflow engine binds (``bound_models``), never by
importing their packages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel.lists import format_list
from flask import abort, current_app, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_login import current_user, login_required

from ..accounts.models import User
from ..config import LANGUAGES, RTL_LANGUAGES
from ..extensions import db
from ..i18n import current_language, gettext, ngettext
from ..panels import panel
from ..web import paginate
from ..workflow.registry import bound_models, has_tag, object_url, tagged
from ..workflow.security import permission_clause
from . import bp
from .models import Partner, PartnerMember
from .views import acting_for


def _model(workflow_id: str) -> Any:
    return bound_models().get(workflow_id)


def _nomination_model() -> Any:
    return _model("nomination")


def public(nomination: Any) -> bool:
    """An announced recognition: public, in a call announced."""
    return has_tag(nomination, "public") and has_tag(nomination.call, "public")


def outcome(nomination: Any) -> str:
    """The public outcome of an announced recognition, in the current language: the award
    level, or the number of areas of strength; "" when it names neither."""
    programme = current_app.extensions["programmes"].get(nomination.call.programme_id)
    level = (
        programme.level(nomination.award_level) if programme and nomination.award_level else None
    )
    if level is not None:
        return gettext(level.title)
    areas = nomination.areas_of_strength or ()
    if areas:
        return ngettext("%(num)d area of strength", "%(num)d areas of strength", len(areas))
    return ""


def public_path(nomination: Any, **args: Any) -> str:
    """The public page of a recognition: the city's page for a city (all its recognitions,
    its practice), else the nomination's public page."""
    if nomination.city_id is not None:
        return url_for("public.city", city_id=nomination.city_id, **args)
    return url_for("nominations.show", nomination_id=nomination.id, **args)


def public_url(nomination: Any, language: str) -> str:
    """The public page of a recognition in ``language``, on the configured site (never the
    request's Host header)."""
    base = current_app.config["RECOGNITION_BASE_URL"].rstrip("/")
    return base + public_path(nomination, lang=language)


@dataclass(frozen=True)
class Circular:
    """A text announcing a recognition, in one language, ready to send to members."""

    language: str
    text: str

    @property
    def direction(self) -> str:
        return "rtl" if self.language in RTL_LANGUAGES else "ltr"


def circular(nomination: Any, language: str) -> Circular:
    """The recognition announced in ``language``: who is recognised in which call and how,
    the call's announcement if written in that language, and the public link."""
    call = nomination.call
    with force_locale(language):
        values = {
            "nominee": str(nomination.nominee_name(language)),
            "call": str(call.text("title", language)),
            "outcome": outcome(nomination),
        }
        if values["outcome"]:
            headline = gettext("%(nominee)s is recognised in “%(call)s”: %(outcome)s.", **values)
        else:
            headline = gettext("%(nominee)s is recognised in “%(call)s”.", **values)
        paragraphs = [headline]
        announcement = call.announcement_text(language)
        if announcement and not announcement.fallback:
            paragraphs.append(str(announcement).strip())
        paragraphs.append(gettext("Read more: %(link)s", link=public_url(nomination, language)))
    return Circular(language, "\n\n".join(paragraphs))


def circulars(nomination: Any) -> list[Circular]:
    """The texts to circulate, the reader's language first."""
    reader = current_language()
    ordered = [reader, *(code for code in LANGUAGES if code != reader)]
    return [circular(nomination, code) for code in ordered]


# -- the partner's nominations -----------------------------------------------------------------


def _member_addresses(partner: Partner):
    """SELECT of the members' e-mail addresses (lower case, as accounts store them)."""
    return (
        sa.select(sa.func.lower(User.email))
        .join(PartnerMember, PartnerMember.user_id == User.id)
        .where(PartnerMember.partner_id == partner.id)
    )


def _members_letters(partner: Partner) -> tuple[Any, Any] | None:
    """The letter model and the condition selecting the received letters of support the
    partner's members wrote; None when no package binds letters."""
    letter = _model("letter")
    if letter is None:
        return None
    written_by_member = sa.func.lower(sa.func.trim(letter.referee_email)).in_(
        _member_addresses(partner)
    )
    return letter, sa.and_(tagged(letter, "given"), written_by_member)


def partner_nominations(partner: Partner):
    """SELECT of the nominations the partner made or its members supported with a received
    letter, newest first."""
    nomination = _nomination_model()
    party = nomination.partner_id == partner.id
    letters = _members_letters(partner)
    if letters is not None:
        letter, condition = letters
        party = sa.or_(party, nomination.id.in_(sa.select(letter.nomination_id).where(condition)))
    return (
        sa.select(nomination)
        .where(party)
        .order_by(nomination.created_at.desc(), nomination.id.desc())
    )


def supporters(partner: Partner, ids: list[int]) -> dict[int, list[str]]:
    """For each of the nominations ``ids``, the names of the members whose letters support it
    (one query)."""
    letters = _members_letters(partner)
    found: dict[int, list[str]] = {}
    if letters is None or not ids:
        return found
    letter, condition = letters
    rows = db.session.execute(
        sa.select(letter.nomination_id, letter.referee_name)
        .where(condition, letter.nomination_id.in_(ids))
        .order_by(letter.nomination_id, letter.referee_name)
    )
    for nomination_id, name in rows:
        found.setdefault(nomination_id, []).append(name)
    return found


def may_view(ids: list[int]) -> set[int]:
    """Which of the nominations ``ids`` the current user may open (one query)."""
    if not ids:
        return set()
    nomination = _nomination_model()
    return set(
        db.session.scalars(
            sa.select(nomination.id).where(
                nomination.id.in_(ids), permission_clause(nomination, "view", current_user)
            )
        )
    )


@bp.get("/partners/<int:partner_id>/nominations")
@login_required
def nominations(partner_id: int):
    """The partner's own view: what it nominated and supported, the state of each, and a
    text to circulate for each announced recognition. Its members only."""
    partner = db.get_or_404(Partner, partner_id)
    if partner.id not in acting_for():
        abort(404)
    page = paginate(partner_nominations(partner))
    ids = [n.id for n in page.items]
    supported = supporters(partner, ids)
    viewable = may_view(ids)
    rows = [
        {
            "nomination": n,
            "nominated": n.partner_id == partner.id,
            "supporters": format_list(supported[n.id], locale=get_locale())
            if n.id in supported
            else "",
            "link": object_url(n) if n.id in viewable else None,
            "public": public(n),
            "outcome": outcome(n) if public(n) else "",
            "circulars": circulars(n) if public(n) else [],
        }
        for n in page.items
    ]
    return render_template("partners/nominations.html", partner=partner, page=page, rows=rows)


@panel("partners.show", "partners/_recognitions.html")
def recognitions(partner: Partner) -> dict[str, Any]:
    """On a partner's page: the recognitions announced of the nominations it made."""
    nomination = _nomination_model()
    call = _model("call")
    found = db.session.scalars(
        sa.select(nomination)
        .join(call, call.id == nomination.call_id)
        .where(
            nomination.partner_id == partner.id,
            tagged(nomination, "public"),
            tagged(call, "public"),
        )
        .order_by(call.announced_at.desc(), nomination.id)
    ).all()
    return {"recognitions": [(n, outcome(n), public_path(n)) for n in found]}
