"""The register of merged files: which retired customer id now lives on in which kept one (R4).

``merged.yaml`` at the archive's root lists every merge: the retired id, the id it was merged
into, the day and who did it, and the retired file's last blob. It is outside ``customers/``
so the index and the id allocation never take it for a customer file. A retired id is never
given out again (``CustomerFiles.next_id`` reads this register) and every page of it leads to
the kept file.
"""

from __future__ import annotations

import re
from typing import Any

from intranet.archive.errors import CorruptRecord
from intranet.archive.repository import Snapshot
from intranet.records.files import yamlio

PATH = "merged.yaml"
ORDER: dict[str, Any] = {"merged": {"retired": None, "kept": None, "on": None, "by": None,
                                     "retired_blob": None}}
_ID = re.compile(r"^C\d{6}$")


def entries(snapshot: Snapshot) -> list[dict[str, Any]]:
    """Return the register's well-formed entries at a snapshot (none when it is absent)."""
    raw = snapshot.get(PATH)
    if raw is None:
        return []
    try:
        data = yamlio.load(raw, PATH)
    except CorruptRecord:
        return []  # a damaged register hides no file; next_id still skips the folders' ids
    listed = data.get("merged")
    return [e for e in listed if isinstance(e, dict) and _ID.match(str(e.get("retired", "")))
            and _ID.match(str(e.get("kept", "")))] if isinstance(listed, list) else []


def mapping(snapshot: Snapshot) -> dict[str, str]:
    """Return {retired id: kept id} as the register says, one step each."""
    return {str(e["retired"]): str(e["kept"]) for e in entries(snapshot)}


def kept_for(snapshot: Snapshot, customer_id: str) -> str | None:
    """Return the file a retired id lives on in (following later merges), or None."""
    found = mapping(snapshot)
    seen = {customer_id}
    current = found.get(customer_id)
    while current is not None and current in found and current not in seen:
        seen.add(current)
        current = found[current]
    return current


def highest(snapshot: Snapshot) -> int:
    """Return the highest retired id's number (0 when nothing was merged)."""
    return max((int(str(e["retired"])[1:]) for e in entries(snapshot)), default=0)


def with_entry(snapshot: Snapshot, entry: dict[str, Any]) -> bytes:
    """Return the register's bytes with one more entry."""
    return yamlio.dump({"merged": [*entries(snapshot), entry]}, ORDER)
