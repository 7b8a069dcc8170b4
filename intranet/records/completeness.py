"""How complete a customer file is (R4, R19): the policy's fields per card, filled or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .policy import Policy


@dataclass(frozen=True)
class Completeness:
    """The share of a card's fields a file fills in, and the paths still empty."""

    percent: int
    missing: list[str] = field(default_factory=list)
    counted: int = 0

    @property
    def complete(self) -> bool:
        """Tell whether nothing is missing."""
        return not self.missing


def value_at(record: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path, or None where any step is not a mapping."""
    value: Any = record
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def is_filled(value: Any) -> bool:
    """Tell whether a value counts as filled in.

    A list counts when it has an entry, text when it is not blank, a mapping when any of its
    values is filled, and anything else (an amount, a date, a flag) when it is not None.
    """
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values())
    return True


def completeness(record: dict[str, Any], policy: Policy) -> Completeness:
    """Return how complete a file is for its card; a card with no listed fields is complete."""
    paths = policy.completeness_fields(str(record.get("card") or ""))
    if not paths:
        return Completeness(100, [], 0)
    missing = [p for p in paths if not is_filled(value_at(record, p))]
    # Rounded down, so 100 is only ever shown for a file with nothing missing.
    percent = (len(paths) - len(missing)) * 100 // len(paths)
    return Completeness(percent, missing, len(paths))
