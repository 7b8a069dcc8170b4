"""The customer page's section index: the card's sections and panels grouped into panes.

Without JavaScript the index is a sticky list of anchors over panes shown one below the
other; ``static/js/card.js`` turns the panes into tabs that keep the hash in the URL. A pane
appears only when something in it may be shown to the reader: the panels decide that (they
were built after the access module allowed the read), so this module never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from .present import Section, Table

# The panes in the order of the index, with the card sections each holds.
PANES: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("basic", _l("Basic data"), ("basic", "classification", "custody", "other")),
    ("people", _l("People"), ()),
    ("business", _l("Business"), ("characteristics", "business")),
    ("transactions", _l("Transactions"), ("transactions", "credit")),
    ("contacts", _l("Contact log"), ()),
    ("events", _l("Events"), ()),
    ("figures", _l("Yearly figures"), ()),
    ("documents", _l("Documents"), ()),
    ("sales_power", _l("Sales-power analysis"), ()),
)
# The panels other areas register, by the pane they belong in; any other panel stays in its
# slot (above the index, or below the panes where every tab shows it).
PANEL_PANES = {
    "customers/_credit.html": "transactions",
    "customers/_contacts.html": "contacts",
    "customers/_events.html": "events",
    "customers/_yearly.html": "figures",
    "customers/_documents.html": "documents",
    "customers/_sales_power.html": "sales_power",
}


@dataclass
class Pane:
    """One entry of the index and what it shows."""

    key: str
    title: str
    sections: list[Section] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)
    people: list[Any] | None = None
    tables: list[Table] = field(default_factory=list)
    count: str = ""

    @property
    def anchor(self) -> str:
        """Return the pane's id, the hash its index entry sets."""
        return f"card-{self.key}"

    @property
    def empty(self) -> bool:
        """Tell whether the pane has nothing to show."""
        return not (self.sections or self.panels or self.people is not None or self.tables)


@dataclass
class Layout:
    """The page's parts: panels above the index, the panes, panels below the panes."""

    top: list[dict[str, Any]]
    panes: list[Pane]
    bottom: list[dict[str, Any]]


def _count(pane: Pane) -> str:
    """Return the number an index entry shows, or "" when a number would not help."""
    for panel in pane.panels:
        data = panel["data"]
        if panel["template"] == "customers/_contacts.html" or \
                panel["template"] == "customers/_events.html":
            return str(len(data.get("entries") or []))
        if panel["template"] == "customers/_documents.html":
            return str(len(data.get("rows") or []))
        if panel["template"] == "customers/_yearly.html" and data.get("table"):
            return str(len(data["table"].rows))
    return str(len(pane.people)) if pane.people is not None else ""


def layout(sections: list[Section], tables: list[Table],
           panels: dict[str, list[dict[str, Any]]]) -> Layout:
    """Group the card's sections, its other tables and the panels into the index's panes."""
    panes = {key: Pane(key, str(title)) for key, title, _s in PANES}
    by_key = {s.key: s for s in sections}
    for key, _title, keys in PANES:
        panes[key].sections = [by_key[k] for k in keys if k in by_key]
    if "basic" in by_key:
        panes["people"].people = by_key["basic"].people
    panes["basic"].tables = list(tables)  # lists no panel shows (rare): with the basic data
    top, bottom = [], []
    for slot, shown in panels.items():
        for panel in shown:
            home = PANEL_PANES.get(panel["template"])
            if home:
                panes[home].panels.append(panel)
            else:
                (top if slot == "top" else bottom).append(panel)
    kept = [p for p in panes.values() if not p.empty]
    for pane in kept:
        pane.count = _count(pane)
    return Layout(top, kept, bottom)


@dataclass(frozen=True)
class Action:
    """A button at the top of the page."""

    label: str
    href: str
    primary: bool = False
    name: str = ""  # what the browser test and card.js find it by


def actions(customer_id: str, layout_: Layout, may: dict[str, bool]) -> list[Action]:
    """Return the most used actions the reader may do, the quick ones first.

    ``may`` holds the access module's answers (edit, custody, history); an entry form is offered
    only where its panel built one, which it does only for those who may edit.
    """
    forms = {panel["template"]: panel["data"].get("form") for pane in layout_.panes
             for panel in pane.panels if isinstance(panel["data"], dict)}
    found: list[Action] = []
    if may.get("edit"):
        found.append(Action(str(_l("Edit")), url_for(".edit", customer_id=customer_id), True,
                            "edit"))
    if forms.get("customers/_contacts.html"):
        found.append(Action(str(_l("Add a contact entry")), "#contact-log", True, "contact"))
    if forms.get("customers/_events.html"):
        found.append(Action(str(_l("Add an event")), "#events", False, "event"))
    if forms.get("customers/_documents.html"):
        found.append(Action(str(_l("Upload a document")),
                            url_for(".add_document", customer_id=customer_id), False,
                            "document"))
    if may.get("history"):
        found.append(Action(str(_l("History")), url_for(".history", customer_id=customer_id),
                            False, "history"))
    if may.get("custody"):
        found.append(Action(str(_l("Custody")), url_for(".custody", customer_id=customer_id),
                            False, "custody"))
    found.append(Action(str(_l("Printable card")), url_for(".card", customer_id=customer_id),
                        False, "card"))
    return found
