"""The ranking page: weighted totals (raw and normalised), per-criterion means, spread flag,
areas of strength; sortable, filterable, paginated."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from secretariat_support import recorded_statements, submit_review

from recognition.accounts.models import City
from recognition.nominations.models import Nomination
from recognition.review.models import Score
from recognition.workflow.engine import fire

ROW = re.compile(r'<td>(\d+)</td>\s*<td><a href="/nominations/\d+" dir="auto">([^<]+)</a>')


def ranking(client, call, query=""):
    response = client.get(f"/secretariat/calls/{call.id}/ranking{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def order(html: str) -> list[str]:
    return [name for _number, name in ROW.findall(html)]


def nominate(call, name, country="FR", state="under_review"):
    city = factories.make_city(name=name, country=country)
    return factories.make_nomination(call=call, city=city, state=state)


@pytest.fixture
def scored(db):
    """Four nominations: a generous reviewer scored Accra 5 and Bergen 4 everywhere, a harsh
    one Cork 3 and Dakar 1 (so Cork's normalised total equals Accra's)."""
    call = factories.make_call(state="reviewing")
    generous, harsh = factories.make_reviewer(), factories.make_reviewer()
    cities = {}
    for name, country, reviewer, value in (
        ("Accra", "GH", generous, 5),
        ("Bergen", "NO", generous, 4),
        ("Cork", "IE", harsh, 3),
        ("Dakar", "SN", harsh, 1),
    ):
        cities[name] = nominate(call, name, country)
        submit_review(cities[name], value, reviewer=reviewer)
    db.session.commit()
    return call


def test_ranked_by_weighted_total_by_default(as_officer, scored):
    assert order(ranking(as_officer, scored)) == ["Accra", "Bergen", "Cork", "Dakar"]


def test_weighted_total_is_shown(as_officer, scored):
    html = ranking(as_officer, scored)
    # 10 Essentials and sharing weigh 1, innovation and sustained results 1.5: 14 in all.
    assert "<td>70.00</td>" in html and "<td>14.00</td>" in html


def test_sort_by_normalised_total(as_officer, scored):
    """Normalised per reviewer, the harsh reviewer's best (Cork) ranks with the generous
    reviewer's best (Accra), above Bergen."""
    assert order(ranking(as_officer, scored, "?sort=normalised")) == [
        "Accra",
        "Cork",
        "Bergen",
        "Dakar",
    ]


def test_sort_by_city(as_officer, scored):
    names = order(ranking(as_officer, scored, "?sort=name"))
    assert names == sorted(names)


def test_sort_by_a_criterion(db, as_officer):
    call = factories.make_call(state="reviewing")
    low, high = nominate(call, "Lowinnov"), nominate(call, "Highinnov")
    submit_review(low, {"innovation": 1, "sharing": 5})
    submit_review(high, {"innovation": 5, "sharing": 0})
    db.session.commit()
    assert order(ranking(as_officer, call, "?sort=c:innovation")) == ["Highinnov", "Lowinnov"]
    assert order(ranking(as_officer, call, "?sort=c:sharing")) == ["Lowinnov", "Highinnov"]


@pytest.mark.parametrize("sort", ["nope", "c:nope", "", "c:"])
def test_unknown_sort_falls_back_to_total(as_officer, scored, sort):
    assert order(ranking(as_officer, scored, f"?sort={sort}")) == [
        "Accra",
        "Bergen",
        "Cork",
        "Dakar",
    ]


def test_per_criterion_means_are_shown(db, as_officer):
    call = factories.make_call(state="reviewing")
    nomination = nominate(call, "Accra")
    submit_review(nomination, {"innovation": 2})
    submit_review(nomination, {"innovation": 3})
    db.session.commit()
    assert "<td>2.5</td>" in ranking(as_officer, call)


def test_nomination_without_scores_is_listed_without_totals(db, as_officer):
    call = factories.make_call(state="reviewing")
    nominate(call, "Unscored")
    db.session.commit()
    html = ranking(as_officer, call)
    assert order(html) == ["Unscored"]
    assert "<td>—</td>" in html


def test_drafts_are_not_ranked(db, as_officer, scored):
    nominate(scored, "Draftown", state="draft")
    db.session.commit()
    assert "Draftown" not in ranking(as_officer, scored)


def test_spread_is_flagged(db, as_officer):
    call = factories.make_call(state="reviewing")
    split, calm = nominate(call, "Split"), nominate(call, "Calm")
    submit_review(split, {"innovation": 0})
    submit_review(split, {"innovation": 5})
    submit_review(calm, 3)
    submit_review(calm, 4)
    db.session.commit()
    html = ranking(as_officer, call)
    # (the first cell: the box that takes the nomination to the programme's next round)
    assert re.search(
        r'<tr class="table-warning">\s*<td><input[^>]*>.*?</td>\s*'
        r"<td>\d+</td>\s*<td><a[^>]*>Split</a>",
        html,
    )
    assert html.count('badge text-bg-warning">disagreement') == 1


def test_only_disagreements_filter(db, as_officer):
    call = factories.make_call(state="reviewing")
    split, calm = nominate(call, "Split"), nominate(call, "Calm")
    submit_review(split, {"innovation": 0})
    submit_review(split, {"innovation": 5})
    submit_review(calm, 3)
    db.session.commit()
    assert order(ranking(as_officer, call, "?disagreement=1")) == ["Split"]


def test_areas_of_strength_and_the_five_essentials_mark(db, as_officer):
    call = factories.make_call(state="reviewing")
    strong, weak = nominate(call, "Strong"), nominate(call, "Weak")
    essentials = {f"essential_{i}": 4 for i in range(1, 6)}
    submit_review(strong, {**essentials, "essential_9": 5})
    submit_review(weak, {"essential_1": 4, "essential_2": 4})
    db.session.commit()
    html = ranking(as_officer, call)
    assert '<td>1, 2, 3, 4, 5, 9 <span class="badge text-bg-success">≥ 5</span></td>' in html
    assert "<td>1, 2</td>" in html


def test_sasakawa_ranking_has_no_areas_of_strength(db, as_officer):
    call = factories.make_call(programme_id="sasakawa_award", state="reviewing")
    submit_review(nominate(call, "Manila"), 3)
    db.session.commit()
    html = ranking(as_officer, call)
    assert "Manila" in html and "Areas of strength" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?country=GH", ["Accra"]),
        ("?country=gh", ["Accra"]),
        ("?state=shortlisted", ["Bergen"]),
        ("?state=shortlisted&country=GH", []),
        ("?state=nonsense", []),
        ("?country=Q%27--", []),
    ],
)
def test_filters(db, as_officer, scored, query, expected):
    from recognition.nominations.models import Nomination

    bergen = db.session.query(Nomination).join(Nomination.city).filter_by(name="Bergen").one()
    bergen.state = "shortlisted"
    db.session.commit()
    assert order(ranking(as_officer, scored, query)) == expected


def test_country_filter_offers_the_call_countries(as_officer, scored):
    html = ranking(as_officer, scored)
    options = re.findall(r'<option value="([A-Z]{2})"', html)
    assert options == sorted(["GH", "NO", "IE", "SN"])


@pytest.mark.parametrize("query", ["?state=shortlisted", "?disagreement=1", "?country=GH"])
def test_a_filtered_ranking_still_offers_every_country_of_the_call(as_officer, scored, query):
    html = ranking(as_officer, scored, query)
    assert re.findall(r'<option value="([A-Z]{2})"', html) == sorted(["GH", "NO", "IE", "SN"])


def test_the_ranking_counts_and_names_its_countries_in_one_read(as_officer, scored, app, db):
    """The default view counts its rows by country: the totals, any country's count and the
    filter's countries from one statement, kept for the next views with another country."""
    with recorded_statements() as sent:
        html = ranking(as_officer, scored)
    assert order(html) == ["Accra", "Bergen", "Cork", "Dakar"]
    assert len([s for s in sent if "GROUP BY" in s and "country" in s]) == 1
    assert not [s for s in sent if "DISTINCT" in s and "country" in s]
    with recorded_statements() as sent:
        assert order(ranking(as_officer, scored, "?country=IE")) == ["Cork"]
    assert not [s for s in sent if "GROUP BY" in s and "country" in s]


def test_a_country_s_ranking_has_the_pages_of_its_rows(app, as_officer, db, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 2)
    call = factories.make_call(state="reviewing")
    for n in range(5):
        submit_review(nominate(call, f"Ghana {n}", "GH"), 5 - n)
    for n in range(2):
        submit_review(nominate(call, f"Norway {n}", "NO"), 1)
    nominate(call, "Ghana unscored", "GH")
    db.session.commit()
    html = ranking(as_officer, call, "?country=GH&page=3")
    assert order(html) == ["Ghana 4", "Ghana unscored"]
    assert "page=4" not in html
    assert order(ranking(as_officer, call, "?country=NO&page=3")) == ["Norway 0", "Norway 1"]


def test_ranking_is_paginated(app, as_officer, scored, monkeypatch):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 3)
    assert order(ranking(as_officer, scored)) == ["Accra", "Bergen", "Cork"]
    second = ranking(as_officer, scored, "?page=2")
    assert ROW.findall(second) == [("4", "Dakar")]


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99"])
def test_out_of_range_pages_show_a_page(app, as_officer, scored, monkeypatch, page):
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 3)
    assert order(ranking(as_officer, scored, f"?page={page}"))


def test_sorting_keeps_the_filters(as_officer, scored):
    html = ranking(as_officer, scored, "?country=GH")
    assert "sort=name" in html and re.search(
        r"sort=name[^\"]*country=GH|country=GH[^\"]*sort=name", html
    )


@pytest.mark.parametrize("who", ["focal", "reviewer"])
def test_ranking_is_for_the_secretariat(db, login_as, world, who):
    user = world.focal if who == "focal" else factories.make_reviewer()
    db.session.commit()
    assert login_as(user).get(f"/secretariat/calls/{world.call.id}/ranking").status_code == 403


@pytest.mark.parametrize("sort", ["total", "normalised", "c:innovation"])
def test_pages_read_along_the_kept_order_then_the_unscored(app, db, as_officer, monkeypatch, sort):
    """Eleven nominations, three of them unscored, in pages of four: every page in order,
    the scored best first (ties by id), the unscored after them by id, each one once."""
    monkeypatch.setitem(app.config, "RECOGNITION_PAGE_SIZE", 4)
    call = factories.make_call(state="reviewing")
    reviewer = factories.make_reviewer()
    values = [3, 5, 1, 4, 4, 2, 5, 0]
    scored = []
    for n, value in enumerate(values):
        nomination = nominate(call, f"Scored {n:02d}")
        submit_review(nomination, value, reviewer=reviewer)
        scored.append((value, nomination.id, f"Scored {n:02d}"))
    unscored = [nominate(call, f"Unscored {n}") for n in range(3)]
    db.session.commit()
    expected = [name for _value, _id, name in sorted(scored, key=lambda t: (-t[0], t[1]))]
    expected += [f"Unscored {n}" for n in range(3)]
    assert [n.id for n in unscored] == sorted(n.id for n in unscored)
    seen = []
    for page in (1, 2, 3):
        seen += order(ranking(as_officer, call, f"?sort={sort}&page={page}"))
    assert seen == expected


def test_the_page_s_results_are_kept_until_a_review_counts(db, as_officer, scored):
    """A second view reads the page's results (scores and moments) from what the worker
    kept; a review submitted since changes them on the next view."""
    dakar = db.session.scalar(
        sa.select(Nomination).join(City, City.id == Nomination.city_id).where(City.name == "Dakar")
    )

    def scores_read() -> int:
        with recorded_statements() as statements:
            html = ranking(as_officer, scored)
        assert "<td>14.00</td>" in html  # Dakar's total
        return sum("JOIN scores" in s for s in statements)

    assert scores_read() > 0
    assert scores_read() == 0
    reviewer = factories.make_reviewer()
    assignment = factories.make_assignment(dakar, reviewer, state="accepted")
    for criterion in dakar.programme.rubric.criteria:
        assignment.scores.append(Score(criterion=criterion.id, value=5))
    assignment.recommendation = "recommend"
    db.session.flush()
    fire(assignment, "submit", reviewer)
    db.session.commit()
    html = ranking(as_officer, scored)
    assert "<td>42.00</td>" in html  # Dakar: (14 + 70) / 2
