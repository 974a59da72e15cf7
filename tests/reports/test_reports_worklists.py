"""Worklists of annual reports: overdue only after the due date in the city's calendar, to
read once submitted, to write for the city; the panel on the recognition's page; pages whose
number of queries does not grow with the reports listed."""

from __future__ import annotations

from datetime import datetime

import factories
import pytest
from reports_support import complete, count_queries, open_at, recognition, text_of

from recognition.reports.models import AnnualReport
from recognition.timeutil import clock_at
from recognition.workflow.registry import definition_for
from recognition.workflow.worklists import worklists_for


def counts(user) -> dict[str, int]:
    return {
        e.worklist.id: e.count for e in worklists_for(user) if e.definition.id == "annual_report"
    }


# Both reports on year 1 are due on 14 April 2028, each in its city's calendar: overdue from
# midnight, 12:00 UTC on the 14th in Auckland (NZST, UTC+12), 05:00 UTC on the 15th in Lima.
OVERDUE = [
    (datetime(2028, 4, 14, 11, 59), 0),
    (datetime(2028, 4, 14, 12, 0), 1),  # Auckland's
    (datetime(2028, 4, 15, 4, 59), 1),
    (datetime(2028, 4, 15, 5, 0), 2),  # and Lima's
    (datetime(2028, 9, 1), 2),
]


@pytest.mark.parametrize(("moment", "overdue"), OVERDUE)
def test_a_report_is_overdue_only_after_its_due_date(world, opened, moment, overdue):
    with clock_at(moment):
        assert counts(world.officer)["reports_overdue"] == overdue


def test_a_submitted_report_is_not_overdue_but_to_read(world, opened, login_as):
    login_as(world.rosa).post(f"/reports/{opened.lima.id}", data=complete())
    with clock_at(datetime(2028, 9, 1)):
        assert counts(world.officer) == {"reports_overdue": 1, "reports_to_read": 1}


def test_the_overdue_list_names_the_city(world, opened, login_as):
    client = login_as(world.officer)
    with clock_at(datetime(2028, 4, 14, 12, 0)):
        response = client.get("/reports/lists/reports_overdue")
    text = text_of(response)
    assert "Auckland" in text and "Lima" not in text
    assert f'href="/reports/{opened.auckland.id}"' in response.get_data(as_text=True)


def test_the_city_has_its_reports_to_write(world, opened):
    assert counts(world.rosa) == {"reports_to_write": 1}
    assert counts(world.aroha) == {"reports_to_write": 1}
    assert counts(world.stranger) == {}
    assert counts(world.reviewer) == {}


def test_the_city_s_list_has_only_its_own_reports(world, opened, login_as):
    response = login_as(world.rosa).get("/reports/lists/reports_to_write")
    html = response.get_data(as_text=True)
    assert f'href="/reports/{opened.lima.id}"' in html
    assert f'href="/reports/{opened.auckland.id}"' not in html
    index = text_of(login_as(world.rosa).get("/reports"))
    assert "Our annual reports to write" in index and "Annual reports overdue" not in index


def test_another_city_and_a_reviewer_list_nothing(world, opened, login_as):
    for user in (world.stranger, world.reviewer):
        html = login_as(user).get("/reports/lists/reports_to_write").get_data(as_text=True)
        assert "/reports/" + str(opened.lima.id) not in html
        html = login_as(user).get("/reports/lists/reports_overdue").get_data(as_text=True)
        assert "/reports/" + str(opened.lima.id) not in html


def test_an_unknown_list_is_not_found(world, login_as):
    assert login_as(world.officer).get("/reports/lists/nothing").status_code == 404


def test_every_worklist_is_counted_in_the_one_query(world, opened):
    """The annual reports' worklists (the city's included, shown if any) are counted with
    every other worklist in one statement: a count of annual reports per worklist."""
    definition = definition_for(AnnualReport)
    with clock_at(datetime(2028, 9, 1)), count_queries() as statements:
        counts(world.officer)
    mine = [s for s in statements if "annual_reports" in s]
    assert len(mine) == 1
    assert mine[0].lower().count("from annual_reports") == len(definition.worklists)


def _more_recognitions(db, number):
    for _ in range(number):
        recognition(factories.make_city(timezone="Asia/Kolkata"))
    db.session.commit()


def test_the_overdue_list_costs_the_same_queries_for_2_and_12_reports(db, world, login_as):
    client = login_as(world.officer)
    open_at(datetime(2028, 6, 1))
    with clock_at(datetime(2028, 9, 1)), count_queries() as few:
        assert client.get("/reports/lists/reports_overdue").status_code == 200
    _more_recognitions(db, 10)
    open_at(datetime(2028, 6, 1))
    with clock_at(datetime(2028, 9, 1)), count_queries() as many:
        response = client.get("/reports/lists/reports_overdue")
    assert response.get_data(as_text=True).count('href="/reports/') == 12
    assert len(many) == len(few)


def test_the_panel_on_the_recognition_page(world, opened, login_as):
    text = text_of(login_as(world.rosa).get(f"/nominations/{world.lima_hub.id}"))
    assert "Annual reports" in text
    assert "Annual report on year 1" in text
    assert "The report on year 2 opens on" in text
    html = login_as(world.officer).get(f"/nominations/{world.lima_hub.id}").get_data(as_text=True)
    assert f'href="/reports/{opened.lima.id}"' in html


def test_before_its_first_report_the_city_sees_when_it_opens(world, login_as):
    text = text_of(login_as(world.aroha).get(f"/nominations/{world.auckland_hub.id}"))
    assert "The report on year 1 opens on March 15, 2028 and is due by April 14, 2028." in text
    assert "Annual report on year 1" not in text


def test_the_panel_costs_the_same_queries_for_1_and_3_reports(db, world, login_as):
    client = login_as(world.rosa)
    page = f"/nominations/{world.lima_hub.id}"
    open_at(datetime(2028, 6, 1))
    client.get(page)
    with count_queries() as few:
        client.get(page)
    open_at(datetime(2030, 6, 1))
    with count_queries() as many:
        text = text_of(client.get(page))
    assert "Annual report on year 3" in text
    assert len(many) == len(few)
