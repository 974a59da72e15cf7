"""Opening annual reports on each anniversary of a recognition, saving what the city writes,
and what the submission records. Everything flushes; the caller commits."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel.speaklater import LazyString

from ..accounts.operations import focal_points_of
from ..config import LANGUAGES
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..nominations.models import Nomination
from ..notifications.operations import absolute_url, queue
from ..programmes.models import Call
from ..timeutil import today_in, utcnow
from ..workflow.engine import create, operation
from ..workflow.registry import tagged
from .models import ANSWERS, TEXT_LENGTH, AnnualReport

log = logging.getLogger(__name__)

#: The tag of the nomination states that are current recognitions (workflows/nomination.yaml).
CURRENT = "current"


def current_recognitions() -> Any:
    """SQL condition: the nominations that are current recognitions (their state is tagged
    ``current``: announced or expiring, neither expired, renewed nor revoked)."""
    return tagged(Nomination, CURRENT)


def reporting_programmes() -> list[str]:
    """Ids of the programmes whose recognised cities report every year."""
    programmes = current_app.extensions["programmes"]
    return sorted(pid for pid, p in programmes.items() if p.lifetime.annual_report)


def anniversary(start: date, years: int) -> date:
    """The day ``years`` years after ``start`` (29 February: the 28th in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True)
class ReportYear:
    """Year ``year`` of a recognition, as its report covers it (dates in the city's calendar)."""

    year: int
    starts_on: date
    ends_on: date
    #: The anniversary: the day the report opens.
    opens_on: date
    due_on: date


def report_year(valid_from: date, year: int) -> ReportYear:
    """The dates of year ``year`` (1, 2, 3) of a recognition valid from ``valid_from``."""
    opens_on = anniversary(valid_from, year)
    grace = timedelta(days=current_app.config["RECOGNITION_REPORT_GRACE_DAYS"])
    return ReportYear(
        year=year,
        starts_on=anniversary(valid_from, year - 1),
        ends_on=opens_on - timedelta(days=1),
        opens_on=opens_on,
        due_on=opens_on + grace,
    )


def years_ended(valid_from: date, years: int | None, today: date) -> list[int]:
    """The years of a recognition that have ended by ``today`` (at most ``years``)."""
    ended = []
    year = 1
    while (years is None or year <= years) and anniversary(valid_from, year) <= today:
        ended.append(year)
        year += 1
    return ended


def next_report(nomination: Nomination, opened: int) -> ReportYear | None:
    """The next report the recognition will owe after its ``opened`` ones (None: no more)."""
    programme = nomination.programme
    years = programme.lifetime.years
    if not programme.lifetime.annual_report or nomination.valid_from is None:
        return None
    if years is not None and opened >= years:
        return None
    return report_year(nomination.valid_from, opened + 1)


def reports_of(nomination: Nomination) -> list[AnnualReport]:
    """The reports of a recognition, by year (one query)."""
    return list(
        db.session.scalars(
            sa.select(AnnualReport)
            .where(AnnualReport.nomination_id == nomination.id)
            .order_by(AnnualReport.year)
        )
    )


# -- opening reports ---------------------------------------------------------------------------


def open_due_reports(today: date | None = None) -> int:
    """Open the report of every year that has ended, by the city's today (or ``today``), of
    every current recognition of a programme that asks for annual reports; tell the city's
    focal points. Return how many were opened.

    Each report is created in a savepoint: when another process opened the same one at the
    same moment, the unique (nomination, year) refuses the second and the run goes on.
    """
    programme_ids = reporting_programmes()
    if not programme_ids:
        return 0
    recognitions = db.session.scalars(
        sa.select(Nomination)
        .join(Call, Call.id == Nomination.call_id)
        .where(
            Call.programme_id.in_(programme_ids),
            current_recognitions(),
            Nomination.valid_from.is_not(None),
            Nomination.city_id.is_not(None),
        )
        .order_by(Nomination.id)
    ).all()
    if not recognitions:
        return 0
    opened = _opened([n.id for n in recognitions])
    count = 0
    for nomination in recognitions:
        city_today = today or today_in(nomination.city.timezone)
        years = nomination.programme.lifetime.years
        for year in years_ended(nomination.valid_from, years, city_today):
            if (nomination.id, year) not in opened and _open(nomination, year):
                count += 1
    return count


def _opened(nomination_ids: list[int]) -> set[tuple[int, int]]:
    """The (recognition, year) of the reports already opened."""
    return set(
        db.session.execute(
            sa.select(AnnualReport.nomination_id, AnnualReport.year).where(
                AnnualReport.nomination_id.in_(nomination_ids)
            )
        ).tuples()
    )


def _open(nomination: Nomination, year: int) -> bool:
    """Create the report on ``year`` and tell the focal points; False if another process
    created it first."""
    dates = report_year(nomination.valid_from, year)
    try:
        with db.session.begin_nested():
            report = AnnualReport(
                nomination=nomination, year=year, due_on=dates.due_on, language=nomination.language
            )
            create(report, None)
    except sa.exc.IntegrityError:
        exists = db.session.scalar(
            sa.select(AnnualReport.id).where(
                AnnualReport.nomination_id == nomination.id, AnnualReport.year == year
            )
        )
        if exists is None:
            raise
        log.info("annual report %s/%s was opened by another process", nomination.id, year)
        return False
    _tell_focal_points(report, dates)
    return True


def _tell_focal_points(report: AnnualReport, dates: ReportYear) -> None:
    """Queue the report's opening to each focal point of the city, in their language."""
    nomination = report.nomination
    link = absolute_url("reports.show", report_id=report.id)
    programme = nomination.programme.title
    for user in focal_points_of(nomination.city):
        queue(
            user,
            "annual_report_due",
            # Rendered by queue() in the recipient's language, the date too.
            _l(
                "Your annual report on year %(year)d of %(programme)s is due by %(date)s",
                year=report.year,
                programme=_l(programme),
                date=LazyString(format_date, dates.due_on, "long"),
            ),
            link=link,
            dedupe_key=f"report-due:{report.id}:{user.id}",
            report=report,
            dates=dates,
            programme=programme,
        )


# -- writing -----------------------------------------------------------------------------------


def save(report: AnnualReport, answers: Mapping[str, str], language: str) -> None:
    """Keep what the city wrote (a draft: anything, within the lengths)."""
    for name in ANSWERS:
        setattr(report, name, (answers.get(name) or "").strip()[:TEXT_LENGTH])
    report.language = language if language in LANGUAGES else report.language
    report.updated_at = utcnow()
    db.session.flush()


def missing_answers(report: AnnualReport) -> list[str]:
    """The answers a report needs before it is submitted: something shared, and with whom."""
    missing = []
    if not any((report.peer_exchanges, report.study_visits, report.tools)):
        missing.append("shared")
    if not report.shared_with:
        missing.append("shared_with")
    return missing


def _submitted(report: AnnualReport, actor: Any, data: Mapping[str, Any]) -> None:
    report.submitted_at = utcnow()


operation("annual_report", "submit")(_submitted)
operation("annual_report", "resubmit")(_submitted)
