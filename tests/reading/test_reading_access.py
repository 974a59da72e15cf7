"""Who may preview evidence and download the packet: whoever may read the whole file (its
authors, the reviewers assigned to it, the secretariat), as the download route decides, and
no one else."""

from __future__ import annotations

import factories
import pytest

from recognition.nominations.models import Attachment
from recognition.timeutil import utcnow

READERS = ["focal", "reviewer", "officer"]
OUTSIDERS = ["unassigned", "stranger"]


def preview_url(world, attachment) -> str:
    return f"/nominations/{world.nomination.id}/files/{attachment.id}/preview"


def download_url(world, attachment) -> str:
    return f"/nominations/{world.nomination.id}/files/{attachment.id}"


def packet_url(world) -> str:
    return f"/nominations/{world.nomination.id}/packet.pdf"


@pytest.mark.parametrize("who", READERS)
def test_those_who_read_the_whole_file_preview_it(client, login_as, world, who):
    login_as(getattr(world, who))
    response = client.get(preview_url(world, world.files.motivation))
    assert response.status_code == 200
    assert download_url(world, world.files.motivation) in response.get_data(as_text=True)


@pytest.mark.parametrize("who", READERS)
def test_those_who_read_the_whole_file_download_the_packet(client, login_as, world, who):
    login_as(getattr(world, who))
    response = client.get(packet_url(world))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.data.startswith(b"%PDF-")


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("url", [preview_url, packet_url], ids=["preview", "packet"])
def test_others_are_refused_as_if_nothing_were_there(client, login_as, world, who, url):
    login_as(getattr(world, who))
    target = url(world, world.files.motivation) if url is preview_url else url(world)
    response = client.get(target)
    assert response.status_code == 404
    assert b"Motivation" not in response.data


@pytest.mark.parametrize("url", [preview_url, packet_url], ids=["preview", "packet"])
def test_a_visitor_is_asked_to_sign_in(client, world, url):
    target = url(world, world.files.motivation) if url is preview_url else url(world)
    response = client.get(target)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("state", [None, "invited", "declined", "conflicted"], ids=lambda s: str(s))
def test_a_reviewer_without_an_accepted_assignment_gets_neither(db, client, login_as, world, state):
    reviewer = factories.make_reviewer(country="BR")
    if state is not None:
        factories.make_assignment(world.nomination, reviewer, state=state)
    db.session.commit()
    login_as(reviewer)
    assert client.get(preview_url(world, world.files.motivation)).status_code == 404
    assert client.get(packet_url(world)).status_code == 404


@pytest.mark.parametrize("who", [*READERS, *OUTSIDERS, None])
def test_the_preview_page_is_never_more_open_than_the_download(client, login_as, world, who):
    login_as(getattr(world, who) if who else None)
    for attachment in (world.files.motivation, world.files.image):
        preview = client.get(preview_url(world, attachment)).status_code
        with client.get(download_url(world, attachment)) as response:
            download = response.status_code
        assert (preview == 200) == (download == 200), (who, attachment.filename)


def test_a_file_is_previewed_only_under_its_own_nomination(db, client, login_as, world):
    other = factories.make_nomination(call=world.call, state="under_review")
    factories.make_assignment(other, world.reviewer, state="accepted")
    db.session.commit()
    login_as(world.reviewer)
    url = f"/nominations/{other.id}/files/{world.files.motivation.id}/preview"
    assert client.get(url).status_code == 404


def test_a_file_a_browser_cannot_show_has_no_preview(db, client, login_as, world):
    sheet = Attachment(
        nomination=world.nomination,
        field="other_evidence",
        filename="budget.xlsx",
        sha256="c" * 64,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=10,
    )
    db.session.add(sheet)
    db.session.commit()
    login_as(world.reviewer)
    assert client.get(preview_url(world, sheet)).status_code == 404


def test_the_packet_of_a_nomination_that_does_not_exist_is_not_found(client, login_as, world):
    login_as(world.officer)
    assert client.get("/nominations/999999/packet.pdf").status_code == 404


@pytest.fixture
def announced(db, world):
    """The nomination recognised and announced: everyone sees its public projection."""
    world.nomination.decided_by_id = world.officer.id
    world.nomination.decided_at = utcnow()
    world.nomination.announced_at = utcnow()
    world.nomination.state = "announced"
    world.call.state = "announced"
    db.session.commit()
    return world


@pytest.mark.parametrize("who", ["unassigned", "stranger", None])
def test_once_announced_the_public_gets_neither_the_packet_nor_a_private_file(
    client, login_as, announced, who
):
    login_as(getattr(announced, who) if who else None)
    assert client.get(f"/nominations/{announced.nomination.id}").status_code == 200
    for url in (preview_url(announced, announced.files.motivation), packet_url(announced)):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        assert b"%PDF" not in response.data


@pytest.mark.parametrize("who", READERS)
def test_once_announced_those_who_read_the_whole_file_still_do(client, login_as, announced, who):
    login_as(getattr(announced, who))
    assert client.get(preview_url(announced, announced.files.motivation)).status_code == 200
    assert client.get(packet_url(announced)).status_code == 200
