"""Charts drawn on the server as SVG geometry (no JavaScript; classes only, CSP-safe)."""

from __future__ import annotations

from typing import Any

WIDTH = 640
_LABEL, _VALUE, _ROW, _TOP = 150, 110, 30, 6  # label column, value column, row height, margin


def bars(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Return horizontal bars: each item's ``amount`` and ``last`` (last year, thinner)."""
    highest = max([max(i["amount"], i.get("last") or 0) for i in items] or [0]) or 1
    room = WIDTH - _LABEL - _VALUE
    drawn = []
    for n, item in enumerate(items):
        y = _TOP + n * _ROW
        drawn.append({
            **item, "y": y, "text_y": y + 12, "label_x": _LABEL - 6, "x": _LABEL,
            "width": round(room * max(item["amount"], 0) / highest, 1),
            "last_width": round(room * max(item.get("last") or 0, 0) / highest, 1),
            "last_y": y + 16, "value_x": _LABEL + room + 6})
    return {"width": WIDTH, "height": _TOP * 2 + max(len(items), 1) * _ROW, "bars": drawn,
            "axis_x": _LABEL}


def columns(items: list[dict[str, Any]], width: int = 320, height: int = 140) -> dict[str, Any]:
    """Return vertical bars of ``amount`` per ``label`` (a small trend chart)."""
    top, bottom, side = 16, 20, 4
    highest = max([i["amount"] for i in items] or [0]) or 1
    slot = (width - 2 * side) / max(len(items), 1)
    plot = height - top - bottom
    drawn = []
    for n, item in enumerate(items):
        tall = round(plot * max(item["amount"], 0) / highest, 1)
        x = side + n * slot
        drawn.append({**item, "x": round(x + slot * 0.15, 1), "width": round(slot * 0.7, 1),
                      "y": round(top + plot - tall, 1), "height": tall,
                      "middle": round(x + slot / 2, 1)})
    return {"width": width, "height": height, "bars": drawn, "baseline": top + plot,
            "label_y": height - 6}
