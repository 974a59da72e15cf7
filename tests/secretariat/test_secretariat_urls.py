"""Every secretariat address with a number answers 404 for numbers that are no row, however
large (PostgreSQL refuses numbers beyond its INTEGER)."""

from __future__ import annotations

import pytest

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/secretariat/calls/{HUGE}/dashboard"),
        ("get", f"/secretariat/calls/{HUGE}/ranking"),
        ("get", f"/secretariat/calls/{HUGE}/announcement"),
        ("get", f"/secretariat/calls/{HUGE}/export/nominations.csv"),
        ("get", f"/secretariat/calls/{HUGE}/export.xlsx"),
        ("post", f"/secretariat/calls/{HUGE}/remind/1"),
        ("post", f"/secretariat/nominations/{HUGE}/decide"),
        ("get", "/secretariat/calls/2147483647/dashboard"),
        ("post", "/secretariat/nominations/2147483647/decide"),
    ],
)
def test_unknown_numbers_are_404(as_officer, method, path):
    assert getattr(as_officer, method)(path).status_code == 404
