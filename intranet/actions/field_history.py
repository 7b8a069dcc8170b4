"""Who last changed each field of a customer file, at the version a reader is shown.

A history read: the reader's right to see the file's history is asked of the access module and
journalled (R33, R35) through the request's ``Reader`` before git is asked anything. No Flask.
"""

from __future__ import annotations

from ..archive.blame import LineOrigin, blame
from ..records.files.customers import customer_path
from ..records.files.field_lines import latest_by_field, line_paths
from ..records.rights.access import Actor
from .reading import Reader


def field_changes(reader: Reader, customer_id: str, actor: Actor, commit: str,
                  raw: bytes) -> dict[str, LineOrigin]:
    """Return each field's last change (by path; groups and lists too) up to ``commit``.

    ``raw`` is the file's text at ``commit`` (the version on the page), which the blame's lines
    are of; Hidden when the actor may not read the file's history.
    """
    reader.allow(customer_id, actor, "history")
    origins = blame(reader.stores.archive, customer_path(customer_id), commit)
    paths = line_paths(raw.decode("utf-8"))
    return latest_by_field(paths, origins)  # type: ignore[return-value]
