"""Write git objects and rewrite trees without an index or a work tree.

Objects are written as loose files the way git itself does (compress to a temporary file in
the object directory, then rename), so a writer killed half way leaves at most an unreferenced
temporary file that ``git gc`` removes. Trees are rebuilt only along the changed paths.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

TREE_MODE = b"40000"
BLOB_MODE = b"100644"


@dataclass(frozen=True)
class Identity:
    """A name and e-mail address as git records them."""

    name: str
    email: str

    def signature(self, when: datetime) -> bytes:
        """Return the ``Name <email> epoch +hhmm`` part of a commit header."""
        name = _clean_header(self.name) or "unknown"
        email = _clean_header(self.email).replace("<", "").replace(">", "")
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        offset = int(when.utcoffset().total_seconds() // 60)
        sign = "+" if offset >= 0 else "-"
        hours, minutes = divmod(abs(offset), 60)
        stamp = f"{int(when.timestamp())} {sign}{hours:02d}{minutes:02d}"
        return f"{name} <{email}> {stamp}".encode()


def _clean_header(value: str) -> str:
    # A newline or angle bracket would let a display name forge commit headers.
    return " ".join(value.replace("<", "").replace(">", "").split())


def write_object(objects_dir: str, kind: bytes, data: bytes, durable: bool = True) -> str:
    """Store one object as a loose file and return its hex id.

    ``durable`` waits for the disk, so a power cut cannot leave the branch pointing at an
    object that was never written; bulk builds may skip it.
    """
    header = kind + b" " + str(len(data)).encode() + b"\0"
    sha = hashlib.sha1(header + data).hexdigest()
    folder = os.path.join(objects_dir, sha[:2])
    target = os.path.join(folder, sha[2:])
    if os.path.exists(target):
        return sha
    os.makedirs(folder, exist_ok=True)
    # git's own prefix, so a stale temporary file is cleaned by `git gc` like git's own.
    fd, tmp = tempfile.mkstemp(prefix="tmp_obj_", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(zlib.compress(header + data, 1))
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return sha


def parse_tree(data: bytes) -> dict[bytes, tuple[bytes, str]]:
    """Return ``{name: (mode, hex id)}`` for raw tree object data."""
    entries: dict[bytes, tuple[bytes, str]] = {}
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode = data[pos:space]
        name = data[space + 1 : nul]
        entries[name] = (mode, data[nul + 1 : nul + 21].hex())
        pos = nul + 21
    return entries


def serialise_tree(entries: Mapping[bytes, tuple[bytes, str]]) -> bytes:
    """Return raw tree data in git's order (a folder sorts as if its name ended in '/')."""

    def key(name: bytes) -> bytes:
        return name + b"/" if entries[name][0] == TREE_MODE else name

    return b"".join(
        entries[name][0] + b" " + name + b"\0" + bytes.fromhex(entries[name][1])
        for name in sorted(entries, key=key)
    )


def rewrite_tree(
    write: Callable[[bytes, bytes], str],
    read_tree: Callable[[str], bytes],
    tree: str | None,
    changes: Mapping[str, str | None],
) -> str | None:
    """Return the id of ``tree`` with blobs set (hex id) or removed (None) at the given paths.

    Only the folders on the changed paths are read and written again; an emptied folder
    disappears, as it would in git. Returns None when the whole tree ends up empty.
    """
    entries = parse_tree(read_tree(tree)) if tree else {}
    here: dict[bytes, str | None] = {}
    below: dict[bytes, dict[str, str | None]] = {}
    for path, blob in changes.items():
        head, _, rest = path.partition("/")
        if not head or head in (".", "..", ".git"):
            raise ValueError(f"unsafe path in archive: {path!r}")
        if rest:
            below.setdefault(head.encode(), {})[rest] = blob
        else:
            here[head.encode()] = blob
    for name, blob in here.items():
        if blob is None:
            entries.pop(name, None)
        else:
            entries[name] = (BLOB_MODE, blob)
    for name, sub_changes in below.items():
        current = entries.get(name)
        subtree = current[1] if current and current[0] == TREE_MODE else None
        new_sub = rewrite_tree(write, read_tree, subtree, sub_changes)
        if new_sub is None:
            entries.pop(name, None)
        else:
            entries[name] = (TREE_MODE, new_sub)
    if not entries:
        return None
    return write(b"tree", serialise_tree(entries))


def commit_data(
    tree: str,
    parent: str | None,
    author: Identity,
    committer: Identity,
    authored: datetime,
    committed: datetime,
    message: str,
) -> bytes:
    """Return raw commit object data."""
    lines = [b"tree " + tree.encode()]
    if parent:
        lines.append(b"parent " + parent.encode())
    lines.append(b"author " + author.signature(authored))
    lines.append(b"committer " + committer.signature(committed))
    body = message.strip("\n") + "\n"
    return b"\n".join(lines) + b"\n\n" + body.encode()
