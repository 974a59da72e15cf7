"""Matching nominees with the register: names compared as keys (case, accents, punctuation,
"city hall" and its kin set aside), exact and near matches, countries, and a candidate query
that never reads the whole register."""

from __future__ import annotations

import pytest
from nominees_support import count_queries, entry, organisation

from recognition.nominees.matching import core, possible_matches, similarity
from recognition.nominees.models import name_key


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("Almaty City Hall", "almaty city hall"),
        ("Almaty city-hall", "almaty city hall"),
        ("  ALMATY   City Hall. ", "almaty city hall"),
        ("Bogotá D.C.", "bogota d c"),
        ("Société Française de Secours", "societe francaise de secours"),
        ("Çankaya/İzmir", "cankaya izmir"),
    ],
)
def test_names_are_compared_without_case_accents_and_punctuation(written, key):
    assert name_key(written) == key


@pytest.mark.parametrize(
    ("written", "left"),
    [
        ("Almaty City Hall", "almaty"),
        ("Municipality of Almaty", "almaty"),
        ("Alcaldía de Bogotá", "bogota"),
        ("The Kenya Red Cross Society", "kenya red cross society"),
        ("City Hall", "city hall"),  # nothing else left: the name as it is
    ],
)
def test_words_that_only_say_city_administration_are_set_aside(written, left):
    assert core(name_key(written)) == left


@pytest.mark.parametrize(
    ("a", "b", "alike"),
    [
        ("Almaty City Hall", "Almaty city-hall", True),
        ("Municipality of Almaty", "Almaty City Hall", True),
        ("Almaty City Hall", "Almati City Hall", True),
        ("Red Cross Society of Kenya", "Kenya Red Cross Society", True),
        ("Kenya Red Cross", "Kenya Red Crescent", False),
        ("Quito City Hall", "Lima City Hall", False),
        ("Almaty", "Almaty Emergency Department", False),
    ],
)
def test_similarity_of_names(a, b, alike):
    assert (similarity(name_key(a), name_key(b)) >= 80) is alike


def matches(nominee, threshold=80):
    return [
        (c.entry.name, c.exact)
        for c in possible_matches("sasakawa_award", "laureate", nominee, threshold)
    ]


def test_same_key_and_country_is_exact(db):
    entry("Almaty city-hall", "KZ")
    assert matches(organisation("Almaty City Hall", "KZ")) == [("Almaty city-hall", True)]


def test_same_key_without_country_on_either_side_is_exact(db):
    entry("Almaty City Hall", None)
    assert matches(organisation("Almaty City Hall", None)) == [("Almaty City Hall", True)]


def test_same_key_with_the_country_unknown_on_one_side_is_near(db):
    entry("Almaty City Hall", None)
    assert matches(organisation("Almaty City Hall", "KZ")) == [("Almaty City Hall", False)]


def test_another_country_is_no_match(db):
    entry("Almaty City Hall", "KG")
    assert matches(organisation("Almaty City Hall", "KZ")) == []


def test_alike_names_are_near_matches_most_alike_first(db):
    entry("Almati City Hall", "KZ")
    entry("Municipality of Almaty", "KZ")
    entry("Astana City Hall", "KZ")
    assert matches(organisation("Almaty City Hall", "KZ")) == [
        ("Municipality of Almaty", False),
        ("Almati City Hall", False),
    ]


def test_only_the_programme_and_level_asked_for_match(db):
    entry("Almaty City Hall", "KZ", level="distinction")
    entry("Almaty City Hall", "KZ", programme_id="role_model_city", level="recognised")
    assert matches(organisation("Almaty City Hall", "KZ")) == []


def test_without_a_threshold_only_exact_matches_count(db):
    entry("Municipality of Almaty", "KZ")
    entry("Almaty City Hall", "KZ")
    assert matches(organisation("Almaty City Hall", "KZ"), threshold=None) == [
        ("Almaty City Hall", True)
    ]


def test_an_entry_recorded_for_the_nominee_matches_whatever_its_name(db):
    nominee = organisation("Almaty Akimat", "KZ")
    entry("Almaty City Hall", "KZ", nominee_id=nominee.id)
    assert matches(nominee) == [("Almaty City Hall", True)]


def test_the_register_is_filtered_by_the_database_not_read_whole(db):
    for n in range(300):
        entry(f"Organisation number {n}", "KZ")
    entry("Almati City Hall", "KZ")
    nominee = organisation("Almaty City Hall", "KZ")
    with count_queries() as statements:
        found = possible_matches("sasakawa_award", "laureate", nominee, 80)
    assert [c.entry.name for c in found] == ["Almati City Hall"]
    assert len(statements) == 1
    assert "LIKE" in statements[0].upper()
