"""Fold text for search: one token per character, Traditional and Simplified alike.

Chinese has no spaces, and people search by one or two characters (a surname, a city), which
SQLite's trigram tokenizer cannot find. So every letter, digit and ideograph becomes its own
token and a query becomes a phrase of consecutive tokens: a substring search that works for any
length. Punctuation is dropped, so ``(02)2531-7099`` and ``0225317099`` are the same tokens, and
NFKC turns full-width digits and letters into ASCII.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

# Never produced by a query (queries are single characters), so no phrase spans two fields.
FIELD_BREAK = "brk"


@cache
def _to_simplified() -> dict[int, str]:
    # OpenCC's character table: "繁 简 [more]" per line; we only need one form to compare.
    table: dict[int, str] = {}
    text = resources.files("opencc").joinpath("dictionary/TSCharacters.txt").read_text("utf-8")
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1 and len(parts[1]) == 1:
            table[ord(parts[0])] = parts[1]
    return table


def fold(text: str) -> str:
    """Return ``text`` in the form search compares: NFKC, case-folded, Simplified."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_to_simplified())


def characters(text: str) -> list[str]:
    """Return the searchable characters of ``text`` after folding."""
    return [ch for ch in fold(text) if ch.isalnum()]


def document(fields: list[str]) -> str:
    """Return the token string stored for a record's searchable fields."""
    parts = [" ".join(characters(value)) for value in fields if value]
    return f" {FIELD_BREAK} ".join(part for part in parts if part)


def match_expression(query: str) -> str | None:
    """Return an FTS5 expression: every word of the query must occur as a substring."""
    words = query.split()
    if not any(ch.isalpha() for ch in query):
        words = ["".join(words)]  # a phone number typed with spaces is still one number
    phrases = []
    for word in words:
        chars = characters(word)
        if chars:
            phrases.append('"' + " ".join(chars) + '"')
    return " AND ".join(phrases) if phrases else None
