"""Every public page runs the same number of SQL statements whatever the data size."""

from __future__ import annotations

import factories
import pytest
from public_support import announced_call, count_queries, recognition

SMALL, LARGE = 3, 40  # LARGE is more than a page (RECOGNITION_PAGE_SIZE, 25)
COUNTRIES = ("FR", "EC", "PE", "PH", "JP", "KE")

PATHS = [
    "/recognised",
    "/recognised?page=2",
    "/recognised?programme=role_model_city&year=2025&country=FR&region=Region%201",
    "/recognised?essential=3&q=city",
    "/recognised?essential=2010:4&programme=role_model_city",
    "/announcements",
    "/announcements?programme=sasakawa_award&year=2026",
    "/recognised/cities/{city}",
    "/announcements/{call}",
    "/feed.atom",
]


class Campaign:
    """Announced calls and recognitions, grown on demand; one city is recognised by every
    call, and one call recognises every city."""

    def __init__(self):
        self.calls = []
        self.count = 0
        self.star = factories.make_city(name="Star City", country="FR", region="Region 1")

    def grow(self, size: int) -> None:
        while self.count < size:
            i = self.count
            programme = ("role_model_city", "sasakawa_award", "resilience_hub")[i % 3]
            call = announced_call(programme, cycle=str(2020 + i % 7), days=i, title=f"Call {i}")
            self.calls.append(call)
            fields = {
                "role_model_city": {
                    "areas_of_strength": [1, 2, 3, 4, 5],
                    "answers": {"motivation": f"Story {i}"},
                },
                "sasakawa_award": {
                    "award_level": "merit",
                    "answers": {"work_summary": f"Work {i}"},
                },
                "resilience_hub": {"award_level": "hub", "answers": {"share_1": f"Exchange {i}"}},
            }[programme]
            factories.make_nomination(
                call=call,
                city=self.star,
                state="announced",
                announced_at=call.announced_at,
                **fields,
            )
            recognition(
                self.calls[0],
                f"City {i}",
                COUNTRIES[i % len(COUNTRIES)],
                region=f"Region {i % 3}",
                areas_of_strength=[3, 4, 5, 6, 7],
                answers={"motivation": f"Practice {i}", "population": str(1000 * (i + 1))},
            )
            self.count += 1


def queries(client, path: str) -> int:
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


@pytest.mark.parametrize("path", PATHS)
def test_public_pages_cost_the_same_at_any_size(db, client, path):
    campaign = Campaign()
    counts = []
    for size in (SMALL, LARGE):
        campaign.grow(size)
        db.session.commit()
        counts.append(
            queries(client, path.format(city=campaign.star.id, call=campaign.calls[0].id))
        )
    # A page past the end (page 2 of the small campaign) counts apart and reads the last.
    past_the_end = 2 if "page=2" in path else 0
    assert counts[0] == counts[1] + past_the_end, counts
    assert counts[1] <= 6, counts
