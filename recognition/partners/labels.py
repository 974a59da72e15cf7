"""How partners' coded values read: the kinds of organisation, and the Ten Essentials their
offer supports, titled as the programmes title them."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

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


def essential_titles() -> dict[int, str]:
    """The Ten Essentials by number, titled (msgids) as the programmes' rubrics title the
    criteria scoring them ("Essential 3: risk data and assessments")."""
    titles: dict[int, str] = {}
    for programme in current_app.extensions["programmes"].values():
        for criterion in programme.rubric.criteria:
            if criterion.essential:
                titles.setdefault(criterion.essential, criterion.title)
    return dict(sorted(titles.items()))


def essential_title(number: int, titles: dict[int, str] | None = None) -> str:
    """One Essential's title in the reader's language."""
    title = (titles if titles is not None else essential_titles()).get(number)
    return gettext(title) if title else gettext("Essential %(num)d", num=number)
