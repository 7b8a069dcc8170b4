"""Remember figures derived from the index per indexed commit: they cannot change until it moves.

The dashboard's counts (credit warnings, overdue updates) read every file's row; at 10,000
files that is most of a second, yet they only change when the archive does (a save, a policy or
staff change: all commits) or when the day turns. So they are kept per (index file, head
commit, key), the key naming the day and whose scope it is. No Flask here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
_KEPT = 128
_results: OrderedDict[tuple, Any] = OrderedDict()
_lock = threading.Lock()


def per_commit(index: Any, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
    """Return ``compute()`` for the index's head, computed once per head commit and key."""
    head = index.catch_up()
    # The old versions' facts may still be judged after the head rows (index/history.py).
    full = (str(index.db.path), head, index.db.meta("history"), *key)
    with _lock:
        if full in _results:
            _results.move_to_end(full)
            return _results[full]
    found = compute()
    with _lock:
        _results[full] = found
        while len(_results) > _KEPT:
            _results.popitem(last=False)
    return found


def forget() -> None:
    """Forget every remembered result (benchmarks measure the work, tests start clean)."""
    with _lock:
        _results.clear()
