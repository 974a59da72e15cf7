"""Fairness by language, checked against numbers computed by hand.

Example 1 (Role Model City, one criterion, essential_1, scale 0-5): reviewers R1 (reads
English), R2 (French), R3 (Russian) each score the four nominations N1, N2 (English), N3
(French), N4 (Arabic):

    reviewer   N1 N2 N3 N4   mean   population sd   z
    R1          5  3  3  1    3      sqrt(8/4) = sqrt(2)   +sqrt(2), 0, 0, -sqrt(2)
    R2          4  4  2  2    3      1                     +1, +1, -1, -1
    R3          4  2  4  2    3      1                     +1, -1, +1, -1

All twelve scores: mean 36/12 = 3, squared deviations 4+0+0+4 + 8*1 = 16, population sd
s = sqrt(16/12) = 2/sqrt(3). Normalised = 3 + z*s, so per nomination (mean of its three):

    N1: 3 + s(sqrt(2) + 2)/3    N2: 3 + s(0 + 1 - 1)/3 = 3    N3: 3    N4: 3 - s(sqrt(2) + 2)/3
    raw: N1 (5+4+4)/3 = 13/3    N2 (3+4+2)/3 = 3    N3 (3+2+4)/3 = 3    N4 (1+2+2)/3 = 5/3

By the nomination's language (English, Arabic, French in the six languages' order):
    English: 2 nominations, raw (13/3 + 3)/2 = 11/3, normalised 3 + s(sqrt(2)+2)/6, both read
             (R1 reads English);
    Arabic:  1, raw 5/3, normalised 3 - s(sqrt(2)+2)/3, nobody reads Arabic;
    French:  1, raw 3, normalised 3, read by R2.
Read: 3 of 4 nominations. Largest gap: English over Arabic, s(sqrt(2)+2)/6 + s(sqrt(2)+2)/3
= s(sqrt(2)+2)/2.

Example 2 (severity): H, A and B score six English nominations; A and B give v, H gives
v - 1, with v = 4, 3, 4, 3, 4, 3. On every nomination:
    H's offset: (v - 1) - (v + v)/2 = -1; A's: v - ((v - 1) + v)/2 = +0.5; B's: +0.5.
    Scores (v-1, v, v): mean v - 1/3, deviations -2/3, 1/3, 1/3, population variance 2/9;
    under random exchange of the three reviewers an offset varies as (3/2)^2 * 2/9 = 1/2.
    H: severity -1, standard error sqrt(6 * 1/2)/6 = sqrt(3)/6, z = -6/sqrt(3) = -2*sqrt(3).
    A, B: severity +0.5, z = 0.5 * 6/sqrt(3) = sqrt(3).
Three reviewers tested (six nominations each, at least five): flagged when |z| is beyond the
normal quantile 1 - 0.05/(2*3), about 2.39: H (3.46) is, A and B (1.73) are not.
H reads English, A English and French, B French:
    English: reviewers H, A; 12 reviews; raw (3+2+3+2+3+2 + 4+3+4+3+4+3)/12 = 36/12 = 3;
             offset (6*(-1) + 6*0.5)/12 = -0.25.
    French:  A, B; 12 reviews; raw 42/12 = 3.5; offset +0.5.
"""

from __future__ import annotations

import math
import re
from statistics import NormalDist

import factories
import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from review_support import add_scores, programme, text

from recognition.review import fairness as fairness_module
from recognition.review.aggregation import ScoreRow
from recognition.review.fairness import call_fairness, fairness, gap_test, signed
from recognition.workflow.engine import fire

C = "essential_1"
R1, R2, R3 = 1, 2, 3
N1, N2, N3, N4 = 11, 12, 13, 14
S = 2 / math.sqrt(3)
H, A, B = 7, 8, 9


def example_1():
    values = {R1: (5, 3, 3, 1), R2: (4, 4, 2, 2), R3: (4, 2, 4, 2)}
    rows = [
        ScoreRow(n, r, C, v)
        for r, vs in values.items()
        for n, v in zip((N1, N2, N3, N4), vs, strict=True)
    ]
    written_in = {N1: "en", N2: "en", N3: "fr", N4: "ar"}
    reads = {R1: frozenset({"en"}), R2: frozenset({"fr"}), R3: frozenset({"ru"})}
    return fairness(rows, written_in, reads, programme(), names={R1: "R1", R2: "R2", R3: "R3"})


def example_2(nominations: int = 6):
    rows = []
    for i in range(nominations):
        v = 4 if i % 2 == 0 else 3
        n = 100 + i
        rows += [ScoreRow(n, H, C, v - 1), ScoreRow(n, A, C, v), ScoreRow(n, B, C, v)]
    written_in = {100 + i: "en" for i in range(nominations)}
    reads = {H: frozenset({"en"}), A: frozenset({"en", "fr"}), B: frozenset({"fr"})}
    return fairness(rows, written_in, reads, programme(), names={H: "H", A: "A", B: "B"})


def test_by_the_nominations_language(app):
    groups = {g.language: g for g in example_1().by_nomination_language}
    assert list(groups) == ["en", "ar", "fr"]
    en, ar, fr = groups["en"], groups["ar"], groups["fr"]
    assert (en.nominations, ar.nominations, fr.nominations) == (2, 1, 1)
    assert en.raw_mean == pytest.approx(11 / 3)
    assert ar.raw_mean == pytest.approx(5 / 3)
    assert fr.raw_mean == pytest.approx(3)
    assert en.normalised_mean == pytest.approx(3 + S * (math.sqrt(2) + 2) / 6)
    assert ar.normalised_mean == pytest.approx(3 - S * (math.sqrt(2) + 2) / 3)
    assert fr.normalised_mean == pytest.approx(3)


def test_share_read_by_a_reader_of_the_language(app):
    figures = example_1()
    groups = {g.language: g for g in figures.by_nomination_language}
    assert (groups["en"].read, groups["ar"].read, groups["fr"].read) == (2, 0, 1)
    assert (figures.read, figures.nominations) == (3, 4)
    assert figures.read_share == pytest.approx(0.75)


def test_the_largest_gap_names_its_languages(app):
    gap = example_1().language_gap
    assert (gap.high, gap.low) == ("en", "ar")
    assert gap.gap == pytest.approx(S * (math.sqrt(2) + 2) / 2)


def test_severity_against_co_reviewers(app):
    figures = example_2()
    found = {s.name: s for s in figures.severities}
    assert found["H"].severity == pytest.approx(-1)
    assert found["A"].severity == pytest.approx(0.5)
    assert found["B"].severity == pytest.approx(0.5)
    assert {s.nominations for s in found.values()} == {6}
    assert found["H"].z == pytest.approx(-2 * math.sqrt(3))
    assert found["A"].z == pytest.approx(math.sqrt(3))


def test_a_reviewer_far_beyond_chance_is_flagged(app):
    figures = example_2()
    assert figures.severity_tested == 3
    assert figures.severity_threshold == pytest.approx(NormalDist().inv_cdf(1 - 0.05 / 6))
    assert 2.39 < figures.severity_threshold < 2.40
    assert [s.name for s in figures.flagged] == ["H"]
    assert figures.severities[0].name == "H"


def test_severity_resting_on_too_few_nominations_is_not_tested(app):
    # Four nominations: H's z is -1 / (sqrt(4 * 1/2) / 4) = -2*sqrt(2), yet four is under five.
    figures = example_2(nominations=4)
    h = next(s for s in figures.severities if s.name == "H")
    assert h.z == pytest.approx(-2 * math.sqrt(2))
    assert figures.severity_tested == 0
    assert figures.flagged == []


def test_by_the_reviewers_language(app):
    groups = {g.language: g for g in example_2().by_reviewer_language}
    assert list(groups) == ["en", "fr"]
    en, fr = groups["en"], groups["fr"]
    assert (en.reviewers, en.reviews, fr.reviewers, fr.reviews) == (2, 12, 2, 12)
    assert en.raw_mean == pytest.approx(3)
    assert fr.raw_mean == pytest.approx(3.5)
    assert en.offset_mean == pytest.approx(-0.25)
    assert fr.offset_mean == pytest.approx(0.5)


def test_reviews_by_readers_and_by_others(app):
    # H and A read English (12 reviews), B does not (6). Each reviewer's z sum to 0 (every
    # one gives v and v - 1 three times each), so both means are the 18 scores' mean:
    # (15 + 21 + 21) / 18 = 19/6.
    figures = example_2()
    assert figures.reader.reviews == 12
    assert figures.non_reader.reviews == 6
    assert figures.reader.normalised_mean == pytest.approx(19 / 6)
    assert figures.non_reader.normalised_mean == pytest.approx(19 / 6)


def test_a_nominations_score_weighs_the_criteria(app):
    # One review: essential_1 (weight 1) 4, innovation (weight 1.5) 2: (4 + 1.5*2)/2.5 = 2.8.
    rows = [ScoreRow(1, R1, "essential_1", 4), ScoreRow(1, R1, "innovation", 2)]
    figures = fairness(rows, {1: "en"}, {R1: frozenset({"en"})}, programme())
    assert figures.by_nomination_language[0].raw_mean == pytest.approx(2.8)
    assert figures.language_gap is None


def test_a_clear_gap_is_beyond_noise():
    # Ten English nominations at 4.0-4.9, ten French ones at 2.0-2.9: gap 2, and no shuffle
    # of the labels gives as large a gap but the real split (p = 1/1001 with 1,000 shuffles).
    groups = {"en": [4 + i / 10 for i in range(10)], "fr": [2 + i / 10 for i in range(10)]}
    gap = gap_test(groups)
    assert (gap.high, gap.low) == ("en", "fr")
    assert gap.gap == pytest.approx(2)
    assert gap.permutations == 1000
    assert gap.p < 0.05
    assert gap.beyond_noise


def test_no_gap_is_within_noise():
    # The same ten scores in both languages: gap 0, every shuffle's is at least as large.
    groups = {"en": [2 + i / 10 for i in range(10)], "fr": [2 + i / 10 for i in range(10)]}
    gap = gap_test(groups)
    assert gap.gap == pytest.approx(0)
    assert gap.p == 1
    assert not gap.beyond_noise


def test_a_small_gap_between_overlapping_languages_is_within_noise():
    # 1..10 against 2..11: gap 1 where single scores spread over 10.
    gap = gap_test({"en": list(range(2, 12)), "fr": list(range(1, 11))})
    assert gap.gap == pytest.approx(1)
    assert not gap.beyond_noise


def test_shuffles_are_bounded_in_a_large_call():
    # A shuffle draws the 4,000 French values (the English take the rest): 1,000,000 values
    # drawn in all make 250 shuffles.
    groups = {"en": [1.0] * 6000, "fr": [2.0] * 4000}
    assert fairness_module.PERMUTATION_WORK == 1_000_000
    gap = gap_test(groups)
    assert gap.permutations == 250
    assert gap.at_least_as_large == 0


# -- from the database -------------------------------------------------------------------------


@pytest.fixture
def reviewed(db):
    """Example 1 as submitted reviews, each value given to every criterion (so every
    criterion, and their weighted mean, comes out as essential_1 alone). R3 never said which
    languages they read and uses the site in Russian: Russian counts."""
    call = factories.make_call(state="reviewing")
    reviewers = {
        R1: factories.make_reviewer(name="Reviewer One", languages=["en"]),
        R2: factories.make_reviewer(name="Reviewer Two", languages=["fr"]),
        R3: factories.make_reviewer(name="Reviewer Three", locale="ru"),
    }
    nominations = {
        n: factories.make_nomination(call=call, state="under_review", language=language)
        for n, language in ((N1, "en"), (N2, "en"), (N3, "fr"), (N4, "ar"))
    }
    values = {R1: (5, 3, 3, 1), R2: (4, 4, 2, 2), R3: (4, 2, 4, 2)}
    assignments = []
    for r, vs in values.items():
        for n, v in zip((N1, N2, N3, N4), vs, strict=True):
            assignment = factories.make_assignment(nominations[n], reviewers[r])
            add_scores(assignment, v)
            assignment.recommendation = "recommend"
            assignments.append(assignment)
    db.session.commit()
    return call, assignments


def _submit(db, assignments):
    for assignment in assignments:
        fire(assignment, "submit", assignment.reviewer)
    db.session.commit()


def test_figures_from_the_database(db, reviewed):
    call, assignments = reviewed
    _submit(db, assignments)
    figures = call_fairness(call).value
    groups = {g.language: g for g in figures.by_nomination_language}
    assert groups["en"].normalised_mean == pytest.approx(3 + S * (math.sqrt(2) + 2) / 6)
    assert groups["ar"].raw_mean == pytest.approx(5 / 3)
    assert (figures.read, figures.nominations) == (3, 4)
    readers = {g.language: g.reviewers for g in figures.by_reviewer_language}
    assert readers == {"en": 1, "fr": 1, "ru": 1}


def test_figures_are_kept_until_a_review_counts(db, reviewed):
    call, assignments = reviewed
    _submit(db, assignments[:-1])
    first = call_fairness(call)
    statements = []

    def record(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert call_fairness(call) is first
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []
    assert first.value.nominations == 4
    assert groups_read(first.value) == {"en": 2, "ar": 0, "fr": 1}
    _submit(db, assignments[-1:])
    second = call_fairness(call)
    assert second is not first
    assert sum(g.reviews for g in second.value.by_reviewer_language) == 12


def groups_read(figures) -> dict[str, int]:
    return {g.language: g.read for g in figures.by_nomination_language}


@pytest.fixture
def officer_client(db, login_as):
    officer = factories.make_secretariat()
    db.session.commit()
    return login_as(officer)


def test_the_dashboard_shows_the_section_to_the_secretariat(db, officer_client, reviewed):
    call, assignments = reviewed
    _submit(db, assignments)
    page = text(officer_client.get(f"/secretariat/calls/{call.id}/dashboard"))
    assert '<h2 class="h4" id="fairness-heading">Fairness by language</h2>' in page
    assert '<title id="fairness-chart-title">Mean normalised score by the nomination' in page
    table = re.search(r'id="fairness-nomination-languages">.*?</table>', page, re.S).group(0)
    assert "<caption>Scores by the nomination's language</caption>" in table
    english = re.search(r'<th scope="row">English</th>(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r">([^<]+)</td>", english)
    assert cells == ["2", f"{11 / 3:.2f}", f"{3 + S * (math.sqrt(2) + 2) / 6:.2f}", "100%"]
    assert "75% of the reviewed nominations (3 of 4) had at least one reviewer" in page
    assert "Reviewer One" in page
    assert 'id="fairness-gap"' in page


def test_the_dashboard_warns_of_a_gap_beyond_noise(db, officer_client):
    # Ten English nominations each scored 5 and 4, ten French ones 1 and 0, by the same two
    # reviewers: the normalised gap survives, and no shuffle of the labels matches it.
    call = factories.make_call(state="reviewing")
    one = factories.make_reviewer(name="Reviewer One", languages=["en", "fr"])
    two = factories.make_reviewer(name="Reviewer Two", languages=["en", "fr"])
    assignments = []
    for language, high in (("en", 5), ("fr", 1)):
        for _ in range(10):
            nomination = factories.make_nomination(
                call=call, state="under_review", language=language
            )
            for reviewer, value in ((one, high), (two, high - 1)):
                assignment = factories.make_assignment(nomination, reviewer)
                add_scores(assignment, value)
                assignment.recommendation = "recommend"
                assignments.append(assignment)
    db.session.commit()
    _submit(db, assignments)
    page = text(officer_client.get(f"/secretariat/calls/{call.id}/dashboard"))
    warning = re.search(r'<div class="alert alert-warning" id="fairness-gap">(.*?)</div>', page)
    assert warning, "no warning"
    assert "Nominations written in English score" in warning.group(1)
    assert "than those written in French" in warning.group(1)
    assert "in only 0 of 1,000 tries" in warning.group(1)


def test_without_reviews_the_section_says_so(db, officer_client):
    call = factories.make_call(state="reviewing")
    db.session.commit()
    page = text(officer_client.get(f"/secretariat/calls/{call.id}/dashboard"))
    assert "Fairness by language" in page
    assert "No review is submitted yet: there is nothing to compare." in page


def test_a_city_never_sees_it(db, login_as, reviewed):
    call, assignments = reviewed
    _submit(db, assignments)
    focal = factories.make_focal_point(assignments[0].nomination.city)
    db.session.commit()
    response = login_as(focal).get(f"/secretariat/calls/{call.id}/dashboard")
    assert response.status_code == 403
    assert "Fairness by language" not in text(response)


@pytest.mark.parametrize(
    ("lang", "value", "shown"),
    [
        ("en", 0.5, "+0.50"),
        ("fr", -1.234, "-1,23"),
        ("ar", -1.234, "\u200e-1.23"),
        ("en", 0.004, "0.00"),
    ],
)
def test_offsets_carry_the_locales_sign(app, lang, value, shown):
    # Arabic's minus sign carries a left-to-right mark: it stays before the digits.
    with app.test_request_context(), force_locale(lang):
        assert signed(value) == shown
