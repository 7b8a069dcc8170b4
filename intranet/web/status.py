"""A status page that shows the archive is alive, without any customer's contents."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import services
from ..index import Query

bp = Blueprint("status", __name__)


@bp.get("/healthz")
def health():
    """Report the archive's head and how many files the index holds."""
    svc = services.get()
    head = svc.index.catch_up()
    return jsonify(status="ok", head=head, customers=svc.index.find(Query(per_page=1)).total)
