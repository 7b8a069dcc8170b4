"""A plan of file creations and later edits in office hours, as a living archive sees (R18–R21)."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate

from .customers import CustomerMeta
from .edits import Planner
from .milestones import LEAVER, Milestones
from .model import TAIPEI, DemoEdit, DemoHandover

OFFICE_OPENS = 8 * 3600 + 30 * 60  # 08:30
OFFICE_SECONDS = 10 * 3600  # until 18:30: people stay late to finish same-day updates (R18)
CREATION_SHARE = 0.25  # files are created in the first quarter of the window
# An edit of one list alone is the action the intranet's own forms commit it as.
_ACTIONS = {frozenset({"contacts"}): "contact", frozenset({"events"}): "event",
            frozenset({"sales_power"}): "sales_power"}

class Timeline:
    """Office hours (weekdays 08:30–18:30, Taipei) of the window, addressed by a second counter."""

    def __init__(self, today: date, history_days: int) -> None:
        """The history_days calendar days before today; weekends only if there is no weekday."""
        days = [today - timedelta(days=back) for back in range(history_days, 0, -1)]
        self.days = [day for day in days if day.weekday() < 5] or days
        self.total = len(self.days) * OFFICE_SECONDS

    def at(self, second: int) -> datetime:
        """The moment a counter value stands for."""
        day = self.days[second // OFFICE_SECONDS]
        clock = OFFICE_OPENS + second % OFFICE_SECONDS
        return datetime(
            day.year, day.month, day.day, clock // 3600, clock // 60 % 60, clock % 60, tzinfo=TAIPEI
        )


@dataclass(slots=True)
class Plan:
    """What plan_history decides: creations, ordinary edits, special moments, hand-overs."""

    created: dict[str, tuple[datetime, str]]
    history: list[DemoEdit]
    milestones: list[DemoEdit]
    handovers: list[DemoHandover]


def plan_history(
    rng: random.Random,
    customers: list[dict],
    metas: list[CustomerMeta],
    today: date,
    history_days: int,
    edits: int,
    special: random.Random | None = None,
) -> Plan:
    """Creation moments and authors per customer, and the planned edits sorted by time.

    With ``special`` (its own random stream) the plan also holds the milestones: a departure
    with its hand-over, documents, and customer forms waiting for review.
    """
    timeline = Timeline(today, history_days)
    total = timeline.total
    window = max(1, int(total * CREATION_SHARE))
    # Files are opened in id order, so creation moments are sorted before being handed out; every
    # moment is used once so that no two commits share a timestamp and replay order is unambiguous.
    if len(customers) <= window:
        births = sorted(rng.sample(range(window), len(customers)))
    else:
        births = sorted(rng.randrange(window) for _ in customers)
    used = set(births)
    created: dict[str, tuple[datetime, str]] = {}
    for record, second in zip(customers, births, strict=True):
        custody = record["custody"]
        maker = custody["owner"] if rng.random() < 0.7 else rng.choice(custody["contacts"])
        created[record["id"]] = (timeline.at(second), maker)
    marks = Milestones(special or random.Random(0), OFFICE_SECONDS, timeline.days, used)
    if special is not None and customers:
        marks.plan(customers, births, today)
    per_customer: list[list[int]] = [[] for _ in customers]
    if customers and edits > 0 and total >= 2:
        weights = tuple(accumulate(meta.weight for meta in metas))
        for index in rng.choices(range(len(customers)), cum_weights=weights, k=edits):
            second = rng.randrange(births[index] + 1, total)
            for _ in range(20):  # another moment if taken; a crowded tiny window may share one
                if second not in used:
                    break
                second = rng.randrange(births[index] + 1, total)
            used.add(second)
            per_customer[index].append(second)
    planned: list[tuple[int, int, DemoEdit]] = []
    late_seen: set[str] = set()
    special_edits: list[DemoEdit] = []
    for index, seconds in enumerate(per_customer):
        if not seconds and index not in marks.items:
            continue
        record = customers[index]
        planner = Planner(rng, record, metas[index])
        planner.late_seen = late_seen
        if marks.handover_second >= 0:
            planner.left.add(LEAVER)  # serving notice: given no new customers
        created_day = created[record["id"]][0].date()
        heap = marks.queue(index, seconds)
        while heap:
            second, _, tag = heapq.heappop(heap)
            when = timeline.at(second)
            if tag != "edit":
                made = marks.handle(planner, tag, index, second, when, record["id"], heap)
                if made is not None:
                    special_edits.append(made)
                continue
            author = planner.author()
            changes = planner.plan(when, author, created_day)
            action = _ACTIONS.get(frozenset(changes), "update")
            planned.append((second, index, DemoEdit(when, author, record["id"], changes,
                                                    planner.source, action)))
    planned.sort(key=lambda item: (item[0], item[1]))
    special_edits.sort(key=lambda edit: edit.when)
    moment = timeline.at(marks.handover_second) if marks.handover_second >= 0 else None
    return Plan(created, [edit for _, _, edit in planned], special_edits,
                marks.handovers(moment))
