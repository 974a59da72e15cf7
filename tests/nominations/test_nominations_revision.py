"""Returned for revision, resubmitted and compared; withdrawn; and what a city never sees."""

from __future__ import annotations

import re

import factories
import pytest
import sqlalchemy as sa
from nominations_support import complete_role_model_answers, pdf_bytes, post_multipart, upload

from recognition.extensions import db as _db
from recognition.nominations.models import Nomination, NominationSnapshot
from recognition.nominations.operations import snapshot
from recognition.timeutil import utcnow


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(response) -> list[str]:
    return [
        m.strip()
        for m in re.findall(
            r'<div class="alert alert-\w+" role="\w+">(.*?)</div>', text(response), re.S
        )
    ]


def fire(client, nomination, transition, comment=None, follow=True):
    data = {"next": f"/nominations/{nomination.id}", "version": nomination.version}
    data["confirmed"] = "y"  # the box a withdrawal asks to tick
    if comment is not None:
        data["comment"] = comment
    return client.post(
        f"/workflow/nomination/{nomination.id}/{transition}", data=data, follow_redirects=follow
    )


def reload(nomination) -> Nomination:
    _db.session.expire_all()
    return _db.session.get(Nomination, nomination.id)


@pytest.fixture
def officer(db):
    return factories.make_secretariat(name="Officer Olga Named")


@pytest.fixture
def submitted(db, call, city, focal):
    """A complete nomination, submitted with a first snapshot (committed)."""
    nomination = factories.make_nomination(call=call, city=city, state="draft")
    complete_role_model_answers(nomination, focal)
    nomination.state = "submitted"
    nomination.submitted_at = nomination.created_at
    _db.session.flush()
    snapshot(nomination)
    db.session.commit()
    return nomination


@pytest.fixture
def returned(client, login_as, officer, submitted):
    """The secretariat has returned the nomination with a comment."""
    _db.session.commit()
    login_as(officer)
    fire(client, submitted, "return", "Please add the signed letter from the mayor.")
    return reload(submitted)


# -- return ----------------------------------------------------------------------------------


def test_return_needs_a_comment(client, login_as, officer, submitted):
    _db.session.commit()
    login_as(officer)
    response = fire(client, submitted, "return", "  ")
    assert "A comment is required for this action." in flashes(response)
    assert reload(submitted).state == "submitted"


def test_returned_nomination_shows_the_secretariats_comment_to_the_city(
    client, login_as, focal, returned
):
    login_as(focal)
    html = text(client.get(f"/nominations/{returned.id}"))
    assert "The secretariat asks for changes" in html
    assert "Please add the signed letter from the mayor." in html
    assert "Returned for revision" in html


def test_the_city_may_edit_a_returned_nomination(client, login_as, focal, returned):
    login_as(focal)
    client.post(
        f"/nominations/{returned.id}/edit/motivation",
        data={
            **{k: returned.answers[k] for k in ("motivation", "innovation", "sustained_results")},
            "sharing": "We now host study visits.",
            "go": "stay",
        },
    )
    assert reload(returned).answers["sharing"] == "We now host study visits."


def test_resubmission_sends_the_nomination_back_to_the_secretariat(
    client, login_as, focal, returned
):
    login_as(focal)
    response = fire(client, returned, "resubmit", "Letter added.")
    assert reload(returned).state == "submitted"
    assert "Done: Resubmit." in flashes(response)


def test_resubmission_keeps_a_second_snapshot(client, login_as, focal, returned):
    login_as(focal)
    fire(client, returned, "resubmit")
    numbers = _db.session.scalars(
        sa.select(NominationSnapshot.number)
        .where(NominationSnapshot.nomination_id == returned.id)
        .order_by(NominationSnapshot.number)
    ).all()
    assert numbers == [1, 2]


def test_resubmission_of_an_incomplete_nomination_is_refused(client, login_as, focal, returned):
    returned.answers = {**returned.answers, "population": ""}
    _db.session.commit()
    login_as(focal)
    response = fire(client, returned, "resubmit")
    assert "The nomination is not complete: 1 answer is missing or invalid." in flashes(response)
    assert reload(returned).state == "returned"


# -- what changed ----------------------------------------------------------------------------


@pytest.fixture
def revised(client, login_as, focal, officer, returned):
    """The city changed an answer, replaced a letter, and resubmitted; the officer looks."""
    login_as(focal)
    client.post(
        f"/nominations/{returned.id}/edit/profile",
        data={
            "population": "260000",
            "hazards": ["flood", "heat"],
            "area_km2": "120",
            "joined_campaign": "2021-03-15",
            "go": "stay",
        },
    )
    old = next(a for a in returned.attachments if a.field == "recommendation_letter")
    post_multipart(
        client,
        f"/nominations/{returned.id}/edit/nominator",
        {
            "nominator_type": "self",
            "delete_attachment": str(old.id),
            "recommendation_letter": upload(pdf_bytes("new"), "New recommendation.pdf"),
        },
    )
    fire(client, reload(returned), "resubmit")
    login_as(officer)
    return reload(returned)


def test_secretariat_sees_the_changed_answers(client, revised):
    html = text(client.get(f"/nominations/{revised.id}/changes"))
    assert "What changed between submission 1 and 2" in html
    assert re.search(r"Population</th>\s*<td[^>]*>250,000</td>\s*<td[^>]*>260,000</td>", html)


def test_unchanged_answers_are_not_listed(client, revised):
    assert "Why is your city a role model?" not in text(
        client.get(f"/nominations/{revised.id}/changes")
    )


def test_secretariat_sees_the_files_added_and_removed(client, revised):
    html = text(client.get(f"/nominations/{revised.id}/changes"))
    assert "Added: New recommendation.pdf" in html
    assert "Removed: recommendation_letter.pdf" in html


def test_nomination_page_links_to_the_changes(client, revised):
    assert f'href="/nominations/{revised.id}/changes"' in text(
        client.get(f"/nominations/{revised.id}")
    )


def test_changes_page_with_one_submission_explains_there_is_nothing_to_compare(
    client, login_as, officer, submitted
):
    _db.session.commit()
    login_as(officer)
    response = client.get(f"/nominations/{submitted.id}/changes", follow_redirects=True)
    assert response.request.path == f"/nominations/{submitted.id}"
    assert "There is only one submission so far: nothing to compare." in flashes(response)


def test_changes_of_another_citys_nomination_are_404(client, login_as, revised):
    stranger = factories.make_focal_point()
    _db.session.commit()
    login_as(stranger)
    assert client.get(f"/nominations/{revised.id}/changes").status_code == 404


# -- withdraw --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "returned", "under_review", "shortlisted"])
def test_the_city_may_withdraw_until_a_decision(client, login_as, call, city, focal, state):
    nomination = factories.make_nomination(call=call, city=city, state=state)
    _db.session.commit()
    login_as(focal)
    fire(client, nomination, "withdraw", "The mayor changed.")
    assert reload(nomination).state == "withdrawn"


@pytest.mark.parametrize("state", ["recognised", "not_recognised", "announced", "ineligible"])
def test_a_decided_nomination_cannot_be_withdrawn(client, login_as, call, city, focal, state):
    nomination = factories.make_nomination(call=call, city=city, state=state)
    _db.session.commit()
    login_as(focal)
    response = fire(client, nomination, "withdraw")
    assert reload(nomination).state == state
    assert any(
        m.startswith("This action is not possible while the item is") for m in flashes(response)
    )


def test_withdrawal_reason_is_kept_in_the_history(client, login_as, focal, submitted):
    login_as(focal)
    html = text(fire(client, submitted, "withdraw", "We will apply next cycle."))
    assert "We will apply next cycle." in html
    assert "Withdrawn" in html


def test_withdrawal_needs_no_reason(client, login_as, focal, submitted):
    login_as(focal)
    fire(client, submitted, "withdraw")
    assert reload(submitted).state == "withdrawn"


def test_withdrawing_asks_first_on_a_page_of_its_own(client, login_as, focal, submitted):
    login_as(focal)
    address = f"/workflow/nomination/{submitted.id}/withdraw"
    html = text(client.get(f"/nominations/{submitted.id}"))
    assert f'href="{address}"' in html
    assert f'action="{address}"' not in html  # no one-click withdrawal on the page

    page = text(client.get(address))
    form = re.search(r'<form method="post" action="' + address + '">.*?</form>', page, re.S)
    assert "Withdraw this nomination? This cannot be undone." in page
    assert 'name="comment"' in form.group(0)
    assert f'href="/nominations/{submitted.id}">' in page  # Cancel goes back
    assert reload(submitted).state == "submitted"


def test_the_withdrawal_page_is_the_city_s_only(client, login_as, officer, submitted):
    _db.session.commit()
    login_as(officer)
    assert client.get(f"/workflow/nomination/{submitted.id}/withdraw").status_code == 403


def test_secretariat_cannot_withdraw_for_the_city(client, login_as, officer, submitted):
    _db.session.commit()
    login_as(officer)
    fire(client, submitted, "withdraw")
    assert reload(submitted).state == "submitted"


# -- the city never sees who reviewed or decided ----------------------------------------------


@pytest.fixture
def decided(db, call, city, officer):
    """An announced recognition with two reviews, one comment for the city and one not."""
    call.state = "announced"
    nomination = factories.make_nomination(
        call=call, city=city, state="announced", decided_by_id=officer.id, decided_at=utcnow()
    )
    reviewer = factories.make_reviewer(name="Reviewer Rosa Secret")
    factories.make_assignment(
        nomination,
        reviewer,
        state="submitted",
        comment_for_city="Impressive early warning drills.",
        comment_confidential="Between us: budget figures look thin.",
    )
    factories.make_assignment(
        nomination, factories.make_reviewer(name="Reviewer Ravi Hidden"), state="submitted"
    )
    db.session.commit()
    return nomination


def test_city_reads_the_reviewers_comments_for_it(client, login_as, focal, decided):
    login_as(focal)
    assert "Impressive early warning drills." in text(client.get(f"/nominations/{decided.id}"))


@pytest.mark.parametrize(
    "secret",
    ["Reviewer Rosa Secret", "Reviewer Ravi Hidden", "Between us: budget figures look thin."],
)
def test_city_never_sees_reviewers_or_confidential_comments(
    client, login_as, focal, decided, secret
):
    login_as(focal)
    assert secret not in text(client.get(f"/nominations/{decided.id}"))


def test_secretariat_does_see_the_reviewers(client, login_as, officer, decided):
    """The control for the test above: the names are on the page for the secretariat."""
    login_as(officer)
    assert "Reviewer Rosa Secret" in text(client.get(f"/nominations/{decided.id}"))


def test_city_sees_the_secretariat_not_the_officer_in_the_history(
    client, login_as, focal, returned
):
    login_as(focal)
    html = text(client.get(f"/nominations/{returned.id}"))
    assert "Officer Olga Named" not in html
    assert re.search(r"<strong>Return for revision</strong>[^<]*— Secretariat", html)
