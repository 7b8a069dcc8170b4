"""A status page that shows the archive is alive, without any customer's contents."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import services
from ..index import Query
from .admin.views import is_administrator

bp = Blueprint("status", __name__)


@bp.get("/healthz")
def health():
    """Say "ok" once the archive answers; only an administrator sees its head and size."""
    svc = services.get()
    if not is_administrator():
        svc.archive.head()  # fails (500) when the archive cannot be read
        return jsonify(status="ok")
    head = svc.index.catch_up()
    return jsonify(status="ok", head=head, customers=svc.index.find(Query(per_page=1)).total)
