"""The customer page's tasks (R32): open ones at the top with who, from whom and by when."""

from __future__ import annotations

from typing import Any

from ...records.files import tasks
from ...records.files.customers import Loaded
from ..clock import today
from ..panels import customer_panel


@customer_panel("customers/_tasks.html", order=20, slot="top", covers=("tasks",))
def tasks_panel(loaded: Loaded, _user: Any) -> dict[str, Any] | None:
    """Open tasks, oldest due first, flagged when overdue; finished ones folded away."""
    open_tasks = tasks.open_tasks(loaded.record, today())
    done = tasks.done_tasks(loaded.record)
    return {"open": open_tasks, "done": done} if open_tasks or done else None
