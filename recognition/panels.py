"""Pages composed from panels that packages register, as Plone's viewlets compose a page.

A package adds a panel to another package's page without that page importing it: the
review package puts the reviews on the nomination page, the secretariat its decision form,
the nominations package "your nomination" on a call's page. A panel is a template and a
function giving the template its variables for the object shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    page: str
    template: str
    context: Callable[[Any], dict[str, Any]]
    order: int


_panels: dict[str, list[Panel]] = {}


def panel(page: str, template: str, order: int = 50):
    """Register ``context(obj) -> variables`` to show ``template`` on ``page`` (an endpoint)."""

    def register(func: Callable[[Any], dict[str, Any]]):
        panels = [p for p in _panels.get(page, []) if p.template != template]
        panels.append(Panel(page, template, func, order))
        _panels[page] = sorted(panels, key=lambda p: p.order)
        return func

    return register


def panels_for(page: str, obj: Any) -> dict[str, Any]:
    """The variables of every panel of ``page`` for ``obj``, and ``panels``: their templates
    in order, for the page's template to include."""
    context: dict[str, Any] = {}
    templates = []
    for registered in _panels.get(page, []):
        context.update(registered.context(obj))
        templates.append(registered.template)
    context["panels"] = templates
    return context
