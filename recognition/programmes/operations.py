"""Call operations: create and edit (texts per language, dates converted from the officer's
time zone)."""

from __future__ import annotations

from ..i18n import local_to_utc
from ..workflow.engine import create
from .models import Call

DATE_FIELDS = ("opens_at", "closes_at", "review_deadline", "announcement_at")
PLAIN_FIELDS = (
    "cycle", "reviewers_per_nomination", "reviewers_see_scores", "laureates_max",
)  # fmt: skip


def apply_form(call: Call, form) -> Call:
    for name in PLAIN_FIELDS:
        setattr(call, name, getattr(form, name).data)
    apply_texts(call, form.source_language.data, form.texts())
    call.disagreement_threshold = float(form.disagreement_threshold.data)
    for name in DATE_FIELDS:
        setattr(call, name, local_to_utc(getattr(form, name).data))
    return call


def apply_texts(call: Call, source_language: str, texts: dict[str, dict[str, str]]) -> None:
    """Store the call's texts in every language; the columns title and theme keep the source
    language's (lists sort by them, exports name the call by them)."""
    call.source_language = source_language
    call.texts = texts  # a new dict: the JSON column sees the change
    source = texts.get(source_language, {})
    call.title = source.get("title", "")
    call.theme = source.get("theme", "")


def create_call(form, actor) -> Call:
    """A new call, as a draft (the engine checks who may create one)."""
    call = Call(programme_id=form.programme_id.data, announcement={})
    apply_form(call, form)
    create(call, actor)
    return call
