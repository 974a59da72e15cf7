"""The letters on the edit page of their section, and the demo's received letter."""

from __future__ import annotations

import sqlalchemy as sa
from letters_support import ask_letter, text

from recognition.letters.demo import load_demo_letter
from recognition.letters.models import Letter


def test_the_section_points_to_its_letters(world, client, login_as):
    login_as(world.focal)
    response = client.get(f"/nominations/{world.rmc.id}/edit/nominator")
    assert response.status_code == 200
    page = text(response)
    assert 'id="endorsements"' in page  # where "what is missing" links lead
    assert "#letters-endorsements" in page
    assert 'name="endorsements-email"' not in page.split("</form>")[0]  # not in the section form


def test_other_sections_show_no_letters(world, client, login_as):
    login_as(world.focal)
    assert "letters-endorsements" not in text(
        client.get(f"/nominations/{world.rmc.id}/edit/profile")
    )


def test_the_edit_page_of_the_section_shows_the_panel(world, client, login_as, db):
    ask_letter(world.rmc, "endorsements", world.focal)
    db.session.commit()
    login_as(world.focal)
    page = text(client.get(f"/nominations/{world.rmc.id}/edit/nominator"))
    assert 'id="letters-endorsements"' in page and "Rania Referee" in page


def test_the_demo_letter_waits_for_a_demo_nomination(app, db):
    assert load_demo_letter() is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_the_demo_letter_is_received_once(world, db):
    first = load_demo_letter()
    db.session.commit()
    assert first is not None and first.state == "received" and first.text
    assert load_demo_letter().id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 1
