"""Turn an import plan into one commit's files: new files under consecutive ids, fills (R4).

Called inside ``archive.commit``'s build, so the ids start at the next free one of the head
the commit follows. Every blob is written (durably, as the archive is configured) before the
commit object, and the branch moves only after the commit object is written: the branch
never points at an object that is not on disk.
"""

from __future__ import annotations

import re
from typing import Any

from ..archive.errors import ArchiveError
from ..archive.repository import Change, Snapshot
from . import yamlio
from .customers import CustomerFiles, customer_path
from .importing import Plan
from .schema import ORDER
from .validate import normalise

ACTION = "import"
SOURCE = "import"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
LAST_ID = 999_999


def file_label(filename: str) -> str:
    """Return an upload's name as one line for a commit message (no path, no controls)."""
    name = re.split(r"[\\/]", filename or "")[-1]
    return _CONTROL.sub(" ", name).strip()[:200] or "-"


def subject(filename: str, created: int, filled: int) -> str:
    """Return the first line of an import's commit: ``匯入 客戶名冊.xlsx：新增 120、補充 3``."""
    return f"匯入 {file_label(filename)}：新增 {created}、補充 {filled}"


def message(filename: str, created: int, filled: int, rows: int) -> str:
    """Return an import's whole commit message with its trailers."""
    name = file_label(filename)
    trailers = {"Action": ACTION, "Source": f"{SOURCE} {name}", "Rows": str(rows)}
    return (subject(filename, created, filled) + "\n\n"
            + "\n".join(f"{k}: {v}" for k, v in trailers.items()) + "\n")


class SectionDumper:
    """Write records as ``yamlio.dump`` does, one top-level section at a time, reusing the
    text of a section met before (the empty ones, the same custody): PyYAML's emitter costs
    milliseconds per record, and thousands of new files share most of their sections.

    A top-level key's block does not depend on its neighbours, so the joined sections are
    the same bytes as one dump of the whole record (the tests compare them).
    """

    def __init__(self, limit: int = 5000) -> None:
        """Start with no section known; remember at most ``limit`` of them."""
        self.known: dict[tuple[str, str], bytes] = {}
        self.limit = limit

    def dump(self, record: dict[str, Any]) -> bytes:
        """Return the canonical YAML bytes of a record."""
        parts = []
        for key, value in yamlio.ordered(record, ORDER).items():
            # repr tells 1, 1.0, True and "1" apart; the keys are in canonical order already.
            sig = (key, repr(value))
            text = self.known.get(sig)
            if text is None:
                text = yamlio.dump({key: value})
                if len(self.known) < self.limit:
                    self.known[sig] = text
            parts.append(text)
        return b"".join(parts)


def change(files: CustomerFiles, snapshot: Snapshot, plan: Plan, filename: str,
           rows: int) -> Change | None:
    """Return the files of the import at ``snapshot`` (None when it changes nothing).

    Sets each new row's ``customer`` to the id it receives.
    """
    written: dict[str, bytes | None] = {}
    dumper = SectionDumper()
    start = int(files.next_id(snapshot)[1:])
    new_rows = plan.new_rows
    if start + len(new_rows) - 1 > LAST_ID:
        raise ArchiveError("the archive has no customer numbers left for this import")
    for offset, row in enumerate(new_rows):
        customer = f"C{start + offset:06d}"
        assert row.record is not None
        row.customer = customer
        written[customer_path(customer)] = dumper.dump({**row.record, "id": customer})
    filled = 0
    for customer, record in sorted(plan.files.items()):
        path = customer_path(customer)
        data = yamlio.dump(normalise({**record, "id": customer}))
        if data != snapshot.get(path):
            written[path] = data
            filled += 1
    if not written:
        return None
    return Change(written, message(filename, len(new_rows), filled, rows))
