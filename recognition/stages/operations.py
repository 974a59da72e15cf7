"""City stage operations: ask for the next stage with the evidence, record that a city joined,
and the offers of the page (the request the user may make, the decisions they may take).
They flush, never commit; states change through the workflow engine only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..accounts.models import City
from ..i18n import lazy_gettext as _l
from ..nominations.storage import StoredFile
from ..nominations.storage import store_pdf as store_pdf_upload
from ..timeutil import utcnow
from ..workflow.definition import Transition
from ..workflow.engine import (
    CONCURRENT_MESSAGE,
    ConcurrentChange,
    Option,
    available_transitions,
    create,
    fire,
    operation,
)
from ..workflow.locking import lock_row
from ..workflow.registry import definition_check, definition_for, registry
from .models import CityStage, stage_of_city
from .queries import REQUESTED

#: The most characters the note of a request keeps (about 800 words).
NOTE_CHARACTERS = 5_000
#: The transitions that ask for a stage: each writes the request's evidence (checked against
#: city_stage.yaml when the app starts).
REQUESTS = ("request_a", "request_b", "request_c")


def unsaved_stage(city: City) -> CityStage:
    """The stage a city that has not joined would have (not added to the session): what the
    definition lets a user do before the row exists is asked of it."""
    return CityStage(city=city, city_id=city.id, state=definition_for(CityStage).initial)


def request_transition(stage: CityStage) -> Transition | None:
    """The transition that asks for the next stage from where the city is (None at the last
    stage or while a request waits)."""
    definition = definition_for(CityStage)
    return next(
        (
            t
            for t in definition.transitions_from(stage.state)
            if REQUESTED in definition.states[t.dest].tags
        ),
        None,
    )


def request_option(user: Any, stage: CityStage) -> Option | None:
    """The request ``user`` may make now (disabled, with the reason, if a rule refuses)."""
    transition = request_transition(stage)
    if transition is None:
        return None
    return next((o for o in available_transitions(user, stage) if o.transition == transition), None)


def decision_options(user: Any, stage: CityStage) -> list[Option]:
    """The decisions ``user`` may take on a pending request (confirm, refuse)."""
    if stage.id is None:
        return []
    definition = definition_for(CityStage)
    return [
        o
        for o in available_transitions(user, stage)
        if REQUESTED not in definition.states[o.transition.dest].tags
    ]


def store_pdf(upload) -> StoredFile:
    """Store an uploaded evidence: a PDF within the file size limit."""
    return store_pdf_upload(
        upload,
        "evidence.pdf",
        _l("Send the evidence as a PDF file."),
        _l(
            "The file could not be stored just now. Your note is kept below: send the "
            "form again later."
        ),
    )


def ask_for_next_stage(
    city: City,
    actor: Any,
    note: str,
    stored: StoredFile | None,
    expected_version: int | None = None,
) -> CityStage:
    """The city asks for its next stage with its evidence; a city that has not joined joins
    with this first request. ``expected_version`` is the version of the stage the user saw
    (None: the page showed no stage yet)."""
    lock_row(city)  # two focal points asking at once: one after the other
    found = stage_of_city(city.id)
    if expected_version is None and found is not None:
        raise ConcurrentChange(CONCURRENT_MESSAGE, "request", "joined meanwhile")
    if found is None:
        found = CityStage(city=city, city_id=city.id)
        create(found, actor)
    transition = request_transition(found)
    if transition is None:
        raise ConcurrentChange(CONCURRENT_MESSAGE, "request", "no request from here")
    fire(
        found,
        transition.id,
        actor,
        note,
        expected_version=expected_version,
        data={"note": note[:NOTE_CHARACTERS], "stored": stored},
    )
    return found


def record_joined(city: City, actor: Any) -> CityStage:
    """The secretariat records that a city has joined Making Cities Resilient 2030."""
    lock_row(city)
    if stage_of_city(city.id) is not None:
        raise ConcurrentChange(CONCURRENT_MESSAGE, "create", "joined meanwhile")
    stage = CityStage(city=city, city_id=city.id)
    create(stage, actor)
    return stage


def _write_evidence(stage: CityStage, actor: Any, data: Mapping[str, Any]) -> dict:
    """The request's evidence replaces the previous request's; the history names its file."""
    stored: StoredFile | None = data.get("stored")
    stage.note = data.get("note") or ""
    stage.filename = stored.filename if stored else ""
    stage.sha256 = stored.sha256 if stored else ""
    stage.mime = stored.mime if stored else ""
    stage.size = stored.size if stored else 0
    stage.requested_at = utcnow()
    stage.requested_by_id = getattr(actor, "id", None)
    return {"file": stored.filename, "sha256": stored.sha256} if stored else {}


for _name in REQUESTS:
    operation(CityStage.__workflow__, _name)(_write_evidence)


@definition_check
def check_requests() -> list[tuple[str, str, str]]:
    """Every transition into a requested stage writes the evidence (is in REQUESTS)."""
    definition = registry().get(CityStage.__workflow__)
    return [
        (definition.source, f"transitions.{t.id}", "a request without its evidence operation")
        for t in definition.transitions.values()
        if REQUESTED in definition.states[t.dest].tags and t.id not in REQUESTS
    ]
