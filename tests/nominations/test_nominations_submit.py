"""Submitting: refused while answers are missing or invalid, refused after the deadline, and
otherwise locked, kept as a snapshot, and shown as Submitted with its history."""

from __future__ import annotations

import re
from datetime import timedelta

import factories
import pytest
import sqlalchemy as sa
from nominations_support import pdf_bytes, post_multipart, upload

from recognition.extensions import db as _db
from recognition.nominations.models import Attachment, Nomination, NominationSnapshot
from recognition.nominations.validation import problems
from recognition.timeutil import utcnow
from recognition.workflow.history import WorkflowEvent


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(response) -> list[str]:
    return [
        m.strip()
        for m in re.findall(
            r'<div class="alert alert-\w+" role="\w+">(.*?)</div>', text(response), re.S
        )
    ]


def submit(client, nomination, follow=True):
    return client.post(
        f"/workflow/nomination/{nomination.id}/submit",
        data={"next": f"/nominations/{nomination.id}", "version": nomination.version},
        follow_redirects=follow,
    )


def reload(nomination) -> Nomination:
    _db.session.expire_all()
    return _db.session.get(Nomination, nomination.id)


def snapshots(nomination) -> list[NominationSnapshot]:
    return list(
        _db.session.scalars(
            sa.select(NominationSnapshot).where(NominationSnapshot.nomination_id == nomination.id)
        )
    )


@pytest.fixture
def owner(db, client, login_as, focal):
    db.session.commit()
    login_as(focal)
    return client


def test_complete_answers_leave_no_problem(complete_draft):
    assert problems(complete_draft) == []


def test_complete_draft_page_says_it_can_be_submitted(owner, complete_draft):
    html = text(owner.get(f"/nominations/{complete_draft.id}"))
    assert "Every required answer is filled in. You can submit the nomination." in html


# -- refused ---------------------------------------------------------------------------------


def test_incomplete_nomination_is_not_submitted(draft, owner):
    response = submit(owner, draft)
    assert reload(draft).state == "draft"
    assert "The nomination is not complete: 29 answers are missing or invalid." in flashes(response)


def test_nomination_page_lists_what_is_missing_with_links(owner, complete_draft):
    complete_draft.answers = {**complete_draft.answers, "population": "", "sharing": "x " * 301}
    _db.session.commit()
    html = text(owner.get(f"/nominations/{complete_draft.id}"))
    assert "2 answers are missing or invalid before you can submit:" in html
    assert (
        f'<a href="/nominations/{complete_draft.id}/edit/profile#population">'
        "City profile — Population</a>: This field is required." in html
    )
    assert (
        f'<a href="/nominations/{complete_draft.id}/edit/motivation#sharing">'
        "Motivation — Willingness to share</a>: Use at most 300 words; this text has 301." in html
    )


def test_a_missing_file_is_listed(owner, complete_draft):
    _db.session.execute(sa.delete(Attachment).where(Attachment.field == "recommendation_letter"))
    _db.session.commit()
    html = text(owner.get(f"/nominations/{complete_draft.id}"))
    assert "Nominator and letters — Recommendation letter</a>: Attach a file." in html


def test_one_invalid_answer_blocks_submission(owner, complete_draft):
    complete_draft.answers = {**complete_draft.answers, "essentials__7__score": "9"}
    _db.session.commit()
    response = submit(owner, complete_draft)
    assert reload(complete_draft).state == "draft"
    assert "The nomination is not complete: 1 answer is missing or invalid." in flashes(response)


def test_submission_after_the_deadline_is_refused_naming_it(owner, complete_draft):
    complete_draft.call.closes_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    closes = complete_draft.call.closes_at
    response = submit(owner, complete_draft)
    assert reload(complete_draft).state == "draft"
    [message] = [m for m in flashes(response) if m.startswith("The call closed on")]
    assert f"{closes:%B} {closes.day}, {closes.year}" in message
    assert message.endswith("Nominations can no longer be submitted.")


def test_submission_after_the_deadline_keeps_the_answers(owner, complete_draft):
    answers = dict(complete_draft.answers)
    complete_draft.call.closes_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    submit(owner, complete_draft)
    assert reload(complete_draft).answers == answers
    assert snapshots(complete_draft) == []


def test_only_the_city_submits(db, client, login_as, complete_draft):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    submit(client, complete_draft)
    assert reload(complete_draft).state == "draft"


def test_another_city_cannot_submit_by_guessing_the_id(db, client, login_as, complete_draft):
    stranger = factories.make_focal_point()
    db.session.commit()
    login_as(stranger)
    assert submit(client, complete_draft, follow=False).status_code == 404
    assert reload(complete_draft).state == "draft"


# -- accepted --------------------------------------------------------------------------------


def test_submission_moves_the_nomination_to_submitted(owner, complete_draft):
    response = submit(owner, complete_draft)
    nomination = reload(complete_draft)
    assert nomination.state == "submitted"
    assert nomination.submitted_at is not None
    assert "Done: Submit." in flashes(response)


def test_submitted_nomination_shows_its_state_and_history(owner, complete_draft):
    html = text(submit(owner, complete_draft))
    assert '<span class="badge text-bg-info fs-6 align-middle">Submitted</span>' in html
    assert re.search(r"<strong>Submit</strong>[^<]*— Focal Point", html)


def test_submission_keeps_a_snapshot_of_answers_and_files(owner, complete_draft):
    answers = dict(complete_draft.answers)
    files = sorted(a.filename for a in complete_draft.attachments)
    submit(owner, complete_draft)
    [snapshot] = snapshots(complete_draft)
    assert (snapshot.number, snapshot.answers) == (1, answers)
    assert sorted(f["filename"] for f in snapshot.files) == files


def test_submission_is_recorded_once_in_the_history(owner, complete_draft):
    submit(owner, complete_draft)
    events = _db.session.scalars(
        sa.select(WorkflowEvent).where(WorkflowEvent.object_id == complete_draft.id)
    ).all()
    assert [(e.transition, e.from_state, e.to_state) for e in events] == [
        ("submit", "draft", "submitted")
    ]


def test_a_second_submission_changes_nothing(owner, complete_draft):
    submit(owner, complete_draft)
    response = submit(owner, reload(complete_draft))
    assert "This action is not possible while the item is “Submitted”." in flashes(response)
    assert len(snapshots(complete_draft)) == 1


# -- locked after submission -----------------------------------------------------------------


@pytest.fixture
def submitted(owner, complete_draft):
    submit(owner, complete_draft)
    return reload(complete_draft)


def test_edit_page_of_a_submitted_nomination_redirects_with_a_message(owner, submitted):
    response = owner.get(f"/nominations/{submitted.id}/edit/profile", follow_redirects=True)
    assert response.request.path == f"/nominations/{submitted.id}"
    assert "This nomination can no longer be changed (it is “Submitted”)." in flashes(response)


@pytest.mark.parametrize(
    ("section", "name"),
    [
        ("profile", "population"),
        ("motivation", "motivation"),
        ("self_assessment", "essentials__1__narrative"),
    ],
)
def test_posting_answers_after_submission_changes_nothing(owner, submitted, section, name):
    before = dict(submitted.answers)
    owner.post(f"/nominations/{submitted.id}/edit/{section}", data={name: "changed", "go": "stay"})
    assert reload(submitted).answers == before


def test_files_cannot_be_added_after_submission(owner, submitted):
    before = len(submitted.attachments)
    post_multipart(
        owner,
        f"/nominations/{submitted.id}/edit/nominator",
        {"other_evidence": upload(pdf_bytes("late"), "late.pdf")},
    )
    assert len(reload(submitted).attachments) == before


def test_files_cannot_be_removed_after_submission(owner, submitted):
    attachment = submitted.attachments[0]
    owner.post(
        f"/nominations/{submitted.id}/edit/nominator", data={"delete_attachment": attachment.id}
    )
    assert attachment.id in [a.id for a in reload(submitted).attachments]


def test_submitted_nomination_page_has_no_edit_links(owner, submitted):
    html = text(owner.get(f"/nominations/{submitted.id}"))
    assert f"/nominations/{submitted.id}/edit/" not in html


def test_submission_to_a_call_closed_early_is_refused(owner, complete_draft):
    complete_draft.call.state = "closed"
    _db.session.commit()
    response = submit(owner, complete_draft)
    assert reload(complete_draft).state == "draft"
    assert "This call is not open for nominations." in flashes(response)


def test_someone_not_allowed_to_submit_is_told_so_first(db, client, login_as, draft):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    assert "You are not allowed to do this." in flashes(submit(client, draft))


def test_a_submitted_nomination_after_the_deadline_is_told_its_state(owner, submitted):
    submitted.call.closes_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    response = submit(owner, submitted)
    assert "This action is not possible while the item is “Submitted”." in flashes(response)
