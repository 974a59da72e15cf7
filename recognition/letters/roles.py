"""Local roles on letters: ``requester``, the nomination's authors; ``reader``, who may read
the letter — the assigned reviewers, and the authors unless the programme keeps the field's
letters confidential."""

from ..workflow.registry import bind_model
from ..workflow.security import local_role, roles_for
from .models import Letter

# A letter's page is the letters panel of its nomination's page (letters.letter redirects
# there), so that notifications and the audit log link to it.
bind_model(
    Letter,
    page="letters.letter",
    arg="letter_id",
    title=lambda letter: f"{letter.referee_name} — {letter.nomination.nominee_name()}",
)


@local_role("requester", "letter")
def is_requester(user, letter) -> bool:
    """The user is one of the nomination's authors."""
    return "owner" in roles_for(user, letter.nomination)


@local_role("reader", "letter")
def is_reader(user, letter) -> bool:
    """The user may read the letter: an assigned reviewer of the nomination, or one of its
    authors when the programme does not keep the field's letters confidential."""
    roles = roles_for(user, letter.nomination)
    if "assigned_reviewer" in roles:
        return True
    return not letter.confidential and "owner" in roles
