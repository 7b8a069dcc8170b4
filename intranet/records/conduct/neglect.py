"""When an incomplete file counts as improved (R19), and the stretches it went without. No Flask.

Policy 4, 第二章三: 不全面的客戶檔案,銷售人員要進一步了解,每月最少完善一次. A file is
"improved" (完善) by a version that fills at least one item the version before it left
missing — one of the policy's ``completeness`` fields for its card, judged by the policy at
the head. A version that changes anything else (notes, custody, a contact entry when the
log was already filled) or only empties items does not end a stretch. So a file edited every
month without filling anything is still neglected.

A stretch begins with a version that is below 100 % and *restarts the clock*: the file's
first version, the first one after a deletion or an unreadable version, the one that made a
complete file incomplete, or one that filled a missing item. It lasts until the next version
that restarts the clock (or the file is deleted, or becomes unreadable), or until today.

Fines fall due as ``records.conduct.discipline`` says, counted from the stretch's first day. They go
to the custodian at the time: a stretch is split into segments at each version that names a
new custodian; a fine due on the day of that version is the previous custodian's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class VersionFacts:
    """What the neglect rule needs of one version of a file."""

    day: date
    completeness: int | None  # None: deleted or unreadable
    owner: str
    restarts: bool  # whether this version restarts the clock (see restarts_clock)


def restarts_clock(before: Iterable[str] | None, after: Iterable[str] | None,
                   first: bool = False) -> bool:
    """Tell whether a version restarts the neglect clock, given both versions' missing items.

    ``None`` stands for a version that is deleted or cannot be read. A file's first version,
    one after a deleted or unreadable version, one after a complete version, and one that
    fills an item the version before left missing restart it.
    """
    if first or before is None or after is None:
        return True
    missing = set(before)
    return not missing or bool(missing - set(after))


def stretches(customer: str, name: str, versions: list[VersionFacts], today: date,
              days: int) -> list[dict[str, Any]]:
    """Return the file's neglect segments in which at least one fine fell due by ``today``.

    Each has customer, name, owner, completeness (in the segment's last version),
    last_change (the day the stretch began: fines count from it), since (the segment's
    first day) and until (its last day; None while the stretch lasts).
    """
    found: list[dict[str, Any]] = []
    segment: dict[str, Any] | None = None
    began: date | None = None

    def close(day: date | None) -> None:
        if segment is not None and began is not None:
            segment["until"] = day
            end = day or today
            if (end - began).days > days:
                found.append(segment)

    for version in versions:
        if version.day > today:
            break
        if segment is not None and not version.restarts and version.completeness is not None:
            if version.owner != segment["owner"]:
                close(version.day)
                segment = {**segment, "owner": version.owner,
                           "since": version.day + timedelta(days=1)}
            segment["completeness"] = version.completeness
            continue
        close(version.day)
        segment, began = None, None
        if version.completeness is not None and version.completeness < 100:
            began = version.day
            segment = {"customer": customer, "name": name, "owner": version.owner,
                       "completeness": version.completeness, "last_change": version.day,
                       "since": version.day, "until": None}
    close(None)
    return found
