"""Turn an import plan into one commit's files: new files under consecutive ids, fills (R4).

Called inside ``archive.commit``'s build, so the ids start at the next free one of the head
the commit follows. Every blob is written (durably, as the archive is configured) before the
commit object, and the branch moves only after the commit object is written: the branch
never points at an object that is not on disk.
"""

from __future__ import annotations

import re
from typing import Any

from intranet.archive.errors import ArchiveError
from intranet.archive.repository import Change, Snapshot
from intranet.records.files import yamlio
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.schema import ORDER
from intranet.records.files.validate import normalise
from intranet.records.imports.importing import Plan

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
    """Write records as ``yamlio.dump`` does, reusing the text of pieces met before.

    PyYAML's emitter costs milliseconds per record, and thousands of imported files share
    most of their text (empty sections, empty fields, the same custodian). In block style a
    top-level key's block does not depend on its neighbours, and a mapping of plain values
    nested under a key is each ``key: value`` of its own indented by two spaces (a list item
    by four, its first line marked ``- ``): so whole sections, and each field of a flat one,
    are dumped once and joined. The tests compare the result with one dump of the record.
    """

    def __init__(self, limit: int = 20_000) -> None:
        """Start with nothing known; remember at most ``limit`` pieces."""
        self.known: dict[tuple[str, str], bytes] = {}
        self.limit = limit

    def dump(self, record: dict[str, Any]) -> bytes:
        """Return the canonical YAML bytes of a record."""
        return b"".join(self._section(key, value)
                        for key, value in yamlio.ordered(record, ORDER).items())

    def _section(self, key: str, value: Any) -> bytes:
        if isinstance(value, dict) and value and _flat(value):
            return self._known(key, value, lambda: _head(key) + _indent(
                self._pairs(value), b"  "))
        if isinstance(value, list) and value and all(
                isinstance(item, dict) and item and _flat(item) for item in value):
            return self._known(key, value, lambda: _head(key) + b"".join(
                b"  - " + _indent(self._pairs(item), b"    ")[4:] for item in value))
        return self._known(key, value, lambda: yamlio.dump({key: value}))

    def _pairs(self, mapping: dict[str, Any]) -> bytes:
        """Return a flat mapping's ``key: value`` lines, dumping the new ones in one call."""
        texts = {k: self.known.get((k, repr(v))) for k, v in mapping.items()}
        new = {k: v for k, v in mapping.items() if texts[k] is None}
        if new:
            # Each key's block starts at a line beginning with the key (a plain name); the
            # lines of a literal block below it are indented or empty.
            # The dump sorts the keys (no order given); each block is the same wherever it is.
            chunks = _KEY_LINE.split(yamlio.dump(new, None))
            for k, text in zip(sorted(new), chunks[1:], strict=True):
                texts[k] = text
                if len(self.known) < self.limit:
                    self.known[(k, repr(new[k]))] = text
        return b"".join(texts[k] or b"" for k in mapping)

    def _known(self, key: str, value: Any, make: Any) -> bytes:
        # repr tells 1, 1.0, True and "1" apart, and keeps the (canonical) key order.
        sig = (key, repr(value))
        text = self.known.get(sig)
        if text is None:
            text = make()
            if len(self.known) < self.limit:
                self.known[sig] = text
        return text


_PLAIN_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY_LINE = re.compile(rb"^(?=[a-z])", re.MULTILINE)
# Line breaks other than \n, which YAML also breaks lines at: such text is dumped whole.
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def _head(key: str) -> bytes:
    """Return a section's first line (only plain lower-case keys are composed)."""
    if not _PLAIN_KEY.match(key):
        raise ValueError(key)
    return f"{key}:\n".encode()


def _flat(mapping: dict[str, Any]) -> bool:
    """Tell whether every value is a scalar or an empty list or mapping, under plain keys."""
    return all(isinstance(k, str) and _PLAIN_KEY.match(k) and (
        v is None or isinstance(v, (int, float)) or v == [] or v == {}
        or (isinstance(v, str) and not _OTHER_BREAKS.search(v)))
        for k, v in mapping.items())


def _indent(text: bytes, pad: bytes) -> bytes:
    """Indent every non-empty line (PyYAML writes a literal block's empty lines bare)."""
    return b"\n".join(pad + line if line else line for line in text.split(b"\n"))


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
