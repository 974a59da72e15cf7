"""Eligibility rules that read the register of past laureates.

Each predicate receives the nomination (this package does not import the nominations
package: the nomination's own class serves the queries) and returns None when its rule
holds, or the reason it does not. A rule reads; it never writes.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..programmes.models import Call
from ..workflow.guards import guard
from ..workflow.registry import tagged
from .matching import exact_entries, laureate_level, possible_matches
from .models import RegisterEntry, RegisterMatch

#: The answers a secretariat gives about a possible match.
RESOLUTIONS = ("same", "different")


def _earlier_laureate(nomination) -> bool:
    """The nominee was a public Laureate in another call of the same programme (here)."""
    if nomination.nominee.id is None:
        return False
    model = type(nomination)
    stmt = (
        sa.select(model.id)
        .join(Call, Call.id == model.call_id)
        .where(
            Call.programme_id == nomination.call.programme_id,
            Call.id != nomination.call_id,
            model.nominee_id == nomination.nominee.id,
            model.award_level == laureate_level(nomination.programme),
            tagged(model, "public"),
        )
        .limit(1)
    )
    return db.session.scalar(stmt) is not None


def found_same(nomination) -> RegisterEntry | None:
    """The past laureate the secretariat found this nomination's nominee to be, if any."""
    if nomination.id is None:
        return None
    return db.session.scalar(
        sa.select(RegisterEntry)
        .join(RegisterMatch, RegisterMatch.entry_id == RegisterEntry.id)
        .where(
            RegisterMatch.nomination_id == nomination.id,
            RegisterMatch.resolution == "same",
            RegisterEntry.level == laureate_level(nomination.programme),
        )
        .order_by(RegisterEntry.year)
        .limit(1)
    )


@guard("past_laureates_excluded", _l("the nominee is not a past Laureate of the award"))
def past_laureates_excluded(nomination, actor, data):
    """Past Laureates cannot be nominated again: not in the register under the same name and
    country, not found to be one by the secretariat, not a Laureate here before."""
    programme = nomination.programme
    listed = exact_entries(
        nomination.call.programme_id,
        laureate_level(programme),
        nomination.nominee,
        excluding_nomination=nomination.id,
    )
    if listed:
        entry = listed[0]
        return _l(
            "The register of past Laureates lists %(name)s (%(year)s). Past Laureates of this "
            "award cannot be nominated again.",
            name=entry.name,
            year=str(entry.year),
        )
    same = found_same(nomination)
    if same is not None:
        return _l(
            "The secretariat found that this nominee is %(name)s, a past Laureate (%(year)s). "
            "Past Laureates of this award cannot be nominated again.",
            name=same.name,
            year=str(same.year),
        )
    if _earlier_laureate(nomination):
        return _l("Past Laureates of this award cannot be nominated again.")
    return None


def unresolved(nomination, threshold: int) -> list:
    """The near matches of the nomination's nominee the secretariat has not resolved."""
    near = [
        c
        for c in possible_matches(
            nomination.call.programme_id,
            laureate_level(nomination.programme),
            nomination.nominee,
            threshold,
            excluding_nomination=nomination.id,
        )
        if not c.exact
    ]
    if not near or nomination.id is None:
        return near
    resolved = set(
        db.session.scalars(
            sa.select(RegisterMatch.entry_id).where(
                RegisterMatch.nomination_id == nomination.id,
                RegisterMatch.resolution.in_(RESOLUTIONS),
            )
        )
    )
    return [c for c in near if c.entry.id not in resolved]


@guard(
    "register_matches_resolved",
    _l(
        "the secretariat has said of every possible match in the register of past Laureates "
        "(names at least %(similarity)d%% alike) whether it is the nominee"
    ),
    params={"similarity": int},
)
def register_matches_resolved(nomination, actor, data, similarity):
    """A near match in the register is a warning the secretariat resolves, never a silent
    pass: "same nominee" or "different nominee" for each before screening ends."""
    pending = unresolved(nomination, similarity)
    if not pending:
        return None
    return lazy_ngettext(
        "%(num)d possible match in the register of past Laureates is not resolved: say on "
        "the nomination's page whether it is the same nominee.",
        "%(num)d possible matches in the register of past Laureates are not resolved: say on "
        "the nomination's page whether they are the same nominee.",
        len(pending),
    )
