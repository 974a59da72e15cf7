"""The robustness of a round's outcome in words, on the ranking (a panel) and on the
confirmation page of a call's announcement (a consequence): whether removing any one
reviewer's scores changes who is recognised (or qualifies) or who ranks first, and how often
a bootstrap of the reviews keeps each outcome. Reviewers are named only to those who run the
call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal, format_percent
from flask_login import current_user

from ...i18n import gettext as _
from ...i18n import ngettext
from ...panels import panel
from ...programmes.definition import Round
from ...workflow.registry import Consequence, consequences
from ...workflow.security import can
from . import FIRST, QUALIFIES, Hinge, Verdict
from .reading import Facts, Shown, decisive_round, shown, verdict_for


@dataclass(frozen=True)
class Line:
    """One row of a table: the nominee, what is at stake, the reviewer, the margin, and what
    happens without the reviewer (or the share of resamples)."""

    name: str
    stake: str
    reviewer: str
    margin: str
    change: str


def _points(value: float | None) -> str:
    return format_decimal(value, "0.00") if value is not None else "—"


def _stake(verdict: Verdict, stake: str, holds: bool) -> str:
    """What is at stake, as it stands with every review."""
    if stake == FIRST:
        return _("Ranks first") if holds else _("Does not rank first")
    if verdict.kind == QUALIFIES:
        return _("Qualifies") if holds else _("Does not qualify")
    if verdict.decided:
        return _("Recognised") if holds else _("Not recognised")
    places = len(verdict.holding)
    if places == 1:
        return _("Ranks first") if holds else _("Does not rank first")
    if holds:
        return ngettext("Within the %(num)d place", "Within the %(num)d places", places)
    return ngettext("Below the %(num)d place", "Below the %(num)d places", places)


def _margin(verdict: Verdict, hinge: Hinge) -> str:
    if verdict.kind != QUALIFIES:
        return _points(hinge.margin)
    areas = hinge.areas or 0
    if areas >= 0:
        counted = ngettext(
            "%(num)d area above the minimum", "%(num)d areas above the minimum", areas
        )
    else:
        counted = ngettext(
            "%(num)d area short of the minimum", "%(num)d areas short of the minimum", -areas
        )
    if hinge.margin is None:
        return counted
    return _(
        "%(areas)s; %(points)s points from the threshold",
        areas=counted,
        points=_points(hinge.margin),
    )


def _change(verdict: Verdict, hinge: Hinge) -> str:
    """What happens to the nomination without the reviewer's scores."""
    if verdict.kind == QUALIFIES:
        strong = int(hinge.without or 0)
        if hinge.holds:
            return ngettext(
                "No longer qualifies: %(num)d area of strength",
                "No longer qualifies: %(num)d areas of strength",
                strong,
            )
        return ngettext(
            "Would qualify: %(num)d area of strength",
            "Would qualify: %(num)d areas of strength",
            strong,
        )
    total = _points(hinge.without)
    if hinge.stake == FIRST or len(verdict.holding) == 1 and not verdict.decided:
        if hinge.holds:
            return _("No longer ranks first (total %(total)s)", total=total)
        return _("Would rank first (total %(total)s)", total=total)
    if hinge.holds:
        return _("Falls below the cut-off (total %(total)s)", total=total)
    return _("Would rise above the cut-off (total %(total)s)", total=total)


def _reviewer(facts: Facts, reviewer_id: int, named: bool) -> str:
    if not named:
        return _("a reviewer")
    return facts.people.get(reviewer_id) or _("a reviewer")


def _name(facts: Facts, nomination_id: int) -> str:
    return facts.names.get(nomination_id) or _("Nomination %(id)d", id=nomination_id)


def hinge_lines(verdict: Verdict, part: Shown, facts: Facts, named: bool) -> list[Line]:
    return [
        Line(
            _name(facts, h.nomination_id),
            _stake(verdict, h.stake, h.holds),
            _reviewer(facts, h.reviewer_id, named),
            _margin(verdict, h),
            _change(verdict, h),
        )
        for h in part.hinges
    ]


def single_lines(verdict: Verdict, part: Shown, facts: Facts, named: bool) -> list[Line]:
    return [
        Line(
            _name(facts, s.nomination_id),
            _stake(verdict, s.stake, True),
            _reviewer(facts, s.reviewer_id, named),
            "",
            _("Rests on a single review"),
        )
        for s in part.single
    ]


def share_lines(verdict: Verdict, part: Shown, facts: Facts) -> list[Line]:
    return [
        Line(
            _name(facts, s.nomination_id),
            _stake(verdict, s.stake, True),
            "",
            "",
            format_percent(s.share, "#,##0.#%"),
        )
        for s in part.shares
    ]


def summary(verdict: Verdict | None) -> str:
    """The verdict in a sentence."""
    if verdict is None:
        return _("No review is submitted in this round: there is nothing to weigh yet.")
    if not verdict.assessed:
        return _("No nomination in contention is fully scored in this round: nothing to weigh yet.")
    if verdict.robust:
        if verdict.kind == QUALIFIES:
            return _(
                "Robust: without any one reviewer's scores, every nomination keeps its "
                "qualification."
            )
        if verdict.decided:
            return _(
                "Robust: without any one reviewer's scores, the ranking still backs every "
                "recognition and the same nomination ranks first."
            )
        return ngettext(
            "Robust: without any one reviewer's scores, the same nomination ranks first.",
            "Robust: without any one reviewer's scores, the same %(num)d nominations take the "
            "places and the same one ranks first.",
            len(verdict.holding),
        )
    parts = []
    hinging = len({h.nomination_id for h in verdict.hinges})
    if hinging:
        parts.append(
            ngettext(
                "The outcome of %(num)d nomination hinges on one reviewer.",
                "The outcomes of %(num)d nominations hinge on one reviewer.",
                hinging,
            )
        )
    if verdict.single:
        parts.append(
            ngettext(
                "%(num)d nomination at stake rests on a single review.",
                "%(num)d nominations at stake rest on a single review.",
                len({s.nomination_id for s in verdict.single}),
            )
        )
    return " ".join(parts)


def assessed(verdict: Verdict) -> str:
    """What was assessed, in a sentence."""
    if verdict.kind == QUALIFIES:
        text = _(
            "Assessed: whether each nomination qualifies, with at least %(minimum)d Essentials "
            "scored %(threshold)s or more on average.",
            minimum=verdict.minimum,
            threshold=format_decimal(verdict.threshold),
        )
    elif verdict.decided:
        text = ngettext(
            "Assessed: the %(num)d recognised nomination, against the ranking by weighted total.",
            "Assessed: the %(num)d recognised nominations, against the ranking by weighted total.",
            len(verdict.holding),
        )
    else:
        text = ngettext(
            "Assessed: the best nomination by weighted total (the place the programme's "
            "quota gives).",
            "Assessed: the best %(num)d nominations by weighted total (the places the "
            "programme's quotas give).",
            len(verdict.holding),
        )
    if verdict.unbacked:
        text += " " + ngettext(
            "%(num)d decision differs from what this round's scores give; it is not assessed.",
            "%(num)d decisions differ from what this round's scores give; they are not assessed.",
            len(verdict.unbacked),
        )
    return text


def method(verdict: Verdict) -> str:
    """How it was computed, in two sentences."""
    return " ".join(
        (
            _(
                "Leave one reviewer out: each reviewer's scores are taken away in turn and "
                "the outcome worked out again; the margin is how far the nomination stood "
                "from the cut-off with every review."
            ),
            ngettext(
                "Bootstrap: each nomination's reviews are drawn again with replacement, "
                "%(num)d time from a fixed seed; the share is how often it keeps its outcome.",
                "Bootstrap: each nomination's reviews are drawn again with replacement, "
                "%(num)d times from a fixed seed; the share is how often it keeps its outcome.",
                verdict.resamples,
            ),
        )
    )


def left_out(part: Shown) -> dict[str, str]:
    """What each table leaves out, in a sentence (empty when nothing)."""
    found = {"hinges": "", "single": "", "shares": ""}
    if part.more_hinges:
        found["hinges"] = ngettext(
            "%(num)d more outcome that hinges on one reviewer is not listed.",
            "%(num)d more outcomes that hinge on one reviewer are not listed.",
            part.more_hinges,
        )
    if part.more_single:
        found["single"] = ngettext(
            "%(num)d more outcome that rests on a single review is not listed.",
            "%(num)d more outcomes that rest on a single review are not listed.",
            part.more_single,
        )
    if part.more_shares and part.rest_always_kept:
        found["shares"] = ngettext(
            "%(num)d more keeps its outcome in every resample.",
            "%(num)d more keep their outcome in every resample.",
            part.more_shares,
        )
    elif part.more_shares:
        found["shares"] = ngettext(
            "%(num)d more keeps its outcome at least as often; not listed.",
            "%(num)d more keep their outcome at least as often; not listed.",
            part.more_shares,
        )
    return found


def context(call, round_: Round, *, fresh: bool = False) -> dict[str, Any]:
    """The verdict and its rows, as both pages show them (``fresh``: weighed now unless the
    kept one is current)."""
    kept, facts = verdict_for(call, round_, fresh=fresh)
    verdict = kept.value
    named = can(current_user, "manage", call)
    if not kept.ready:
        return {"verdict": None, "summary": being_computed(), "kept": kept}
    if verdict is None or not verdict.assessed:
        return {"verdict": None, "summary": summary(verdict), "kept": kept}
    part = shown(verdict)
    return {
        "verdict": verdict,
        "summary": summary(verdict),
        "assessed": assessed(verdict),
        "method": method(verdict),
        "hinges": hinge_lines(verdict, part, facts, named),
        "single": single_lines(verdict, part, facts, named),
        "shares": share_lines(verdict, part, facts),
        "left_out": left_out(part),
        "named": named,
        "kept": kept,
    }


def being_computed() -> str:
    """Said while a large round's verdict was never computed yet."""
    return _(
        "The scores of this round are many: the verdict is being computed in the background. "
        "Reload this page in a minute."
    )


# -- on the pages --------------------------------------------------------------------------------


@panel("secretariat.ranking", "review/_robustness.html", order=50)
def on_ranking(shown_round: tuple[Any, Round]) -> dict[str, Any]:
    """The ranking's round: ``(call, round)``."""
    call, round_ = shown_round
    return {"robustness": context(call, round_)}


def _also(sentence: str) -> str:
    return f" {sentence}" if sentence else ""


@consequences("call", "announce")
def before_announcing(call) -> list[Consequence]:
    """On the announcement's confirmation page: the robustness of the outcome in the round
    the decisions rest on."""
    round_ = decisive_round(call)
    if round_ is None:
        return [
            Consequence(
                _("Robustness: no review is submitted in this call; there is nothing to weigh.")
            )
        ]
    shown_here = context(call, round_, fresh=True)
    verdict = shown_here["verdict"]
    found = [
        Consequence(
            _(
                "Robustness, on the scores of the round “%(round)s”: %(verdict)s",
                round=_(round_.title),
                verdict=shown_here["summary"],
            )
            + ("" if verdict is None else " " + shown_here["assessed"])
        )
    ]
    if verdict is None:
        return found
    if shown_here["hinges"]:
        found.append(
            Consequence(
                _("Outcomes that hinge on one reviewer (without that reviewer's scores):")
                + _also(shown_here["left_out"]["hinges"]),
                tuple(
                    (
                        line.name,
                        _(
                            "%(stake)s. Without the scores of %(reviewer)s: %(change)s. "
                            "Margin: %(margin)s.",
                            stake=line.stake,
                            reviewer=line.reviewer,
                            change=line.change,
                            margin=line.margin,
                        ),
                    )
                    for line in shown_here["hinges"]
                ),
            )
        )
    if shown_here["single"]:
        found.append(
            Consequence(
                _("Outcomes that rest on a single review:")
                + _also(shown_here["left_out"]["single"]),
                tuple(
                    (
                        line.name,
                        _(
                            "%(stake)s. Rests on the scores of %(reviewer)s alone.",
                            stake=line.stake,
                            reviewer=line.reviewer,
                        ),
                    )
                    for line in shown_here["single"]
                ),
            )
        )
    if shown_here["shares"]:
        found.append(
            Consequence(
                ngettext(
                    "How often each keeps its outcome in %(num)d resample of the reviews:",
                    "How often each keeps its outcome in %(num)d resamples of the reviews:",
                    verdict.resamples,
                )
                + _also(shown_here["left_out"]["shares"]),
                tuple(
                    (line.name, _("%(stake)s: %(share)s", stake=line.stake, share=line.change))
                    for line in shown_here["shares"]
                ),
            )
        )
    return found
