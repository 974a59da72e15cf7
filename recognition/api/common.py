"""What the API's operations share: objects written as documents, pages of lists, and the
conversion of a form's verdict into problem details."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..i18n import gettext as _
from ..programmes.definition import Programme
from ..programmes.models import Call
from ..web import Page, paginate, problem
from ..workflow.engine import available_transitions, displayed_state, embargoed


def utc(value: datetime | None) -> datetime | None:
    """A stored (naive UTC) time as an aware one: the API writes times with their zone."""
    return value.replace(tzinfo=UTC) if value is not None else None


def state_doc(obj: Any) -> dict[str, Any]:
    """The state the reader sees the object in (an embargoed decision shows as before it)."""
    state = displayed_state(current_user, obj)
    return {"id": state.id, "title": _(state.title), "tags": sorted(state.tags)}


def version_of(obj: Any) -> int | None:
    """The version a client sends back with a change; none for a reader the object's state
    is kept from (a new version would tell that a decision was made)."""
    return None if embargoed(current_user, obj) else getattr(obj, "version", None)


def call_ref(call: Call) -> dict[str, Any]:
    return {
        "id": call.id,
        "programme": call.programme_id,
        "title": str(call.text("title")),
        "cycle": call.cycle,
    }


def programme_doc(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.id,
        "title": _(programme.title),
        "description": _(programme.description) if programme.description else "",
        "decision": programme.decision,
        "levels": [{"id": level.id, "title": _(level.title)} for level in programme.levels],
        "essentials": programme.essentials.edition if programme.essentials else None,
    }


def nominee_doc(nomination: Any) -> dict[str, Any]:
    nominee, city = nomination.nominee, nomination.city
    return {
        "name": str(nomination.nominee_name()),
        "kind": nominee.kind,
        "city_id": nomination.city_id,
        "country": nomination.country,
        "region": city.region if city is not None else None,
    }


def options_doc(obj: Any) -> list[dict[str, Any]]:
    """The transitions the reader is offered on ``obj``, as the page's state menu offers
    them (and those its own forms fire)."""
    return [
        {
            "id": option.transition.id,
            "title": _(option.transition.title),
            "enabled": option.enabled,
            "reason": str(option.refusal) if option.refusal is not None else "",
            "comment": option.transition.comment,
            "confirm": _(option.transition.confirm) if option.transition.confirm else "",
        }
        for option in available_transitions(current_user, obj)
    ]


def page_doc(page: Page, items: list[Any]) -> dict[str, Any]:
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def paged_rows(stmt: Any, args: dict[str, Any], scalars: bool = True) -> Page:
    """One page of a SELECT, as the pages paginate (``?page=``), ``per_page`` as asked."""
    return paginate(stmt, per_page=args["per_page"], scalars=scalars)


def invalid(form: Any, location: str = "json"):
    """422 with a form's errors by field, in the reader's language (the page's messages)."""
    errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
    return problem(422, errors={location: errors})


def form_data(values: dict[str, Any]) -> MultiDict:
    """A JSON object as a form's data (lists as repeated fields), for the pages' forms."""
    data = MultiDict()
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(key, "" if item is None else str(item))
    return data
