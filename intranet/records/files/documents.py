"""Contracts and other documents kept with a customer file (R13).

A document's bytes live in the archive next to the file, under a name the system makes
(``documents/0000/C000042/D0003-3fa9c2b1e07d.pdf``: number, start of the SHA-256, the extension
of the type read from the bytes); nothing of the uploaded name reaches a path. The entry in
the record's ``documents`` list keeps the original name, title, kind, dates, size, checksum
and uploader. Adding or removing a document is one commit with the entry and the bytes;
removing takes both out of the head, and git keeps them in the history.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from intranet.archive.errors import NotFound
from intranet.archive.objects import Identity
from intranet.archive.repository import Snapshot
from intranet.records.files import filetypes
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.filetypes import FileType, Refused
from intranet.records.files.messages import N_
from intranet.records.files.schema import NAME_LIMIT

KINDS = ("contract", "agreement", "certificate", "letter", "other")
# "Contract document", not the event kind "Contract" (signing one): another word in Chinese.
KIND_LABELS = {"contract": N_("Contract document"), "agreement": N_("Agreement"),
               "certificate": N_("Certificate"), "letter": N_("Letter"), "other": N_("Other")}
ROOT = "documents/"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ADD_ACTION = "document"
REMOVE_ACTION = "document_removed"
# D0003-3fa9c2b1e07d.pdf: the only names the system writes, and the only ones it serves.
NAME_RE = re.compile(r"^D(\d{4,6})-([0-9a-f]{12})\.([a-z0-9]{2,5})$")
# Windows gives these names to devices; a download must not be called that.
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)),
                      *(f"LPT{n}" for n in range(10))})

__all__ = ["KINDS", "Refused", "Upload", "add", "find", "read", "remove"]


@dataclass(frozen=True)
class Upload:
    """What someone sent: the bytes and what they said about them."""

    data: bytes
    original_name: str = ""
    title: str = ""
    kind: str = "other"
    signed_on: str = ""


def folder(customer_id: str) -> str:
    """Return the folder of a customer's documents: ``documents/0000/C000042/``."""
    digits = customer_path(customer_id).split("/")[1]
    return f"{ROOT}{digits}/{customer_id}/"


def stored_name(number: int, sha256: str, kind: FileType) -> str:
    """Return the generated name of a document: ``D0003-3fa9c2b1e07d.pdf``."""
    return f"D{number:04d}-{sha256[:12]}.{kind.ext}"


def clean_name(name: str | None) -> str:
    """Return an uploaded name fit to keep as metadata: last path part, no control characters.

    Chinese and other scripts are kept; control and format characters (NUL, bidi overrides that
    disguise ``exe.pdf``), path separators and surrounding dots and spaces are not.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in ("C",)
                   and c not in ":*?\"<>|")
    text = text.strip(" .")
    if len(text) > NAME_LIMIT:
        _stem, dot, ext = text.rpartition(".")
        keep = f".{ext}" if dot and 0 < len(ext) <= 10 else ""
        text = text[:NAME_LIMIT - len(keep)].rstrip(" .") + keep
    return text


def title_from(original_name: str) -> str:
    """Return a default title: the original name without its extension."""
    stem, dot, ext = original_name.rpartition(".")
    return (stem if dot and stem and len(ext) <= 10 else original_name)[:NAME_LIMIT]


def human_size(size: int) -> str:
    """Return a byte count for people: ``812 B``, ``14.2 KB``, ``3.5 MB``."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def entries(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the record's document entries (well-formed mappings only)."""
    listed = (record or {}).get("documents")
    return [d for d in listed if isinstance(d, dict)] if isinstance(listed, list) else []


def find(record: dict[str, Any] | None, customer_id: str, name: str) -> dict[str, Any] | None:
    """Return the entry stored under ``name`` in the customer's own folder, or None.

    An entry pointing anywhere else (a hand edit naming another file's path) is never served.
    """
    if not NAME_RE.match(name or ""):
        return None
    wanted = folder(customer_id) + name
    return next((d for d in entries(record) if d.get("file") == wanted), None)


def read(snapshot: Snapshot, customer_id: str, entry: dict[str, Any]) -> bytes | None:
    """Return a document's bytes at a snapshot, or None if they are not there."""
    path = str(entry.get("file") or "")
    if not path.startswith(folder(customer_id)) or not NAME_RE.match(path.rpartition("/")[2]):
        return None
    return snapshot.get(path)


def served_type(data: bytes, entry: dict[str, Any]) -> FileType | None:
    """Return the type of stored bytes as read again now (not as the entry says)."""
    try:
        return filetypes.sniff(data, str(entry.get("file") or ""))
    except Refused:
        return None


def download_name(entry: dict[str, Any], kind: FileType | None) -> str:
    """Return the name a download is saved as: the original name with a fitting extension."""
    stored = str(entry.get("file") or "").rpartition("/")[2]
    name = clean_name(str(entry.get("original_name") or "")) or \
        clean_name(str(entry.get("title") or "")) or stored
    stem, dot, ext = name.rpartition(".")
    if kind is not None and not (dot and ext.lower() in kind.extensions):
        name = f"{name}.{kind.ext}"
        stem = name.rpartition(".")[0]
    if stem.split(".")[0].upper() in _DEVICES:
        name = "_" + name
    return name


def _next_number(record: dict[str, Any], snapshot: Snapshot, customer_id: str) -> int:
    """Return the number after the highest one in the record and in the folder."""
    numbers = [0]
    names = [str(d.get("file") or "").rpartition("/")[2] for d in entries(record)]
    names += snapshot.listdir(folder(customer_id).rstrip("/"))
    for name in names:
        match = NAME_RE.match(name)
        if match:
            numbers.append(int(match.group(1)))
    return max(numbers) + 1


def check(upload: Upload, max_bytes: int) -> FileType:
    """Return the upload's type, or raise Refused (too large, empty, kind, wrong content)."""
    if len(upload.data) > max_bytes:
        raise Refused(N_("The file is larger than {limit}, the most this intranet keeps."),
                      limit=human_size(max_bytes))
    if upload.kind not in KINDS:
        raise Refused(N_("Choose a document kind from the list."))
    return filetypes.sniff(upload.data, upload.original_name)


def add(files: CustomerFiles, customer_id: str, upload: Upload, author: str | Identity,
        today: date, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, dict[str, Any]]:
    """Commit a document and its entry in one commit; return (commit, entry).

    Refused if the file is too large, of a kind not kept, or already in the file;
    InvalidRecord if the entry does not validate (a title too long, a bad date).
    """
    kind = check(upload, max_bytes)
    digest = hashlib.sha256(upload.data).hexdigest()
    original = clean_name(upload.original_name)
    made: dict[str, Any] = {}

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
        for existing in entries(record):
            if existing.get("sha256") == digest:
                raise Refused(N_("This document is already in the file as “{title}”."),
                              title=str(existing.get("title") or existing.get("file")))
        path = folder(customer_id) + stored_name(_next_number(record, snapshot, customer_id),
                                                 digest, kind)
        entry = {"file": path, "title": upload.title.strip() or title_from(original) or
                 path.rpartition("/")[2], "kind": upload.kind,
                 "signed_on": upload.signed_on.strip(), "size": len(upload.data),
                 "sha256": digest, "uploaded_by": _username(author),
                 "original_name": original, "content_type": kind.content_type,
                 "uploaded_on": today.isoformat()}
        made["entry"] = entry
        record["documents"] = [*(record.get("documents") or []), entry]
        return record

    commit = files.amend(customer_id, apply, author, action=ADD_ACTION,
                         files=lambda snapshot, after: {made["entry"]["file"]: upload.data})
    if commit is None:  # cannot happen: a new entry always changes the file
        raise NotFound(customer_id)
    return commit, made["entry"]


def remove(files: CustomerFiles, customer_id: str, name: str, author: str | Identity) -> str:
    """Take a document and its entry out of the file in one commit; git keeps both in history.

    NotFound if the file has no document of that name at the head.
    """
    removed: dict[str, str] = {}

    def apply(record: dict[str, Any], snapshot: Snapshot) -> dict[str, Any]:
        entry = find(record, customer_id, name)
        if entry is None:
            raise NotFound(name)
        removed["path"] = str(entry["file"])
        record["documents"] = [d for d in record.get("documents") or [] if d is not entry]
        return record

    def blobs(snapshot: Snapshot, after: dict[str, Any]) -> dict[str, bytes | None]:
        # Another entry may share the bytes' path only if it is the very same document.
        still = any(d.get("file") == removed["path"] for d in entries(after))
        return {} if still or snapshot.blob_id(removed["path"]) is None \
            else {removed["path"]: None}

    commit = files.amend(customer_id, apply, author, action=REMOVE_ACTION, files=blobs)
    if commit is None:
        raise NotFound(name)
    return commit


def _username(author: str | Identity) -> str:
    """Return the username an upload is attributed to in the entry."""
    return author if isinstance(author, str) else ""
