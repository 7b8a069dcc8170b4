"""Words for stored codes: enumeration values, version actions, the two cards (R9)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...records.files import schema

_SOURCES = {
    "visit": _l("Sales visit"), "customer_form": _l("Customer data form"),
    "agency": _l("Research agency"), "import": _l("Imported"), "other": _l("Other"),
}

# Keyed by schema path (list indices stripped), so a value is named wherever it appears.
ENUMS: dict[str, dict[str, Any]] = {
    "card": {"distributor": _l("Distributor card"), "terminal": _l("Terminal customer card")},
    "kind": {"supplier": _l("Supplier"), "distributor": _l("Distributor"),
             "terminal": _l("Terminal customer"), "service": _l("Service partner")},
    "stage": {"prospect": _l("Prospect"), "active": _l("Active customer"),
              "former": _l("Former customer")},
    "market": {"domestic": _l("Domestic"), "international": _l("International")},
    "channel": {"direct": _l("Direct"), "indirect": _l("Indirect")},
    "custody.level": {"company": _l("Company level"), "department": _l("Department level"),
                      "personal": _l("Personal level")},
    "source": _SOURCES,
    "contacts.source": _SOURCES,
    "events.source": _SOURCES,
    "contacts.channel": {"visit": _l("Visit"), "call": _l("Call"), "letter": _l("Letter"),
                         "fax": _l("Fax"), "email": _l("Email"), "meeting": _l("Meeting")},
    "events.kind": {
        "legal_representative": _l("New legal representative"),
        "capital": _l("Capital change"), "move": _l("Move"), "merger": _l("Merger"),
        "ownership": _l("Ownership change"), "contract": _l("Contract"), "order": _l("Order"),
        "complaint": _l("Complaint"), "default": _l("Payment default"), "other": _l("Other"),
    },
}

_INDEX = re.compile(r"\[(\d+)\]")

ACTIONS = {"create": _l("Created"), "update": _l("Updated"), "restore": _l("Restored"),
           "contact": _l("Contact recorded"), "event": _l("Event recorded"),
           "yearly": _l("Yearly figures entered"), "import": _l("Figures imported"),
           "document": _l("Document added"), "document_removed": _l("Document removed"),
           "customer_form": _l("Customer form received"),
           "customer_form_review": _l("Customer form reviewed"),
           "custody": _l("Custody changed"), "merge": _l("Merged"),
           "correct": _l("Entry corrected"), "withdraw": _l("Entry withdrawn")}

# R9: what each card is for, shown when a new file is opened.
CARDS = {
    "distributor": _l("For distributors (經銷商). The regions supply the data: region, "
                      "address and phone are required."),
    "terminal": _l("For terminal customers (終端客戶). The business and sales departments "
                   "supply the data: industry and phone are required."),
}


def enum_label(path: str, value: Any) -> str:
    """Return the words for an enumeration value, or the value itself if unknown."""
    words = ENUMS.get(schema.schema_path(path), {}).get(value)
    return str(words) if words is not None else str(value)


def enum_choices(path: str, blank: bool = False) -> list[tuple[str, str]]:
    """Return (value, words) pairs of an enumeration, optionally led by a blank choice."""
    declared = schema.field_at(path)
    values = declared.choices if declared else ()
    pairs = [(v, enum_label(path, v)) for v in values]
    return [("", "—"), *pairs] if blank else pairs


def field_label(path: str) -> str:
    """Return the translated label of a record path; indices become "#n" after the label."""
    text = _(schema.label(path))
    positions = [int(n) + 1 for n in _INDEX.findall(path)]
    if positions and schema.label(path) != path:
        # people[1].phone -> "Phone (People #2)": which entry matters in a diff.
        owner = _(schema.label(path.split("[", 1)[0]))
        text = f"{text} ({owner} #{positions[0]})" if "." in path.split("]", 1)[-1] \
            else f"{owner} #{positions[0]}"
    return text
