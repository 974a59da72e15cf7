"""Editing a draft section by section: drafts keep everything typed, errors are shown, the
completeness bar follows, and the nomination page shows the answers read-only."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from nominations_support import complete_role_model_answers

from recognition.extensions import db as _db
from recognition.nominations import views
from recognition.nominations.models import Nomination
from recognition.nominations.validation import completeness
from recognition.programmes.formbuilder import character_limit


def text(response) -> str:
    return response.get_data(as_text=True)


def field_errors(response) -> list[str]:
    return re.findall(r'class="invalid-feedback d-block">([^<]*)<', text(response))


def save(client, nomination, section, go="stay", **answers):
    return client.post(f"/nominations/{nomination.id}/edit/{section}", data={**answers, "go": go})


@pytest.fixture
def editor(db, client, login_as, draft, focal):
    """The focal point, signed in, with the draft committed."""
    db.session.commit()
    login_as(focal)
    return client


def test_section_page_shows_the_sections_fields(editor, draft):
    html = text(editor.get(f"/nominations/{draft.id}/edit/profile"))
    assert 'name="population" type="number"' in html
    assert 'name="joined_campaign" type="date"' in html
    assert 'name="hazards" type="checkbox" value="flood"' in html


def test_essentials_grid_has_a_score_and_narrative_per_essential(editor, draft):
    html = text(editor.get(f"/nominations/{draft.id}/edit/self_assessment"))
    assert html.count('type="radio"') == 50
    assert html.count("<textarea") == 10
    assert 'name="essentials__10__narrative"' in html


def test_nominator_section_has_file_inputs(editor, draft):
    html = text(editor.get(f"/nominations/{draft.id}/edit/nominator"))
    assert re.search(r'<input[^>]*multiple[^>]*name="motivation_letter"[^>]*type="file"', html)


def test_saving_a_section_stores_the_answers(editor, draft):
    response = save(editor, draft, "profile", population="250000", hazards=["flood", "heat"])
    assert response.headers["Location"] == f"/nominations/{draft.id}/edit/profile"
    db_answers = _db.session.get(Nomination, draft.id).answers
    assert (db_answers["population"], db_answers["hazards"]) == ("250000", ["flood", "heat"])


def test_save_and_continue_opens_the_next_section(editor, draft):
    response = save(editor, draft, "profile", go="next", population="250000")
    assert response.headers["Location"] == f"/nominations/{draft.id}/edit/motivation"


def test_save_and_continue_on_the_last_section_opens_the_nomination(editor, draft):
    response = save(editor, draft, "nominator", go="next", nominator_type="self")
    assert response.headers["Location"] == f"/nominations/{draft.id}"


def test_saved_answers_are_shown_again_in_the_form(editor, draft):
    save(editor, draft, "profile", population="250000")
    html = text(editor.get(f"/nominations/{draft.id}/edit/profile"))
    assert 'name="population" type="number" value="250000"' in html


def test_saving_one_section_keeps_the_other_sections(editor, draft):
    save(editor, draft, "profile", population="250000")
    save(editor, draft, "motivation", motivation="We act early.")
    assert _db.session.get(Nomination, draft.id).answers["population"] == "250000"


BAD_INPUT = [
    # (section, input, value, error shown next to the field)
    ("profile", "population", "0", "Number must be between 1 and 100000000."),
    ("profile", "population", "100000001", "Number must be between 1 and 100000000."),
    ("profile", "population", "many", "Not a valid integer value."),
    ("profile", "joined_campaign", "2021-02-30", "Not a valid date value."),
    ("motivation", "sharing", "word " * 301, "Use at most 300 words; this text has 301."),
    ("nominator", "nominator_type", "the mayor", "Not a valid choice."),
    (
        "nominator",
        "nominator_name",
        "x" * 201,
        "At most 200 characters: what goes beyond is not kept when you save.",
    ),
    ("self_assessment", "essentials__3__score", "6", "Not a valid choice."),
]


@pytest.mark.parametrize(
    ("section", "name", "value", "error"), BAD_INPUT, ids=[f"{b[1]}-{b[2][:10]}" for b in BAD_INPUT]
)
def test_draft_keeps_an_invalid_answer_and_shows_the_error(
    editor, draft, section, name, value, error
):
    response = save(editor, draft, section, **{name: value})
    assert response.status_code == 200
    assert field_errors(response) == [error]
    assert "Saved as a draft. Some answers need attention" in text(response)
    # Kept as typed, up to the answer's limit (the message beside the field says so).
    limit = character_limit(draft.programme.inputs[name])
    assert _db.session.get(Nomination, draft.id).answers[name] == value[:limit]


def test_invalid_answer_does_not_lose_the_valid_ones_sent_with_it(editor, draft):
    save(editor, draft, "profile", population="many", area_km2="120", hazards=["drought"])
    answers = _db.session.get(Nomination, draft.id).answers
    assert (answers["area_km2"], answers["hazards"]) == ("120", ["drought"])


def test_invalid_answer_is_shown_again_as_typed(editor, draft):
    save(editor, draft, "profile", population="many")
    html = text(editor.get(f"/nominations/{draft.id}/edit/profile"))
    assert 'value="many"' in html
    assert field_errors(editor.get(f"/nominations/{draft.id}/edit/profile")) == [
        "Not a valid integer value."
    ]


def test_unknown_section_is_404(editor, draft):
    assert editor.get(f"/nominations/{draft.id}/edit/nowhere").status_code == 404


# -- completeness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "required"),
    [("profile", 2), ("motivation", 4), ("self_assessment", 20), ("nominator", 3)],
)
def test_empty_draft_has_nothing_done_per_section(app, draft, section, required):
    assert completeness(draft)[section] == (0, required)


@pytest.mark.parametrize(
    ("section", "required"),
    [("profile", 2), ("motivation", 4), ("self_assessment", 20), ("nominator", 3)],
)
def test_complete_answers_fill_every_section(app, draft, focal, section, required):
    complete_role_model_answers(draft, focal)
    assert completeness(draft)[section] == (required, required)


def test_an_invalid_answer_does_not_count_as_done(app, draft):
    draft.answers = {"population": "0", "hazards": ["flood"]}
    assert completeness(draft)["profile"] == (1, 2)


def test_section_page_shows_the_completeness_bar(editor, draft):
    save(editor, draft, "profile", population="250000")
    html = text(editor.get(f"/nominations/{draft.id}/edit/motivation"))
    assert re.search(
        r'<progress [^>]*value="1" max="2" aria-label="City profile: 1 of 2 required answers"',
        html,
    )
    assert "style=" not in html  # the Content-Security-Policy allows no style attribute


# -- the nomination page ---------------------------------------------------------------------


def test_nomination_page_shows_the_answers_read_only(editor, draft):
    save(editor, draft, "profile", population="250000", hazards=["flood", "heat"])
    html = text(editor.get(f"/nominations/{draft.id}"))
    assert "Floods, Extreme heat" in html
    assert '<div class="answer answer-number">250,000</div>' in html
    assert 'name="population"' not in html


def test_nomination_page_marks_answers_with_the_nominations_language(
    db, client, login_as, call, city, focal
):
    nomination = factories.make_nomination(
        call=call, city=city, language="ar", answers={"motivation": "مدينتنا"}
    )
    db.session.commit()
    login_as(focal)
    assert '<div class="answer" lang="ar" dir="auto">مدينتنا</div>' in text(
        client.get(f"/nominations/{nomination.id}")
    )


HOSTILE = "<script>alert('x')</script> \u202eevil\u202c"


def test_script_and_direction_overrides_are_kept_intact(editor, draft):
    save(editor, draft, "motivation", motivation=HOSTILE)
    assert _db.session.get(Nomination, draft.id).answers["motivation"] == HOSTILE


def test_script_is_shown_escaped_on_the_nomination_page(editor, draft):
    save(editor, draft, "motivation", motivation=HOSTILE)
    html = text(editor.get(f"/nominations/{draft.id}"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; \u202eevil\u202c" in html


def test_script_is_shown_escaped_in_the_form(editor, draft):
    save(editor, draft, "nominator", nominator_name=HOSTILE)
    html = text(editor.get(f"/nominations/{draft.id}/edit/nominator"))
    assert "<script>alert" not in html
    assert 'value="&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; \u202eevil\u202c"' in html


def test_country_answers_are_named_in_the_readers_language(db, client, login_as, city):
    call = factories.make_call(programme_id="sasakawa_award")
    nomination = factories.make_nomination(call=call, city=city, answers={"work_country": "DE"})
    reader = factories.make_focal_point(city=city, locale="fr")
    db.session.commit()
    login_as(reader)
    assert '<div class="answer" lang="en" dir="auto">Allemagne</div>' in text(
        client.get(f"/nominations/{nomination.id}")
    )


def test_country_field_lists_countries_in_the_users_language(db, client, login_as, city):
    call = factories.make_call(programme_id="sasakawa_award")
    nomination = factories.make_nomination(call=call, city=city)
    user = factories.make_focal_point(city=city, locale="es")
    db.session.commit()
    login_as(user)
    html = text(client.get(f"/nominations/{nomination.id}/edit/nominee"))
    assert '<option value="DE">Alemania</option>' in html


# -- who may edit ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/nominations/{id}", "/nominations/{id}/edit/profile"])
def test_another_citys_nomination_is_404(db, client, login_as, draft, url):
    stranger = factories.make_focal_point()
    db.session.commit()
    login_as(stranger)
    assert client.get(url.format(id=draft.id)).status_code == 404


def test_another_city_cannot_post_answers(db, client, login_as, draft):
    stranger = factories.make_focal_point()
    db.session.commit()
    login_as(stranger)
    assert save(client, draft, "profile", population="666").status_code == 404
    assert _db.session.get(Nomination, draft.id).answers == {}


def test_guessing_an_id_that_does_not_exist_is_404(editor):
    assert editor.get("/nominations/424242").status_code == 404


def test_secretariat_reads_a_draft_but_cannot_edit_it(db, client, login_as, draft):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    assert client.get(f"/nominations/{draft.id}").status_code == 200
    save(client, draft, "profile", population="1")
    assert _db.session.get(Nomination, draft.id).answers == {}


def test_visitors_are_asked_to_sign_in(db, client, draft):
    db.session.commit()
    response = client.get(f"/nominations/{draft.id}/edit/profile")
    assert response.headers["Location"].startswith("/login")


# -- nothing typed is lost -------------------------------------------------------------------


def test_expired_form_shows_the_answers_again_without_saving(app, editor, draft, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = save(editor, draft, "motivation", motivation="A long answer written for an hour.")
    assert response.status_code == 400
    html = text(response)
    assert "The form has expired. Your answers below were not saved yet" in html
    assert "A long answer written for an hour.</textarea>" in html
    assert _db.session.get(Nomination, draft.id).answers == {}


def test_form_with_a_valid_token_saves(app, editor, draft, monkeypatch):
    """The control for the test above: CSRF on, a real token from the page, saved."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = text(editor.get(f"/nominations/{draft.id}/edit/motivation"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = save(editor, draft, "motivation", motivation="Saved.", csrf_token=token)
    assert response.status_code == 302
    assert _db.session.get(Nomination, draft.id).answers["motivation"] == "Saved."


def test_save_meeting_a_concurrent_save_keeps_what_was_typed(editor, draft, monkeypatch):
    """Another request commits between this one's read and write: optimistic locking refuses
    the write; the page comes back with the typed answers and a message, not a 500."""
    real_save = views.save_answers

    def save_after_someone_else(nomination, answers):
        with _db.engine.begin() as other:
            other.execute(
                sa.update(Nomination)
                .where(Nomination.id == nomination.id)
                .values(version=Nomination.version + 1, answers={"population": "7"})
            )
        real_save(nomination, answers)

    monkeypatch.setattr(views, "save_answers", save_after_someone_else)
    response = save(editor, draft, "motivation", motivation="Typed while someone else saved.")
    assert response.status_code == 409
    assert "Typed while someone else saved.</textarea>" in text(response)
    assert "Someone else saved this nomination at the same moment." in text(response)
    assert _db.session.get(Nomination, draft.id).answers == {"population": "7"}


def test_section_page_shows_help_texts(editor, draft):
    html = text(editor.get(f"/nominations/{draft.id}/edit/profile"))
    assert re.search(
        r'<div id="population-help" class="form-text">Residents within the city(\'|&#39;)s ', html
    )
    assert 'aria-describedby="population-help"' in html


def test_section_page_announces_word_limits(editor, draft):
    html = text(editor.get(f"/nominations/{draft.id}/edit/motivation"))
    assert re.search(r'data-max-words="800"[^>]*name="motivation"', html)


def test_file_sizes_are_shown_in_whole_kilobytes_rounded_up(editor, draft, focal):
    complete_role_model_answers(draft, focal)
    _db.session.commit()
    assert "(1 KB)" in text(editor.get(f"/nominations/{draft.id}/edit/nominator"))


def test_numbers_and_dates_are_shown_in_the_readers_locale(db, client, login_as, call, city):
    nomination = factories.make_nomination(
        call=call, city=city, answers={"population": "250000", "joined_campaign": "2021-03-15"}
    )
    reader = factories.make_focal_point(city=city, locale="fr")
    db.session.commit()
    login_as(reader)
    html = text(client.get(f"/nominations/{nomination.id}"))
    assert '<div class="answer answer-number">250\u202f000</div>' in html
    assert '<div class="answer" lang="en" dir="auto">15 mars 2021</div>' in html


@pytest.mark.parametrize("typed", ["many", "1e999999", "NaN", "2021-02-30"])
def test_answers_that_do_not_parse_are_shown_as_typed(db, client, login_as, call, city, typed):
    nomination = factories.make_nomination(
        call=call, city=city, answers={"population": typed, "joined_campaign": typed}
    )
    reader = factories.make_focal_point(city=city)
    db.session.commit()
    login_as(reader)
    html = text(client.get(f"/nominations/{nomination.id}"))
    assert f'<div class="answer answer-number">{typed}</div>' in html
    assert f'<div class="answer" lang="en" dir="auto">{typed}</div>' in html


def test_a_nul_character_in_an_answer_is_no_crash_and_loses_nothing(editor, draft):
    save(editor, draft, "profile", population="250000")
    response = save(editor, draft, "motivation", motivation="Nul\x00here")
    assert response.status_code < 500
    answers = _db.session.get(Nomination, draft.id).answers
    assert answers["population"] == "250000"
    assert "\x00" not in answers.get("motivation", "")
