"""The prospect ranking (R29): ``/customers/prospects`` and its workbook, one answer."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user, login_required

from ... import services
from ...actions import prospects as ranking
from ...index import discipline as listing
from ...sheets.writing import xlsx_bytes
from . import reading
from .blueprint import bp
from .export_views import XLSX, _send, words
from .labels import enum_choices


@bp.get("/prospects")
@login_required
def prospects():
    """Rank the prospects the user may read by sales-power score, with filters (R29)."""
    filters = ranking.filters_from(request.args)
    rows = ranking.ranked(reading.reader(), reading.actor(current_user), filters)
    index = services.get().index
    choices = {name: [(v, v) for v in listing.prospect_choices(index, name)]
               for name in ("region", "industry", "nature", "customer_type")}
    choices["market"] = enum_choices("market")
    choices["channel"] = enum_choices("channel")
    choices["grade"] = [(g, g) for g in reading.rules().policy.grades]
    download = url_for(".prospects_xlsx", **{k: v for k, v in filters.items() if v})
    return render_template("customers/prospects.html", rows=rows, filters=filters,
                           choices=choices, download=download)


@bp.get("/prospects.xlsx")
@login_required
def prospects_xlsx():
    """Send the ranking as shown (same filters, same order), every file journalled."""
    found = ranking.export(reading.reader(), reading.actor(current_user),
                           ranking.filters_from(request.args), words())
    widths = [c.width for c in ranking.COLUMNS]
    return _send(xlsx_bytes(found.headings, found.lines, found.title, widths), XLSX,
                 "prospects.xlsx")
