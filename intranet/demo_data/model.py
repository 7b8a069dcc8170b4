"""The generator's result types and the dotted-path helpers used to replay its edits."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

# Taipei has had no daylight saving since 1979, so a fixed offset is exact and needs no tzdata
# (which Windows installs often lack).
TAIPEI = timezone(timedelta(hours=8), "Asia/Taipei")


class DemoRandom(random.Random):
    """random.Random with cheaper choice and randrange, called a million times per run."""

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        """A random element of a non-empty sequence."""
        return seq[int(self.random() * len(seq))]

    def randrange(  # type: ignore[override]
        self, start: int, stop: int | None = None, step: int = 1
    ) -> int:
        """A random int in range(start, stop, step); a tiny float bias is fine for demo data."""
        if stop is None:
            start, stop = 0, start
        count = (stop - start + step - 1) // step
        if count <= 0:
            raise ValueError(f"empty range ({start}, {stop}, {step})")
        return start + step * int(self.random() * count)


def weighted(rng: random.Random, items: Sequence, cum_weights: Sequence[float]):  # type: ignore[no-untyped-def]
    """One of items drawn by cumulative weights, like rng.choices(...)[0] but cheaper."""
    return items[bisect(cum_weights, rng.random() * cum_weights[-1])]


@dataclass(frozen=True, slots=True)
class DemoEdit:
    """One planned edit of a customer file: who, when, and the new values of dotted paths.

    ``source`` is the commit's Source trailer (R10, "" for none); ``files`` are other archive
    paths committed with it (a document's bytes). With action ``customer_form`` the author is
    the customer's contact person, not a member of staff.
    """

    when: datetime
    author: str
    customer_id: str
    changes: dict[str, object]
    source: str = ""
    action: str = "update"
    files: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True, slots=True)
class DemoHandover:
    """A member of staff who left (R32): one commit ending their access and moving their files."""

    when: datetime
    author: str
    leaver: str
    successor: str
    changes: dict[str, dict[str, object]]  # customer id -> new values of dotted paths


@dataclass(frozen=True, slots=True)
class DemoBulk:
    """One commit of many files by one person, e.g. accounting's receivables report (R28)."""

    when: datetime
    author: str
    subject: str
    action: str
    source: str
    changes: dict[str, dict[str, object]]  # customer id -> new values of dotted paths


@dataclass(slots=True)
class DemoCompany:
    """A demo company: organisation, customer files as first written, and their later history.

    ``staff`` is the directory as first committed (everyone active); a hand-over later marks
    its leaver as gone.
    """

    departments: list[dict]
    staff: list[dict]
    customers: list[dict]
    history: list[DemoEdit]
    created: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    handovers: list[DemoHandover] = field(default_factory=list)
    milestones: list[DemoEdit] = field(default_factory=list)  # documents, forms, introductions
    bulk: list[DemoBulk] = field(default_factory=list)  # accounting's receivables report
    classes: dict[str, list[str]] = field(default_factory=dict)  # classes.yaml: values used


def _copy(value: object) -> object:
    """Deep-copy plain YAML-like data (dicts, lists, scalars) much faster than copy.deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def get_path(record: dict, path: str, default: object = None) -> object:
    """The value at a dotted path (list items by number, e.g. people.0.name), or default."""
    node: object = record
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return default
    return node


def apply_changes(record: dict, changes: dict[str, object]) -> dict:
    """A deep copy of record with every dotted path in changes set to (a copy of) its value."""
    result = _copy(record)
    if not isinstance(result, dict):
        raise TypeError("record must be a mapping")
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: object = result
        for part in parents:
            if isinstance(node, list):
                node = node[int(part)]
            else:
                if not isinstance(node, dict):
                    raise TypeError(f"{path}: {part} is inside a scalar")
                # A hand-edited file may lack a whole section: create it rather than fail.
                node = node.setdefault(part, {})
        if isinstance(node, list):
            node[int(last)] = _copy(value)
        else:
            if not isinstance(node, dict):
                raise TypeError(f"{path}: parent is not a mapping")
            node[last] = _copy(value)
    return result
