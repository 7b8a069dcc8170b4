"""The two cards (R9): which fields the distributor card and the terminal card ask for.

The declaration is ``schema.CARD_ONLY``; this module answers questions about it. A field that
only the other card asks for is not offered on a form, but a value the file already has there
is kept as it is and shown as belonging to the other card. No Flask here.
"""

from __future__ import annotations

from intranet.records.files import schema


def other_cards_fields(card: str) -> frozenset[str]:
    """Return the schema paths that only cards other than ``card`` ask for."""
    if card not in schema.CARDS:
        return frozenset()  # an unknown card (a damaged file) hides nothing
    return frozenset(path for other, paths in schema.CARD_ONLY.items() if other != card
                     for path in paths)


def on_card(card: str, path: str) -> bool:
    """Tell whether a card asks for a field (list indices ignored)."""
    return schema.schema_path(path) not in other_cards_fields(card)


def card_of(record: dict | None) -> str:
    """Return a record's card, or "" when it has none the schema knows."""
    card = (record or {}).get("card")
    return card if card in schema.CARDS else ""


def group_keys(card: str, group: str) -> tuple[str, ...]:
    """Return the keys of a record group that a card asks for, in the schema's order."""
    return tuple(key for key in schema.SCHEMA[group].children if on_card(card, f"{group}.{key}"))


def other_card_values(record: dict, card: str | None = None) -> list[tuple[str, object]]:
    """Return (path, value) of the filled-in fields that only another card asks for."""
    card = card_of(record) if card is None else card
    found = []
    for path in sorted(other_cards_fields(card), key=_schema_position):
        group, _dot, key = path.partition(".")
        values = record.get(group)
        value = values.get(key) if isinstance(values, dict) else None
        if value not in (None, "", [], {}):
            found.append((path, value))
    return found


def _schema_position(path: str) -> tuple[int, int]:
    """Order paths as the schema declares them."""
    group, _dot, key = path.partition(".")
    groups = list(schema.SCHEMA)
    keys = list(schema.SCHEMA[group].children) if group in schema.SCHEMA else []
    return (groups.index(group) if group in groups else len(groups),
            keys.index(key) if key in keys else len(keys))
