"""One instance folder per archive: the archive remembers which instance serves it.

The instance folder holds what is local to a server: the read-audit journal, credentials, the
index. Two servers (or a server and a CLI run) pointed at one archive with different instance
folders would keep two journals, and the second could never be sealed after the first (its
chain does not continue the sealed record). So each instance folder gets an id once
(``instance/instance-id``, a UUID that moves with the folder), and the archive records the
instance that serves it in ``intranet-instance.json`` inside the bare git directory: a plain
file, not a commit, so clones and bundles do not carry it and a restored archive is claimed
afresh by whoever starts on it first. No Flask imports here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .config import write_new

ID_FILE = "instance-id"
MARKER = "intranet-instance.json"
log = logging.getLogger(__name__)


class InstanceConflict(RuntimeError):
    """Raised when the archive is served by another instance folder."""


def instance_id(instance: Path) -> str:
    """Return the instance folder's id, making it on first use (once, among many workers)."""
    path = instance / ID_FILE
    write_new(path, f"{uuid.uuid4()}\n", 0o644)
    value = path.read_text().strip()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InstanceConflict(f"{path} does not hold an instance id ({value[:40]!r}); "
                               "delete it and start again") from None


def _describe(claim: dict[str, Any]) -> str:
    return (f"{claim.get('instance', '?')} on host {claim.get('host', '?')} "
            f"(instance id {claim.get('id', '?')}, since {claim.get('claimed_at', '?')})")


def _read(marker: Path) -> dict[str, Any] | None:
    try:
        claim = json.loads(marker.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # damaged: nobody can be identified by it
    return claim if isinstance(claim, dict) else {}


def _replace(marker: Path, claim: dict[str, Any]) -> None:
    temporary = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(claim, ensure_ascii=False, indent=1) + "\n")
    os.replace(temporary, marker)


def claim_archive(archive: Path, instance: Path, takeover: bool = False,
                  now: datetime | None = None) -> dict[str, Any]:
    """Record ``instance`` as the one serving ``archive``; refuse when another one does.

    Returns the claim in force. With ``takeover`` (the server moved to a new folder or
    machine for good) another instance's claim is replaced, loudly.
    """
    instance = instance.absolute()
    mine = {"id": instance_id(instance), "instance": str(instance),
            "host": socket.gethostname(),
            "claimed_at": (now or datetime.now(UTC)).isoformat(timespec="seconds")}
    marker = archive / MARKER
    text = json.dumps(mine, ensure_ascii=False, indent=1) + "\n"
    current = _read(marker)
    if current is None:
        try:
            made = write_new(marker, text, 0o644)
        except OSError as exc:
            # A read-only archive (a backup looked at): nothing can be journalled into it.
            log.warning("Cannot record the instance folder %s in the archive %s: %s",
                        instance, archive, exc)
            return mine
        if made:
            log.info("The archive %s is served by the instance folder %s", archive, instance)
            return mine
        current = _read(marker) or {}  # another process claimed it a moment ago
    if not current:
        _replace(marker, mine)
        log.warning("The archive's instance marker %s was unreadable; the instance folder %s "
                    "claims it now", marker, instance)
        return mine
    if current.get("id") == mine["id"]:
        if (current.get("instance"), current.get("host")) != (mine["instance"], mine["host"]):
            # The same folder, moved or copied along with the archive: note where it is now.
            with contextlib.suppress(OSError):
                _replace(marker, {**mine, "claimed_at": current.get("claimed_at", "")})
        return current
    if not takeover:
        raise InstanceConflict(
            f"The archive {archive} is served by the instance folder {_describe(current)}, "
            f"but this process uses the instance folder {instance} (instance id {mine['id']}). "
            "Two instance folders would keep two audit journals, and this one could never be "
            "sealed into the archive. Start with the instance folder that serves it "
            f"(INTRANET_INSTANCE_PATH={current.get('instance', '?')}), or, if this folder "
            "replaces it for good (the server moved), start once with INSTANCE_TAKEOVER = True "
            f"(INTRANET_INSTANCE_TAKEOVER=true); the marker is {marker}.")
    _replace(marker, mine)
    log.warning("INSTANCE_TAKEOVER: the archive %s was served by the instance folder %s; it is "
                "served by %s now. Copy the old folder's audit.jsonl and audit.jsonl.tip here "
                "before the next read, or its unsealed entries stay behind and this journal "
                "cannot be sealed after them.",
                archive, _describe(current), instance)
    return mine
