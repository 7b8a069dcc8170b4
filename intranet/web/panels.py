"""Parts of a page that other areas contribute: the customer page's panels and the home page's.

An area registers a template and a function that returns the template's data (or None to show
nothing) and the page renders every registered panel in order. The customer page's functions
are called only after the one access module allowed the read, with the loaded file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Build = Callable[..., "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel:
    """A template and the function that builds its data."""

    template: str
    build: Build
    order: int
    slot: str
    covers: tuple[str, ...] = ()  # record lists the panel shows instead of the plain table


CUSTOMER: list[Panel] = []  # build(loaded, user); slot "top" (above the card) or "main" (below)
HOME: list[Panel] = []  # build(user)


def _register(registry: list[Panel], template: str, order: int, slot: str,
              covers: tuple[str, ...] = ()) -> Callable[[Build], Build]:
    def decorate(build: Build) -> Build:
        registry.append(Panel(template, build, order, slot, covers))
        registry.sort(key=lambda p: p.order)
        return build
    return decorate


def customer_panel(template: str, order: int, slot: str = "main",
                   covers: tuple[str, ...] = ()) -> Callable[[Build], Build]:
    """Register a panel of the customer page (``covers``: record lists it shows itself)."""
    return _register(CUSTOMER, template, order, slot, covers)


def covered() -> frozenset[str]:
    """Return the record lists that customer panels show, so the card leaves them out."""
    return frozenset(key for panel in CUSTOMER for key in panel.covers)


def home_panel(template: str, order: int) -> Callable[[Build], Build]:
    """Register a panel of the home page."""
    return _register(HOME, template, order, "main")


def build(registry: list[Panel], *args: Any) -> dict[str, list[dict[str, Any]]]:
    """Return the panels to show, by slot: ``{"top": [{"template", "data"}], "main": …}``."""
    shown: dict[str, list[dict[str, Any]]] = {"top": [], "main": []}
    for panel in registry:
        data = panel.build(*args)
        if data is not None:
            shown.setdefault(panel.slot, []).append({"template": panel.template, "data": data})
    return shown
