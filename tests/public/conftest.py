"""Fixtures for the public pages: announced and unannounced recognitions."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import factories
import pytest
from public_support import ANNOUNCED_AT, recognition


@pytest.fixture
def published(db):
    """An announced Role Model City 2025 call (Lyon announced with Essentials 1-5, Riga not
    recognised), an announced Sasakawa Award 2026 call (Manila, Laureate) and a decided
    Role Model City 2026 call whose Porto is recognised but not announced (committed)."""
    rmc = factories.make_call(
        state="announced",
        cycle="2025",
        title="Role Model City 2025",
        announced_at=ANNOUNCED_AT,
        announcement={"en": "Congratulations to the cities", "fr": "Félicitations aux villes"},
    )
    sasakawa = factories.make_call(
        programme_id="sasakawa_award",
        state="announced",
        cycle="2026",
        title="Sasakawa Award 2026",
        announced_at=datetime(2026, 5, 1),
        announcement={"ar": "تهانينا"},
    )
    pending = factories.make_call(state="decided", cycle="2026", title="Role Model City 2026")
    lyon = recognition(rmc, "Lyon", areas_of_strength=[1, 2, 3, 4, 5])
    riga = recognition(rmc, "Riga", "LV", state="not_recognised")
    manila = recognition(sasakawa, "Manila", "PH", award_level="laureate")
    porto = recognition(pending, "Porto", "PT", state="recognised", areas_of_strength=[1])
    db.session.commit()
    return SimpleNamespace(
        rmc=rmc,
        sasakawa=sasakawa,
        pending=pending,
        lyon=lyon,
        riga=riga,
        manila=manila,
        porto=porto,
    )
