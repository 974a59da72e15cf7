"""Reviewers read some of the six languages: automatic assignment gives them nominations only
in those, keeps the load even and says where readers are missing; the manual picker shows
what each reviewer reads, where they are from, how busy they are and their conflicts."""

from __future__ import annotations

import random
import re
from collections import Counter
from types import SimpleNamespace

import factories
import pytest
import sqlalchemy as sa
from review_support import page_queries, text

from recognition.config import LANGUAGES
from recognition.review.models import Assignment
from recognition.review.operations import _balance, languages_read

LIVE = ("invited", "accepted", "submitted", "reopened")


def _live(db, call) -> list[Assignment]:
    return list(
        db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.state.in_(LIVE), Assignment.nomination.has(call_id=call.id))
            .order_by(Assignment.id)
        )
    )


def _auto(client, call):
    response = client.post(f"/calls/{call.id}/auto-assign")
    assert response.status_code == 200
    return text(response)


# -- who reads what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "locale", "reads"),
    [(["ar", "fr"], "en", {"ar", "fr"}), ([], "ru", {"ru"}), (None, "zh", {"zh"})],
)
def test_a_reviewer_reads_the_languages_declared_else_their_interface_language(
    declared, locale, reads
):
    assert languages_read(SimpleNamespace(languages=declared, locale=locale)) == reads


# -- automatic assignment ---------------------------------------------------------------------


@pytest.fixture
def officer(db):
    return factories.make_secretariat()


def _call_with(languages: list[str], reviewers_per_nomination: int = 2):
    """A call under review with a nomination per language given (from cities in Peru)."""
    call = factories.make_call(state="reviewing", reviewers_per_nomination=reviewers_per_nomination)
    nominations = [
        factories.make_nomination(
            call=call,
            city=factories.make_city(country="PE"),
            state="under_review",
            language=language,
        )
        for language in languages
    ]
    return call, nominations


def test_a_nomination_goes_only_to_reviewers_who_read_its_language(
    app, db, client, login_as, officer
):
    call, (arabic, spanish) = _call_with(["ar", "es"])
    for _ in range(4):  # idle reviewers who read neither, first in line were it not for that
        factories.make_reviewer(languages=["en", "zh"])
    readers = {
        "ar": [
            factories.make_reviewer(languages=["ar"]),
            factories.make_reviewer(languages=["ar"]),
        ],
        "es": [
            factories.make_reviewer(languages=["es", "fr"]),
            factories.make_reviewer(locale="es"),
        ],
    }
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    given = {(a.nomination_id, a.reviewer_id) for a in _live(db, call)}
    assert given == {(arabic.id, r.id) for r in readers["ar"]} | {
        (spanish.id, r.id) for r in readers["es"]
    }


def test_too_few_readers_leave_invitations_missing_and_the_report_says_why(
    app, db, client, login_as, officer
):
    call, (arabic, other_arabic, english) = _call_with(["ar", "ar", "en"], 3)
    only_reader = factories.make_reviewer(name="Layla", languages=["ar", "en"])
    for _ in range(3):
        factories.make_reviewer(languages=["en"])
    db.session.commit()
    login_as(officer)
    page = _auto(client, call)
    per_nomination = Counter(a.nomination_id for a in _live(db, call))
    assert per_nomination == {arabic.id: 1, other_arabic.id: 1, english.id: 3}
    assert {a.reviewer_id for a in _live(db, call) if a.nomination_id == arabic.id} == {
        only_reader.id
    }
    assert "Too few reviewers read these languages" in page
    assert "Arabic: 4 invitations are missing. 1 reviewer reads it." in page
    assert page.count("2 reviewers are still missing because too few reviewers read Arabic.") == 2
    assert "without a conflict" not in page


def test_readers_with_a_conflict_are_missing_for_the_conflict_not_the_language(
    app, db, client, login_as, officer
):
    call, (arabic,) = _call_with(["ar"], 2)
    factories.make_reviewer(languages=["ar"])
    factories.make_reviewer(name="Omar", languages=["ar"], country="PE")
    db.session.commit()
    login_as(officer)
    page = _auto(client, call)
    assert "1 reviewer is still missing: not enough reviewers without a conflict." in page
    assert "Omar: from the same country as the city" in page
    assert "too few reviewers read" not in page


def test_a_reviewer_who_declared_no_language_is_given_their_interface_language(
    app, db, client, login_as, officer
):
    call, (russian, french) = _call_with(["ru", "fr"], 1)
    reader = factories.make_reviewer(languages=["fr"], locale="ru")
    undeclared = factories.make_reviewer(locale="ru")
    db.session.commit()
    login_as(officer)
    _auto(client, call)
    given = {(a.nomination_id, a.reviewer_id) for a in _live(db, call)}
    assert given == {(russian.id, undeclared.id), (french.id, reader.id)}


COUNTRIES = ("KE", "BR", "IN", "JP", "DE", "MX", "EG", "CN")


def _population(rng: random.Random, db, reviewers: int = 40, nominations: int = 200):
    """A call wanting 3 reviewers per nomination: ``nominations``, a sixth in each language,
    in random order; ``reviewers`` each reading one to three languages (every language the
    first of a sixth of them); cities and reviewers from a few countries (the same country is
    a conflict). Every language is read by enough reviewers for a spread of one to be
    possible (drawing each nomination's language at random, about one draw in twenty-five
    leaves, say, three reviewers who read only French too few French nominations)."""
    call = factories.make_call(state="reviewing", reviewers_per_nomination=3)
    people = []
    for index in range(reviewers):
        first = LANGUAGES[index % len(LANGUAGES)]
        others = rng.sample([code for code in LANGUAGES if code != first], rng.randint(0, 2))
        people.append(
            factories.make_reviewer(
                languages=[first, *others], country=rng.choice(COUNTRIES), locale="en"
            )
        )
    languages = [LANGUAGES[index % len(LANGUAGES)] for index in range(nominations)]
    rng.shuffle(languages)
    items = [
        factories.make_nomination(
            call=call,
            city=factories.make_city(country=rng.choice(COUNTRIES)),
            state="under_review",
            language=language,
        )
        for language in languages
    ]
    db.session.commit()
    return call, people, items


def _could_take(reviewer, nomination) -> bool:
    """The test's own rule: the reviewer reads the language and is from another country."""
    return nomination.language in reviewer.languages and reviewer.country != nomination.country


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_two_hundred_nominations_go_to_readers_with_an_even_load(
    app, db, client, login_as, officer, seed
):
    call, people, items = _population(random.Random(seed), db)
    login_as(officer)
    _auto(client, call)
    by_id = {r.id: r for r in people}
    given = _live(db, call)
    assert all(_could_take(by_id[a.reviewer_id], a.nomination) for a in given)
    per_nomination = Counter(a.nomination_id for a in given)
    assert per_nomination == {n.id: 3 for n in items}
    load = Counter(a.reviewer_id for a in given)
    able = [r for r in people if any(_could_take(r, n) for n in items)]
    spread = max(load[r.id] for r in able) - min(load[r.id] for r in able)
    assert spread <= 1, sorted(load[r.id] for r in able)


def test_a_chain_of_moves_evens_out_what_no_single_move_can():
    # Greedy left A with 3 (n1, n2, n3), B with 1 (n4), C with 0. C reads only n4's
    # language, B reads every one: only B -> C on n4, then A -> B on n1, evens them out.
    a, b, c = (SimpleNamespace(id=i) for i in (1, 2, 3))
    plan = {1: [a], 2: [a], 3: [a], 4: [b]}
    eligible = {1: [a, b], 2: [a, b], 3: [a, b], 4: [b, c]}
    load = Counter({1: 3, 2: 1})
    _balance(plan, eligible, load)
    assert sorted(load[r.id] for r in (a, b, c)) == [1, 1, 2]
    assert all(len(plan[n]) == 1 and plan[n][0] in eligible[n] for n in plan)
    assert Counter(r.id for chosen in plan.values() for r in chosen) == +load


def test_the_spread_stays_where_the_languages_allow_no_better():
    # A alone reads n1..n3's language: nothing can move, and nothing wrong is tried.
    a, b = SimpleNamespace(id=1), SimpleNamespace(id=2)
    plan = {1: [a], 2: [a], 3: [a]}
    eligible = {1: [a], 2: [a], 3: [a], 4: [b]}
    load = Counter({1: 3})
    _balance(plan, eligible, load)
    assert plan == {1: [a], 2: [a], 3: [a]} and load == {1: 3}


# -- the manual picker ------------------------------------------------------------------------


def _row(page: str, reviewer) -> str:
    """The picker's table row of ``reviewer``, as HTML."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", page, flags=re.S):
        if f'id="reviewer-{reviewer.id}"' in row:
            return row
    raise AssertionError(f"{reviewer.name} is not in the picker")


def _cells(row: str) -> list[str]:
    """The row's cells as text, without tags."""
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


@pytest.fixture
def arabic_world(db, world):
    """The world's nomination (Lyon) written in Arabic."""
    world.nomination.language = "ar"
    db.session.commit()
    return world


def test_the_picker_shows_languages_country_load_and_conflicts(
    app, db, client, login_as, arabic_world
):
    world = arabic_world
    reader = factories.make_reviewer(name="Layla Haddad", languages=["fr", "ar"], country="JO")
    other = factories.make_nomination(call=world.call, state="under_review")
    factories.make_assignment(other, reader, state="accepted")
    factories.make_assignment(
        factories.make_nomination(call=world.call, state="under_review"), reader, state="invited"
    )
    factories.make_assignment(  # declined: no load
        factories.make_nomination(call=world.call, state="under_review"), reader, state="declined"
    )
    factories.make_assignment(  # another call: no load here
        factories.make_nomination(state="under_review"), reader, state="accepted"
    )
    conflicted = factories.make_reviewer(name="Jean Dupont", languages=["ar"], country="FR")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    assert "The nomination is written in Arabic." in page
    assert _cells(_row(page, reader)) == [
        "Layla Haddad",
        "Arabic and French",
        "Jordan",
        "2",
        "None known",
    ]
    assert "<mark>Arabic</mark>" in _row(page, reader)
    assert " disabled" not in _row(page, reader)
    assert _cells(_row(page, conflicted)) == [
        "Jean Dupont",
        "Arabic",
        "France",
        "0",
        "from the same country as the city",
    ]
    assert " disabled" in _row(page, conflicted)


def test_a_reviewer_who_does_not_read_the_language_is_flagged_yet_may_be_invited(
    app, db, client, login_as, arabic_world
):
    world = arabic_world
    outsider = factories.make_reviewer(name="Aiko Tanaka", languages=["zh", "en"], country="JP")
    undeclared = factories.make_reviewer(name="Ivan Petrov", locale="ru", country="KZ")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    assert _cells(_row(page, outsider))[1] == "English and Chinese Does not read Arabic"
    assert _cells(_row(page, undeclared))[1] == (
        "Russian (the language of their interface; none declared) Does not read Arabic"
    )
    assert " disabled" not in _row(page, outsider)
    response = client.post(
        f"/nominations/{world.nomination.id}/assign", data={"reviewer": outsider.id}
    )
    assert response.status_code == 302
    assert outsider.id in {a.reviewer_id for a in _live(db, world.call)}


def test_the_picker_names_and_lists_languages_as_the_reader_s_language_does(
    app, db, client, login_as, arabic_world
):
    world = arabic_world
    reader = factories.make_reviewer(languages=["en", "ar"], country="JO")
    world.officer.locale = "ar"
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    assert '<html lang="ar" dir="rtl">' in page
    assert "<td>الإنجليزية و<mark>العربية</mark>" in _row(page, reader)


def test_the_picker_lists_readers_first_the_least_loaded_first(
    app, db, client, login_as, arabic_world
):
    world = arabic_world
    busy = factories.make_reviewer(name="Busy Reader", languages=["ar"], country="JO")
    factories.make_assignment(
        factories.make_nomination(call=world.call, state="under_review"), busy, state="accepted"
    )
    idle = factories.make_reviewer(name="Zaid Idle", languages=["ar"], country="MA")
    outsider = factories.make_reviewer(name="Aaron Outsider", languages=["en"], country="JP")
    conflicted = factories.make_reviewer(name="Abel Conflicted", languages=["ar"], country="FR")
    db.session.commit()
    login_as(world.officer)
    page = text(client.get(f"/nominations/{world.nomination.id}/invite"))
    order = [page.index(f'id="reviewer-{r.id}"') for r in (idle, busy, outsider, conflicted)]
    assert order == sorted(order)


def test_the_picker_costs_the_same_queries_whatever_the_number_of_reviewers(
    app, db, client, login_as, arabic_world
):
    world = arabic_world
    rng = random.Random(5)

    def add(n):
        # Reviewers reading various languages, from various countries (some in conflict),
        # each busy with other nominations of the call.
        for _ in range(n):
            reviewer = factories.make_reviewer(
                languages=rng.sample(LANGUAGES, rng.randint(0, 3)), country=rng.choice(["FR", "JP"])
            )
            other = factories.make_nomination(call=world.call, state="under_review")
            factories.make_assignment(other, reviewer, state="accepted")
        db.session.commit()

    add(3)
    login_as(world.officer)
    url = f"/nominations/{world.nomination.id}/invite"
    page_queries(client, url)  # the first look at the call counts its reviewers' loads
    few = page_queries(client, url)
    add(15)
    assert page_queries(client, url) == few
