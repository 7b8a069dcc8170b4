"""The customer list (客戶一覽表, R17): search, filters, sortable columns, pages."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...index import Query
from ...records.files import schema
from . import reading
from .blueprint import bp
from .figures_views import classes, figures_ids
from .labels import enum_choices

# Everything the list understands in its query string, so links keep the whole state.
STATE = ("q", "card", "kind", "stage", "grade", "region", "industry", "owner", "level", "vip",
         "damaged", "sort", "desc", "page", "per_page")
COLUMNS = ("id", "name", "card", "stage", "grade", "region", "owner", "level", "updated")


def listed(name: str) -> list[tuple[str, str]]:
    """Return a filter's choices: the classification list (R23), then values outside it."""
    values = list(classes().values(name))
    outside = [v for v in reading.choices(name) if v not in values]
    return [(v, v) for v in values] + [(v, _("%(value)s (not in the list)", value=v))
                                       for v in outside]


def _filters() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Return (name, label, choices) of each drop-down filter."""
    policy = reading.rules().policy
    return [
        ("card", _(schema.LABELS["card"]), enum_choices("card")),
        ("kind", _(schema.LABELS["kind"]), enum_choices("kind")),
        ("stage", _(schema.LABELS["stage"]), enum_choices("stage")),
        ("grade", _(schema.LABELS["grade"]), [(g, g) for g in policy.grades]),
        ("region", _(schema.LABELS["classification.region"]), listed("region")),
        ("industry", _(schema.LABELS["classification.industry"]), listed("industry")),
        ("owner", _(schema.LABELS["custody.owner"]),
         [(u, reading.staff_name(u)) for u in reading.choices("owner")]),
        ("level", _(schema.LABELS["custody.level"]), enum_choices("custody.level")),
    ]


def _columns() -> list[tuple[str, str]]:
    """Return (sort key, heading) of the list's columns."""
    words = {"owner": _(schema.LABELS["custody.owner"]), "updated": _("Last change"),
             "region": _(schema.LABELS["classification.region"]),
             "level": _(schema.LABELS["custody.level"])}
    return [(c, words.get(c) or _(schema.LABELS[c if c != "name" else "basic.name"]))
            for c in COLUMNS]


def state_args(**changes: Any) -> dict[str, str]:
    """Return the current list state with changes applied; blanks are left out of the URL."""
    args = {k: v for k, v in request.args.items() if k in STATE and v}
    args.update({k: v for k, v in changes.items()})
    return {k: str(v) for k, v in args.items() if v not in (None, "", False)}


@bp.get("/")
@login_required
def index():
    """List, search, filter, sort and page the customers."""
    query = Query.from_args(request.args)
    page = reading.find(query, current_user)
    return render_template("customers/list.html", page=page, query=query, filters=_filters(),
                           figures_ids=figures_ids(page.rows),
                           columns=_columns(), state_args=state_args,
                           filtered=any(request.args.get(k) for k in STATE[:11]))
