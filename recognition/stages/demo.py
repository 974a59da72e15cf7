"""Demo stages for the demo cities (recognition/demo.py's CITIES, looked up by name): each
move asked for by the city's focal point and confirmed by the secretariat, as in real use.
Loading twice changes nothing: a city that has a stage is left as it is."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from ..accounts.models import City
from ..extensions import db
from ..workflow.engine import fire
from ..workflow.registry import definition_for
from .models import CityStage, stage_of_city
from .operations import ask_for_next_stage, store_pdf

#: City name -> how far it goes: the number of confirmed stages, and whether it then waits
#: for the next one. Chengdu has none (not listed): it has not joined.
DEMO_STAGES: dict[str, tuple[int, bool]] = {
    "Makati": (3, False),  # stage C
    "Amman": (3, False),  # stage C
    "Quito": (2, False),  # stage B
    "Dakar": (1, False),  # stage A
    "Almaty": (0, True),  # joined, stage A requested
}

NOTES = (
    "Stage A: we completed the preliminary level of the Disaster Resilience Scorecard with "
    "the city's departments and mapped our main hazards with the neighbourhoods.",
    "Stage B: the city council adopted our disaster risk reduction and resilience plan, "
    "budgeted over four years.",
    "Stage C: the plan is being implemented; the detailed Scorecard shows the progress made.",
)
#: The smallest PDF the evidence check accepts (sniffed from its bytes).
SCORECARD = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _ask(city: City, stage: CityStage | None, focal: Any, step: int) -> CityStage:
    stored = None
    if step == 0:  # the first request comes with the Scorecard's self-assessment
        upload = FileStorage(io.BytesIO(SCORECARD), filename="scorecard-self-assessment.pdf")
        stored = store_pdf(upload)
    note = NOTES[min(step, len(NOTES) - 1)]
    expected = stage.version if stage is not None else None
    return ask_for_next_stage(city, focal, note, stored, expected_version=expected)


def load_demo_stages(officer: Any) -> list[CityStage]:
    """Give the demo cities their stages; leave a city that already has one. Flushes; the
    caller commits."""
    definition = definition_for(CityStage)
    made = []
    for name, (confirmed, waiting) in DEMO_STAGES.items():
        city = db.session.scalar(sa.select(City).where(City.name == name))
        if city is None or not city.memberships or stage_of_city(city.id) is not None:
            continue
        focal = city.memberships[0].user
        stage = None
        for step in range(confirmed + (1 if waiting else 0)):
            before = stage.state if stage is not None else definition.initial
            stage = _ask(city, stage, focal, step)
            if step < confirmed:
                # Out of the request: the confirmation moves on, the refusal goes back.
                confirm = next(
                    t for t in definition.transitions_from(stage.state) if t.dest != before
                )
                fire(stage, confirm.id, officer, "Demo data: confirmed on loading.")
        if stage is not None:
            made.append(stage)
    db.session.flush()
    return made
