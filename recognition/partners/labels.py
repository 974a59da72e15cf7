"""How partners' coded values read: the kinds of organisation, and the Ten Essentials their
offer supports, titled by the edition partners chose them in (PARTNER_EDITION)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..i18n import gettext
from ..i18n import lazy_gettext as _l
from .models import PARTNER_KINDS

#: The kinds of partner (models.PARTNER_KINDS), as readers see them.
KIND_TITLES = {
    "un_agency": _l("UN agency"),
    "ngo": _l("Non-governmental organisation"),
    "academic": _l("Academic or research institution"),
    "private_sector": _l("Private sector"),
    "city_network": _l("Network of cities or local governments"),
    "national_government": _l("National government"),
}
assert set(KIND_TITLES) == set(PARTNER_KINDS), "every kind of partner needs its title"

#: The value of the country field and filter that means "no single country".
GLOBAL = "global"


def kind_title(kind: str) -> Any:
    return KIND_TITLES.get(kind, kind)


#: The edition of the Ten Essentials partners' Essentials are numbered in: partners chose them
#: by the 2010 campaign's titles, and the numbers stored mean those (in the 2017 revision 3 is
#: another Essential: moving partners to it means asking them again).
PARTNER_EDITION = 2010


def partner_edition() -> Any:
    """PARTNER_EDITION of the Ten Essentials (an ``Essentials``), as the programmes that use
    it loaded it; None when none does. (Partners do not import the programmes package: it
    imports theirs.)"""
    for programme in current_app.extensions["programmes"].values():
        edition = programme.essentials
        if edition is not None and edition.edition == PARTNER_EDITION:
            return edition
    return None


def essential_titles() -> dict[int, str]:
    """The Ten Essentials by number, titled (msgids) as PARTNER_EDITION titles them."""
    edition = partner_edition()
    return dict(edition.titles) if edition is not None else {}


def essential_title(number: int, titles: dict[int, str] | None = None) -> str:
    """One Essential, numbered and titled, in the reader's language ("Essential 3: ...")."""
    title = (titles if titles is not None else essential_titles()).get(number)
    if not title:
        return gettext("Essential %(num)d", num=number)
    return gettext("Essential %(number)d: %(label)s", number=number, label=gettext(title))
