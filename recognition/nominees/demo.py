"""Demo data: a register of past UN Sasakawa Award laureates, invented (clearly demo names)
but shaped like the real record: years, names as announced, countries, levels."""

from __future__ import annotations

from ..accounts.models import User
from .models import name_key
from .operations import NewEntry, import_entries

#: (year, name, country, level): invented laureates of the UN Sasakawa Award.
DEMO_LAUREATES = (
    (2011, "Demo Municipality of Almaty", "KZ", "laureate"),
    (2013, "Demo Red Cross Volunteers of Mombasa", "KE", "laureate"),
    (2013, "Demo Coastal Women's Savings Group", "BD", "distinction"),
    (2015, "Demo Alcaldía de Manizales", "CO", "laureate"),
    (2017, "Demo Flood Watch Network of the Mekong", "VN", "merit"),
    (2019, "Demo Institute for Safer Schools", None, "laureate"),
    (2021, "Demo Ville de Saint-Louis", "SN", "distinction"),
    (2023, "Demo Mountain Villages Early Warning Committee", "NP", "laureate"),
)


def load_demo_register(programme_id: str = "sasakawa_award", actor: User | None = None) -> int:
    """Add the demo laureates to the programme's register, once; return how many were new.
    Flushes, never commits."""
    entries = [
        NewEntry(year, name, name_key(name)[:200], country, level)
        for year, name, country, level in DEMO_LAUREATES
    ]
    added, _skipped = import_entries(programme_id, entries, actor)
    return added
