"""The "Download all (PDF)" link on a nomination's page, just above its answers, for those
who see its whole file (the template asks ``view_file`` itself: the scoring page includes it
too)."""

from __future__ import annotations

from typing import Any

from ..nominations.models import Nomination
from ..panels import panel


@panel("nominations.show", "reading/_packet_link.html", order=90)
def packet_panel(nomination: Nomination) -> dict[str, Any]:
    return {}
