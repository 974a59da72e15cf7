"""Call operations: create and edit (dates converted from the officer's time zone)."""

from __future__ import annotations

from ..i18n import local_to_utc
from ..workflow.engine import create
from .models import Call

DATE_FIELDS = ("opens_at", "closes_at", "review_deadline", "announcement_at")
PLAIN_FIELDS = (
    "title", "cycle", "theme", "reviewers_per_nomination", "reviewers_see_scores",
    "laureates_max",
)  # fmt: skip


def apply_form(call: Call, form) -> Call:
    for name in PLAIN_FIELDS:
        setattr(call, name, getattr(form, name).data)
    call.theme = call.theme or ""
    call.disagreement_threshold = float(form.disagreement_threshold.data)
    for name in DATE_FIELDS:
        setattr(call, name, local_to_utc(getattr(form, name).data))
    return call


def create_call(form, actor) -> Call:
    """A new call, as a draft (the engine checks who may create one)."""
    call = Call(programme_id=form.programme_id.data, announcement={})
    apply_form(call, form)
    create(call, actor)
    return call
