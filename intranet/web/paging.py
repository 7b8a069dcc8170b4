"""Cut a list into pages driven by the query string (``?page=``), stable for a given list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import request

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number, how many pages and items there are."""

    items: Sequence[Any]
    number: int
    pages: int
    total: int


def page_of(items: Sequence[Any], per_page: int = PER_PAGE) -> Page:
    """Return the page the query string asks for (the last one if it asks beyond)."""
    pages = max((len(items) + per_page - 1) // per_page, 1)
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    start = (number - 1) * per_page
    return Page(items[start:start + per_page], number, pages, len(items))


def page_numbers(page: Page, around: int = 2) -> list[int | None]:
    """Return the page links to show: first, last and a few around the current (None: a gap)."""
    shown = sorted({1, page.pages, *range(max(1, page.number - around),
                                          min(page.pages, page.number + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and out[-1] is not None and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out
