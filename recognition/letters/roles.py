"""Local roles on letters: ``requester``, the nomination's authors; ``reader``, who may read
the letter — the assigned reviewers, and the authors unless the programme keeps the field's
letters confidential."""

from ..nominations.roles import is_owner
from ..workflow.registry import bind_model
from ..workflow.security import can, local_role
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
    return is_owner(user, letter.nomination)


@local_role("reader", "letter")
def is_reader(user, letter) -> bool:
    """The user may read the letter: whoever reads the nomination's whole file (its
    assigned reviewers, its authors), but not its authors when the programme keeps the
    field's letters confidential."""
    nomination = letter.nomination
    if not can(user, "view_file", nomination):
        return False
    return not (letter.confidential and is_owner(user, nomination))
