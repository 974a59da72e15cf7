"""The dashboard's bar chart reads in the page's direction: in Arabic the labels stand on
the right and the bars grow to the left, never drawn over their labels (as chromium lays it
out: tests/browser/test_browser_layout.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import factories
import pytest

from recognition.extensions import db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def counted(world):
    for state in ("submitted", "submitted", "draft", "returned"):
        factories.make_nomination(call=world.call, state=state)
    db.session.commit()
    return world.call


def _dashboard(client, officer, call, lang: str) -> str:
    """The dashboard as the officer reads it in ``lang`` (their preferred language)."""
    officer.locale = lang
    db.session.commit()
    response = client.get(f"/secretariat/calls/{call.id}/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    return html


def _chart(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg.*?</svg>", html, re.S).group(0))


def _rows(svg: ET.Element):
    """(label, bar, value) elements of each row of the chart."""
    texts = list(svg.iter(f"{SVG}text"))
    bars = list(svg.iter(f"{SVG}rect"))
    return [(texts[2 * i], bar, texts[2 * i + 1]) for i, bar in enumerate(bars)]


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_chart_is_drawn_in_the_pages_direction(as_officer, officer, counted, lang, direction):
    svg = _chart(_dashboard(as_officer, officer, counted, lang))
    assert f"chart-{direction}" in svg.get("class").split()


def test_in_arabic_the_labels_are_right_of_the_bars(as_officer, officer, counted):
    svg = _chart(_dashboard(as_officer, officer, counted, "ar"))
    width = float(svg.get("viewBox").split()[2])
    for label, bar, value in _rows(svg):
        right_of_bar = float(bar.get("x")) + float(bar.get("width"))
        # The label starts (RTL: its right edge) beyond the bar's right end, the number
        # ends (RTL: its left edge is free) left of the bar's left end.
        assert float(label.get("x")) > right_of_bar
        assert float(label.get("x")) <= width
        assert float(value.get("x")) < float(bar.get("x")) or float(bar.get("width")) == 0


def test_in_english_the_labels_are_left_of_the_bars(as_officer, officer, counted):
    svg = _chart(_dashboard(as_officer, officer, counted, "en"))
    for label, bar, value in _rows(svg):
        assert float(label.get("x")) < float(bar.get("x"))
        assert float(value.get("x")) > float(bar.get("x")) + float(bar.get("width"))
