"""Every page bench/http.py measures runs the same number of SQL statements in a synthetic
campaign of 20 nominations as in one of 1,000 (and last cycle's, announced), and no more
than its budget: what a page costs does not grow with the call."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from recognition.accounts.models import User
from recognition.extensions import db
from recognition.nominations.models import Nomination
from recognition.review.models import Assignment, KeptAnalysis
from recognition.scale import load_campaign, reviewer_email, secretariat_email
from recognition.workflow.registry import tagged

SMALL, LARGE = 20, 1000

#: page -> (who reads it, the most SQL statements it may run). Signed-in pages pay one
#: statement of their own before the page's: the user with their roles and the facts roles
#: are made of (cities and partners they act for, unread messages). No page runs more than
#: ten, however large the call.
PAGES = {
    "/": (None, 4),
    "/recognised": (None, 4),
    "/recognised/cities/{city}": (None, 3),
    "/announcements/{last_call}": (None, 3),
    "/secretariat/": ("secretariat", 4),
    "/secretariat/worklists/nomination/awaiting_screening": ("secretariat", 2),
    "/secretariat/worklists/nomination/under_review": ("secretariat", 2),
    "/secretariat/calls/{call}/dashboard": ("secretariat", 9),
    # The ranking's robustness panel reads the call's decisions and the names it shows.
    "/secretariat/calls/{call}/ranking": ("secretariat", 10),
    "/secretariat/calls/{call}/ranking?sort=normalised&page=2": ("secretariat", 10),
    "/secretariat/calls/{call}/ranking?sort=name": ("secretariat", 8),
    "/nominations/{nomination}": ("secretariat", 10),
    "/nominations/{nomination}/invite": ("secretariat", 9),
    # The visit is noted (a write): on PostgreSQL the page generation moves on after it.
    "/reviews": ("reviewer", 9),
    "/reviews/{assignment}": ("reviewer", 8),
}
MOST = 10


class Client(FlaskClient):
    """Each request in an app context of its own, as in production: its own session and
    ``g``."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _statements(engine, client, path: str) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    client.get(path)  # a first view may build what is kept afterwards
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, (path, response.headers.get("Location"))
    return len(statements)


def _places(campaign) -> dict[str, int]:
    """The campaign's ids the pages name: a nomination under review with a submitted
    review (and that review), a recognised city of last cycle."""
    call, last = campaign.call, campaign.last_call
    assignment = db.session.scalars(
        sa.select(Assignment)
        .join(Nomination, Nomination.id == Assignment.nomination_id)
        .where(
            Nomination.call_id == call.id,
            tagged(Nomination, "in_review"),
            tagged(Assignment, "counted"),
            Assignment.reviewer_id
            == sa.select(User.id).where(User.email == reviewer_email(call.id, 0)).scalar_subquery(),
        )
        .order_by(Assignment.id)
        .limit(1)
    ).one()
    city = db.session.scalar(
        sa.select(Nomination.city_id)
        .where(Nomination.call_id == last.id, tagged(Nomination, "public"))
        .order_by(Nomination.id)
        .limit(1)
    )
    return {
        "call": call.id,
        "last_call": last.id,
        "nomination": assignment.nomination_id,
        "assignment": assignment.id,
        "city": city,
    }


@pytest.fixture(scope="module")
def costs(_app):
    """Each page's statements at SMALL and at LARGE (each campaign in a database of its own
    making: the app's tables emptied before each)."""
    from database_support import empty_tables

    found: dict[str, list[int]] = {path: [] for path in PAGES}
    # The small call's fairness and robustness are weighed on the page, the large one's
    # read as stored (review/analyses.py): both cost the same statements.
    inline = _app.config["RECOGNITION_ANALYSIS_INLINE_SCORES"]
    _app.config["RECOGNITION_ANALYSIS_INLINE_SCORES"] = 2_000
    try:
        _measure(_app, found)
    finally:
        _app.config["RECOGNITION_ANALYSIS_INLINE_SCORES"] = inline
    empty_tables(_app)
    return found


def _measure(_app, found: dict[str, list[int]]) -> None:
    from database_support import empty_tables

    for size in (SMALL, LARGE):
        empty_tables(_app)
        with _app.app_context():
            campaign = load_campaign(size, last_cycle=size)
            places = _places(campaign)
            people = {
                "secretariat": db.session.scalar(
                    sa.select(User).where(User.email == secretariat_email(campaign.call.id))
                ).get_id(),
                # The reviewer of the nomination measured: their review page is theirs.
                "reviewer": db.session.scalar(
                    sa.select(User).where(User.email == reviewer_email(campaign.call.id, 0))
                ).get_id(),
            }
            engine = db.engine
            db.session.remove()
        for path, (who, _budget) in PAGES.items():
            client = Client(_app, _app.response_class, use_cookies=True)
            if who is not None:
                with client.session_transaction() as session:
                    session["_user_id"] = people[who]
                    session["_fresh"] = True
            found[path].append(_statements(engine, client, path.format(**places)))
        if size == LARGE:
            with _app.app_context():
                stored = db.session.scalar(sa.select(sa.func.count()).select_from(KeptAnalysis))
            assert stored, "the large call's analyses are not stored"


@pytest.mark.parametrize("path", list(PAGES))
def test_a_page_costs_the_same_at_any_size_and_within_its_budget(costs, path):
    small, large = costs[path]
    assert small == large, f"{path}: {small} at {SMALL}, {large} at {LARGE}"
    assert large <= PAGES[path][1] <= MOST, f"{path}: {small}, {large} statements"
