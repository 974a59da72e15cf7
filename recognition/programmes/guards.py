"""Rules of the call workflow. Each returns None when it holds, or the reason it does not."""

from ..i18n import current_language, language_name
from ..i18n import lazy_gettext as _l
from ..workflow.guards import guard


@guard("call_dates_are_set", _l("the call has an opening and a closing date"))
def call_dates_are_set(call, actor, data):
    """The call has dates in the right order."""
    if call.opens_at and call.closes_at and call.opens_at < call.closes_at:
        return None
    return _l("Set the opening and the closing date first.")


@guard(
    "call_announcement_written",
    _l("the announcement text is written in the call's source language"),
)
def call_announcement_written(call, actor, data):
    """The call has an announcement text in its source language (the other languages fall
    back to it)."""
    if ((call.announcement or {}).get(call.source_language) or "").strip():
        return None
    return _l(
        "Write the announcement text in %(language)s, the call's source language, first.",
        language=language_name(call.source_language, current_language()),
    )
