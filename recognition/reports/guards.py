"""Rules of annual reports: a report is complete before it is submitted; a renewal waits for
the reports the recognition it renews owes. Each returns None when it holds, or why not."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..i18n import lazy_ngettext
from ..workflow.guards import guard
from ..workflow.registry import tagged
from .models import AnnualReport
from .operations import missing_answers


@guard("annual_report_is_complete", _l("the report says what the city shared and with whom"))
def annual_report_is_complete(report, actor, context):
    """The report names something shared (an exchange, a visit or a tool) and with whom."""
    if not missing_answers(report):
        return None
    return _l(
        "Say what your city shared (a peer exchange, a study visit or a tool) and with whom "
        "before you submit the report."
    )


@guard("annual_reports_submitted", _l("every annual report of the recognition is submitted"))
def annual_reports_submitted(nomination, actor, context):
    """A renewal waits until every report the renewed recognition owes is submitted; any
    other nomination passes."""
    if nomination.renews_id is None:
        return None
    missing = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AnnualReport)
        .where(
            AnnualReport.nomination_id == nomination.renews_id,
            tagged(AnnualReport, "awaited"),
        )
    )
    if not missing:
        return None
    return lazy_ngettext(
        "%(num)d annual report of the recognition you renew is not submitted yet: submit it first.",
        "%(num)d annual reports of the recognition you renew are not submitted yet: submit "
        "them first.",
        missing,
    )
