"""Give templates the names of customer files the signed-in user may read (ids otherwise)."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from flask_login import current_user

from ... import services
from ...index.names import readable_names
from ..customers import reading
from .blueprint import bp


def file_names(ids: Iterable[str]) -> dict[str, str]:
    """Return {id: name} for the files among ``ids`` the signed-in user may read."""
    if not getattr(current_user, "is_authenticated", False):
        return {}
    if "file_names_sql" not in g:
        g.file_names_sql = reading.reader().readable(reading.actor(current_user))
    return readable_names(services.get().index, ids, g.file_names_sql)


@bp.app_context_processor
def _file_names() -> dict:
    """Give every template ``file_names(ids)``."""
    return {"file_names": file_names}
