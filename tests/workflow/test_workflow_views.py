"""The state menu's endpoint and the secretariat's workflow pages."""

from __future__ import annotations

import re
from html import unescape

import factories
import pytest
from workflow_support import DEFINITIONS, history, make_assignment, make_nomination

from recognition.extensions import db
from recognition.workflow.engine import fire


def _url(obj, transition, workflow="nomination"):
    return f"/workflow/{workflow}/{obj.id}/{transition}"


def _flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def submitted(app):
    """A submitted nomination, committed so that requests see it."""
    nomination = make_nomination("submitted")
    db.session.commit()
    return nomination


def test_an_allowed_user_fires_and_is_sent_back(client, login_as, submitted):
    officer = factories.make_secretariat()
    db.session.commit()
    login_as(officer)
    response = client.post(
        _url(submitted, "accept"),
        data={"version": submitted.version, "comment": "Complete.", "next": "/workflow/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/workflow/"
    assert _flashes(client) == [("success", "Done: Accept for review.")]
    assert submitted.state == "under_review"
    [event] = history(submitted)
    assert (event.transition, event.actor_id, event.comment) == ("accept", officer.id, "Complete.")


def test_the_flash_message_is_shown_on_the_next_page(client, login_as, submitted):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.post(
        _url(submitted, "accept"), data={"next": "/workflow/"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Done: Accept for review." in response.get_data(as_text=True)


def test_a_disallowed_user_is_refused_with_a_message(client, login_as, submitted):
    owner = factories.make_focal_point(city=submitted.city)
    db.session.commit()
    login_as(owner)
    response = client.post(_url(submitted, "accept"), data={"version": submitted.version})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _flashes(client) == [("danger", "You are not allowed to do this.")]
    assert submitted.state == "submitted"
    assert history(submitted) == []


def test_a_missing_required_comment_is_refused_with_a_message(client, login_as, submitted):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.post(_url(submitted, "return"), data={"comment": "  "})
    assert response.status_code == 302
    assert _flashes(client) == [("danger", "A comment is required for this action.")]
    assert submitted.state == "submitted"


def test_an_unknown_transition_is_refused_with_a_message(client, login_as, submitted):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.post(_url(submitted, "approve"))
    assert response.status_code == 302
    assert _flashes(client) == [("danger", "There is no such action.")]


@pytest.mark.parametrize("who", ["other_city", "reviewer", "visitor"])
def test_an_object_the_user_cannot_view_is_not_found(client, login_as, submitted, who):
    users = {
        "other_city": lambda: factories.make_focal_point(),
        "reviewer": lambda: factories.make_reviewer(),
        "visitor": lambda: None,
    }
    user = users[who]()
    db.session.commit()
    login_as(user)
    response = client.post(_url(submitted, "withdraw"), data={"comment": "Mine now."})
    assert response.status_code == 404
    assert submitted.state == "submitted"
    assert history(submitted) == []


def test_unknown_objects_and_workflows_are_not_found(client, login_as, submitted):
    login_as(factories.make_secretariat())
    db.session.commit()
    assert client.post(f"/workflow/nomination/{submitted.id + 1000}/accept").status_code == 404
    assert client.post(f"/workflow/site/{submitted.id}/accept").status_code == 404
    assert client.post(f"/workflow/nothing/{submitted.id}/accept").status_code == 404


def test_a_stale_version_says_someone_else_changed_it(client, login_as, submitted):
    officer, colleague = factories.make_secretariat(), factories.make_secretariat()
    seen = submitted.version
    fire(submitted, "return", colleague, "Add the letter.")  # meanwhile, a colleague acts
    db.session.commit()
    login_as(officer)
    page = f"/nominations/{submitted.id}"
    response = client.post(
        _url(submitted, "declare_ineligible"),
        data={"version": seen, "comment": "Out of scope.", "next": page},
    )
    # 409 (not a redirect that would hide it), with a link back to the page, reloaded.
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "This item was changed by someone else. Reload the page and try again." in body
    assert f'href="{page}"' in body
    assert submitted.state == "returned"
    assert [e.transition for e in history(submitted)] == ["return"]


def test_next_must_stay_on_the_site(client, login_as, submitted):
    login_as(factories.make_secretariat())
    db.session.commit()
    for target in ("https://evil.example/", "//evil.example/x"):
        response = client.post(_url(submitted, "shortlist"), data={"next": target})
        assert response.headers["Location"] == "/"


def test_a_reviewer_accepts_an_invitation_from_the_state_menu(client, login_as, app):
    assignment = make_assignment("invited")
    db.session.commit()
    login_as(assignment.reviewer)
    response = client.post(
        _url(assignment, "accept", workflow="review"), data={"version": assignment.version}
    )
    assert response.status_code == 302
    assert _flashes(client) == [("success", "Done: Accept.")]
    assert assignment.state == "accepted"


# -- the secretariat's pages -----------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_the_workflow_index_lists_every_workflow(client, login_as, app):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.get("/workflow/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for workflow_id in ("nomination", "review", "call", "city", "site"):
        assert f'href="/workflow/{workflow_id}"' in html
    assert "Review assignment" in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_a_workflow_page_shows_the_diagram_table_and_transitions(client, login_as, app):
    login_as(factories.make_secretariat())
    db.session.commit()
    response = client.get("/workflow/nomination")
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    diagram = re.search(r'<pre class="mermaid"[^>]*>(.*?)</pre>', html, re.DOTALL)
    assert diagram is not None
    assert "stateDiagram-v2" in diagram.group(1)
    assert "state &#34;Returned for revision&#34; as returned" in diagram.group(1)
    assert "submitted --&gt; under_review: Accept for review" in diagram.group(1)

    definition = DEFINITIONS["nomination"]
    for title in definition.permissions.values():
        assert f'<th scope="col">{title}</th>' in html
    announced_row = re.search(r'<th scope="row">Recognised and announced.*?</tr>', html, re.DOTALL)
    assert announced_row is not None and "Anyone" in announced_row.group(0)
    draft_row = re.search(r'<th scope="row">Draft.*?</tr>', html, re.DOTALL).group(0)
    assert "Authors (the nominated city&#39;s focal points and the nominator)" in draft_row
    assert "Assigned reviewer" not in draft_row

    transitions = re.search(r'<ul class="list-group transitions">(.*?)</ul>', html, re.DOTALL)
    text = unescape(" ".join(re.sub(r"<[^>]+>", " ", transitions.group(1)).split()))
    assert (
        "Return for revision : Submitted, Under review → Returned for revision. "
        "Who: Secretariat. A comment is required."
    ) in text
    assert (
        "Submit : Draft → Submitted. Who: Authors (the nominated city's focal points and the "
        "nominator). "
        "Only when: the nominating city or partner is verified by the secretariat; the "
        "nominated city accepted the nomination (when it must); the call is open for "
        "nominations; every required field is filled in and valid."
    ) in text
    assert (
        "Recognise : Under review, Longlisted, Shortlisted → Recognised. "
        "Needs the permission: Decide. "
        "Only when: the call's reviewing has started; all reviews are in (or a reason is given)."
    ) in text

    programme_rules = re.search(r'id="programme-rules-heading".*?</section>', html, re.DOTALL)
    text = " ".join(re.sub(r"<[^>]+>", " ", programme_rules.group(0)).split())
    assert (
        "Role Model City On creation : the city holds no current recognition under this "
        "programme (but the one it renews). "
        "Recognise : the decision names at least 5 areas of strength."
    ) in text
    assert "Recognise : the decision names the level of the award; " in text

    assert 'src="/static/vendor/mermaid/mermaid.min.js"' in html
    assert 'src="/static/mermaid-init.js"' in html
    assert not INLINE_SCRIPT.search(html)
    csp = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp
    assert "script-src 'self';" in csp


def test_an_unknown_workflow_page_is_not_found(client, login_as, app):
    login_as(factories.make_secretariat())
    db.session.commit()
    assert client.get("/workflow/nothing").status_code == 404


@pytest.mark.parametrize("path", ["/workflow/", "/workflow/nomination"])
@pytest.mark.parametrize("who", ["focal_point", "reviewer", "visitor"])
def test_the_workflow_pages_are_for_the_secretariat(client, login_as, app, path, who):
    user = {
        "focal_point": factories.make_focal_point,
        "reviewer": factories.make_reviewer,
        "visitor": lambda: None,
    }[who]()
    db.session.commit()
    login_as(user)
    assert client.get(path).status_code == 403


def test_the_mermaid_init_script_is_served(client):
    response = client.get("/static/mermaid-init.js")
    assert response.status_code == 200
    assert "mermaid.initialize" in response.get_data(as_text=True)
    response.close()
