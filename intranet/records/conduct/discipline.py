"""Keeping files current (R18–R21) and staffing important customers (R30, R31). No Flask.

Two kinds of lateness cost the late-update fine (``policy.fine("late_update")``):

- **A late contact record (R18).** A contact entry whose ``recorded_on`` is more than
  ``deadlines.contact_record_days`` days after its ``date`` (0: the same day). It is the
  fault of the entry's ``staff`` and falls in the month of ``recorded_on``. An entry without
  ``recorded_on`` (older files, hand edits) cannot be judged and is not late.
- **A neglected file (R19).** A version of a file below 100 % complete that was not
  improved for more than ``deadlines.incomplete_file_days`` (N) days; only a version that
  fills a missing item improves it (``records.conduct.neglect``). Counting from that
  version's day L,
  a fine falls due on the first day of each full overdue period — L + N + 1, L + 2N + 1, …
  (with N = 0 every day after L) — up to and including the day of the next improvement, or
  today while the stretch lasts. Each is one fine for the custodian at the time (the
  stretch is split where the custodian changes), in the month it falls due; a later change
  does not undo fines already due. The policy at the head judges every version (completeness fields,
  N and the fine), so a policy change re-judges past months too.

Everything here works on plain values (records, dates, index rows), so "today" is always a
parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from intranet.records.conduct import liable
from intranet.records.rights.access import Actor, is_administrator
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory


@dataclass(frozen=True)
class LateContact:
    """A contact entry recorded after its deadline."""

    customer: str
    position: int  # index in the file's contact log
    staff: str
    date: str
    recorded_on: str
    days_late: int  # days past the deadline


def as_date(value: Any) -> date | None:
    """Return a date from YYYY-MM-DD text (or an ISO timestamp's date part), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def late_contacts(customer: str, record: dict[str, Any], policy: Policy) -> list[LateContact]:
    """Return the file's contact entries recorded later than the policy allows."""
    allowed = policy.contact_record_days
    found: list[LateContact] = []
    for position, entry in enumerate(record.get("contacts") or []):
        if not isinstance(entry, dict):
            continue
        happened, recorded = as_date(entry.get("date")), as_date(entry.get("recorded_on"))
        if happened is None or recorded is None:
            continue
        late = (recorded - happened).days - allowed
        if late > 0:
            found.append(LateContact(customer, position, str(entry.get("staff") or ""),
                                     happened.isoformat(), recorded.isoformat(), late))
    return found


def _period(days: int) -> tuple[int, int]:
    """Return (step, offset): fine k falls due on L + k × step + offset."""
    return (days, 1) if days > 0 else (1, 0)


def periods_due(last_change: date, today: date, days: int) -> int:
    """Return how many fines a file untouched since ``last_change`` has run up by ``today``."""
    step, offset = _period(days)
    return max(0, ((today - last_change).days - offset) // step)


def due_between(last_change: date, start: date, end: date, days: int) -> list[date]:
    """Return the days in [start, end] on which a neglect fine fell due."""
    step, offset = _period(days)
    first = max(1, -(-((start - last_change).days - offset) // step))
    last = ((end - last_change).days - offset) // step
    return [last_change + timedelta(days=k * step + offset) for k in range(first, last + 1)]


def overdue_days(last_change: date, today: date, days: int) -> int:
    """Return the days a file is past its improvement deadline (0 if it is not)."""
    return max(0, (today - last_change).days - days)


def month_bounds(month: str) -> tuple[date, date]:
    """Return the first and last day of a YYYY-MM month."""
    start = date.fromisoformat(month + "-01")
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, following - timedelta(days=1)


# -- who sees which lists ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose lateness a person may see: everyone's, some departments', or nobody's."""

    everyone: bool = False
    departments: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return self.everyone or bool(self.departments)

    def covers(self, department: str) -> bool:
        """Tell whether a department's people are in the scope."""
        return self.everyone or department in self.departments


def report_scope(actor: Actor, policy: Policy, directory: Directory) -> Scope:
    """Return whose late records and neglected files a person may see (R20).

    HR (the policy's ``hr_roles``) and the administrator see everyone; a department manager
    sees the people of the departments they manage. The lists name files, dates and counts,
    never contents (R36).
    """
    if not actor.username or not directory.is_active(actor.username):
        return Scope()
    hr_roles = policy.data.get("hr_roles")
    hr_roles = hr_roles if isinstance(hr_roles, list) else []
    if actor.role in hr_roles or is_administrator(actor.role, policy):
        return Scope(everyone=True)
    managed = frozenset(str(d.get("id")) for d in directory.departments
                        if d.get("manager") == actor.username)
    return Scope(departments=managed)


# -- the month's lists ------------------------------------------------------------------------


@dataclass
class Person:
    """One person's late records and neglected files in a month, and the fines."""

    username: str
    department: str
    late: list[dict[str, Any]] = field(default_factory=list)
    neglected: list[dict[str, Any]] = field(default_factory=list)  # with "due": [dates]
    fines: float = 0

    @property
    def periods(self) -> int:
        """Return the number of neglect fines in the month (fined days only, R20)."""
        return sum(len(n.get("fined", n["due"])) for n in self.neglected)

    @property
    def fined_late(self) -> int:
        """Return the number of late records fined in the month (R20)."""
        return sum(1 for row in self.late if row.get("fined", True))


@dataclass
class Department:
    """A department's totals."""

    department: str
    people: list[Person]

    @property
    def late(self) -> int:
        """Return the department's late records."""
        return sum(len(p.late) for p in self.people)

    @property
    def periods(self) -> int:
        """Return the department's neglect fines."""
        return sum(p.periods for p in self.people)

    @property
    def fines(self) -> float:
        """Return the department's fines."""
        return sum(p.fines for p in self.people)


def month_people(late_rows: Iterable[dict[str, Any]], neglect_rows: Iterable[dict[str, Any]],
                 month: str, today: date, policy: Policy, directory: Directory,
                 scope: Scope | None = None,
                 handovers: dict[str, list[date]] | None = None) -> list[Person]:
    """Return each person's late records and neglect fines of a month, by username.

    ``late_rows`` have customer, name, staff, date, recorded_on, days_late; ``neglect_rows``
    have customer, name, owner, completeness, last_change (a date) and until (the date of the
    change that ended the stretch, or None while it lasts); ``handovers`` the days each file
    was handed over. Who is fined is ``records.conduct.liable``'s: rows not fined stay listed with
    their reason.
    """
    handovers = handovers or {}
    start, end = month_bounds(month)
    end = min(end, today)
    people: dict[str, Person] = {}

    def person(username: str) -> Person | None:
        member = directory.member(username) or {}
        department = str(member.get("department") or "")
        if scope is not None and not scope.covers(department):
            return None
        return people.setdefault(username, Person(username, department))

    for row in late_rows:
        recorded = as_date(row.get("recorded_on"))
        if recorded and start <= recorded <= end and (found := person(str(row["staff"]))):
            found.late.append(liable.judge_late(row, policy, directory))
    days = policy.incomplete_file_days
    for row in neglect_rows:
        # A stretch that ended with a change stops counting on the day of the change.
        until = row.get("until")
        # A stretch split at a change of custodian: each part's fines are its custodian's.
        first = max(start, row.get("since") or start)
        due = due_between(row["last_change"], first, min(end, until) if until else end, days)
        if due and (found := person(str(row["owner"]))):
            found.neglected.append({**row, "due": due, "overdue": overdue_days(
                row["last_change"], until or today, days), **liable.judge_neglect(
                found.username, due, handovers.get(str(row["customer"]), []), policy,
                directory)})
    fine = policy.fine("late_update")
    for p in people.values():
        p.fines = (p.fined_late + p.periods) * fine
    return [people[u] for u in sorted(people)]


def by_department(people: Iterable[Person]) -> list[Department]:
    """Return the people grouped by department, by department id."""
    groups: dict[str, list[Person]] = {}
    for p in people:
        groups.setdefault(p.department, []).append(p)
    return [Department(d, groups[d]) for d in sorted(groups)]


# -- two contacts (R30, R31) ------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingGap:
    """An important or promising customer with too few staff in contact."""

    reasons: tuple[str, ...]  # "vip", "grade", "prospect"
    staff: tuple[str, ...]
    minimum: int


def importance(record: dict[str, Any], policy: Policy, score: float | None) -> tuple[str, ...]:
    """Return why a customer needs two staff in contact ("vip", "grade", "prospect"), or ()."""
    rule = policy.two_contacts
    found = []
    if rule.get("vip") and record.get("vip") is True:
        found.append("vip")
    if record.get("grade") and record.get("grade") in (rule.get("grades") or []):
        found.append("grade")
    threshold = rule.get("prospect_score")
    if record.get("stage") == "prospect" and score is not None \
            and isinstance(threshold, (int, float)) and score >= threshold:
        found.append("prospect")
    return tuple(found)


def staffing_gap(record: dict[str, Any], policy: Policy,
                 score: float | None) -> StaffingGap | None:
    """Return why a customer needs more staff contacts, or None when it has enough (R31).

    Important: VIP (when the policy says so) or of one of the policy's grades; promising: a
    prospect whose sales-power score reaches the policy's prospect_score. The staff counted are
    the custodian and the file's named contacts, each once.
    """
    rule = policy.two_contacts
    reasons = importance(record, policy, score)
    if not reasons:
        return None
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    named = [custody.get("owner"), *(custody.get("contacts") or [])]
    staff = tuple(dict.fromkeys(s for s in named if isinstance(s, str) and s.strip()))
    minimum = int(rule.get("minimum") or 0)
    if len(staff) >= minimum:
        return None
    return StaffingGap(tuple(reasons), staff, minimum)
