"""The letters panel, on a nomination's page and on the edit page of the section that holds a
letters field.

The authors ask referees, remind and replace them, and follow each letter's state; who may
read a letter (``read``: the secretariat, the assigned reviewers, and the authors unless the
programme keeps the field's letters confidential) reads it there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from ..nominations.models import Nomination
from ..panels import panel
from ..programmes.definition import FieldDef
from ..workflow.registry import has_tag
from ..workflow.security import can
from .forms import RefereeForm
from .models import Letter, letter_fields
from .operations import can_remind_now, letters_of


@dataclass(frozen=True)
class LettersBox:
    """One letters field as the panel shows it to the current user."""

    field: FieldDef
    letters: list[Letter]
    #: The form that asks one more referee (None when the user may not, or the field is full).
    form: RefereeForm | None
    #: Letters whose referee may be reminded now.
    remindable: frozenset[int]


@panel("nominations.show", "letters/_panel.html", order=30)
@panel("nominations.edit", "letters/_panel.html", order=30)
def letters_panel(nomination: Nomination) -> dict[str, Any]:
    fields = letter_fields(nomination.programme)
    if not fields:
        return {"letters_panel": None}
    editable = can(current_user, "edit", nomination)
    letters = letters_of(nomination)
    visible = [letter for letter in letters if can(current_user, "view", letter)]
    if not visible and not editable:
        return {"letters_panel": None}
    boxes = []
    for field in fields:
        asked = [
            letter
            for letter in letters
            if letter.field == field.id and (has_tag(letter, "awaited") or has_tag(letter, "given"))
        ]
        form = None
        if editable and len(asked) < int(field.max or 1):
            form = RefereeForm(prefix=f"{field.id}-", formdata=None)
            form.language.data = nomination.language
        boxes.append(
            LettersBox(
                field=field,
                letters=[letter for letter in visible if letter.field == field.id],
                form=form,
                remindable=frozenset(
                    letter.id
                    for letter in visible
                    if letter.field == field.id
                    and can(current_user, "manage", letter)
                    and can_remind_now(letter)
                ),
            )
        )
    return {"letters_panel": {"boxes": boxes, "editable": editable}}
