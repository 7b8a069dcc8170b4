"""Hold what every record module reports problems with: N_ and FieldError.

It sits below schema, validate, staff and the policy checks so that none of them imports
another just to name an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(text: str) -> str:
    """Mark a string for translation extraction without translating it."""
    return text


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: a translatable msgid and the values it mentions."""

    path: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        """Return the English message with its parameters filled in."""
        return self.message.format(**self.params)
