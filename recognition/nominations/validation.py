"""Check a nomination's answers against its programme, section by section."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..i18n import lazy_gettext as _l
from ..programmes.definition import FieldDef, Section
from ..programmes.formbuilder import section_form
from .models import Nomination

#: Field types with no input in the section form, answered elsewhere by the package that owns
#: them (a ``letters`` field, by the letters panel): type -> check(nomination, field) -> why
#: a required field is not answered yet, or None.
_answered_elsewhere: dict[str, Callable[[Nomination, FieldDef], Any]] = {}


def answered_elsewhere(field_type: str):
    """Register ``check(nomination, field) -> None | message`` for a required field of a type
    answered outside the section form."""

    def register(check: Callable[[Nomination, FieldDef], Any]):
        _answered_elsewhere[field_type] = check
        return check

    return register


@dataclass(frozen=True)
class Problem:
    section: Section
    input_name: str
    label: Any
    message: Any


def section_problems(nomination: Nomination, section: Section, strict: bool) -> list[Problem]:
    programme = nomination.programme
    form = section_form(
        programme, section, strict=strict, answers=nomination.answers or {}, csrf=False
    )
    form.validate()
    found: list[Problem] = []
    for inp in section.inputs():
        field = form[inp.name]
        if inp.kind in ("file", "evidence"):
            if (
                strict
                and inp.kind == "file"
                and inp.field.required
                and not _has_file(nomination, inp.name)
            ):
                found.append(Problem(section, inp.name, field.label.text, _required_file()))
            continue
        for message in field.errors:
            found.append(Problem(section, inp.name, _label(inp, field), message))
    if strict:
        found.extend(_elsewhere_problems(nomination, section))
    return found


def _elsewhere_problems(nomination: Nomination, section: Section) -> list[Problem]:
    found = []
    for f in section.fields:
        check = _answered_elsewhere.get(f.type)
        message = check(nomination, f) if check is not None and f.required else None
        if message is not None:
            found.append(Problem(section, f.id, _l(f.title), message))
    return found


def _label(inp, field) -> Any:
    if inp.essential is not None:
        return _l("Essential %(number)d: %(label)s", number=inp.essential, label=field.label.text)
    return field.label.text


def _required_file():
    return _l("Attach a file.")


def _has_file(nomination: Nomination, input_name: str) -> bool:
    return any(a.field == input_name for a in nomination.attachments)


def problems(nomination: Nomination, strict: bool = True) -> list[Problem]:
    """Every missing or invalid answer; empty when the nomination may be submitted."""
    found: list[Problem] = []
    for section in nomination.programme.sections:
        found.extend(section_problems(nomination, section, strict))
    return found


def completeness(nomination: Nomination) -> dict[str, tuple[int, int]]:
    """Per section: (required inputs answered validly, required inputs)."""
    result: dict[str, tuple[int, int]] = {}
    for section in nomination.programme.sections:
        required = [i.name for i in section.inputs() if i.field.required and i.kind != "evidence"]
        required += [f.id for f in section.fields if f.required and f.type in _answered_elsewhere]
        missing = {p.input_name for p in section_problems(nomination, section, strict=True)}
        done = sum(1 for name in required if name not in missing)
        result[section.id] = (done, len(required))
    return result
