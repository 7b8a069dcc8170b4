"""WTForms validators with our own translated messages.

Flask-WTF would otherwise show WTForms' bundled messages, whose Chinese catalogue is Simplified
only; these keep every message in the user's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, EqualTo, Length


def required() -> DataRequired:
    """A field that must be filled in."""
    return DataRequired(message=_l("Required"))


def at_most(characters: int) -> Length:
    """Text of at most ``characters`` characters."""
    return Length(max=characters, message=_l("Enter at most %(max)d characters."))


def between(shortest: int, longest: int) -> Length:
    """Text of ``shortest`` to ``longest`` characters."""
    return Length(min=shortest, max=longest,
                  message=_l("Enter between %(min)d and %(max)d characters."))


def same_as(other: str) -> EqualTo:
    """A repeated entry that must match ``other``."""
    return EqualTo(other, message=_l("The two entries differ."))
