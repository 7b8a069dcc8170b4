"""The ordinary edits of a customer's file over time: contacts, plans, grades, people (R18–R21)."""

from __future__ import annotations

import random
import zlib
from datetime import date, datetime, timedelta
from itertools import accumulate

from ..records.files.entries import close_introductions
from . import _pools as P
from . import living, story
from .customers import CustomerMeta
from .model import get_path, weighted
from .names import person_name
from .org import managers, salespeople
from .places import address, mobile, phone

_MANAGERS = managers()
_SALES = salespeople()
_GRADES = "ABCD"
_CHANNELS = ("visit", "call", "email", "meeting", "fax", "letter")
# R18, R20: most contacts are recorded the same day; these salespeople are often late, so HR's
# report has fines to show.
_LATE_SHARE = {"tsai.chengen": 0.6, "hung.chiahao": 0.5, "lai.kuanyu": 0.45}
_ON_TIME_SHARE = 0.02
# Where the information of an edit came from (R10): the Source trailer; "" for our own decisions.
_KIND_SOURCES = {"plans": "visit", "notes": "visit", "phone": "visit", "move": "visit",
                 "business": "visit", "scale": "agency", "person": "visit", "complete": "visit",
                 "problems": "agency", "assess": "visit"}
_CHANNEL_CUM = tuple(accumulate((40, 30, 15, 8, 4, 3)))
_NEW_NOTES = (
    "對方新任採購窗口，需重新建立關係",
    "年底前有一批標案機會",
    "已寄送中秋禮盒",
    "對方反映報價偏高",
    "總經理指示列為重點追蹤客戶",
    "對方將搬遷辦公室",
    "請財務確認最新付款紀錄",
    "客戶要求提供 RoHS 證明",
)
# path -> how to fill it when a salesperson completes an incomplete file (R19)
_FILLABLE = (
    "classification.industry",
    "classification.nature",
    "classification.region",
    "classification.customer_type",
    "basic.fax",
    "basic.email",
    "basic.website",
    "basic.postcode",
    "basic.business_scope",
    "basic.registered_capital",
    "basic.founded",
    "basic.organisation_form",
    "characteristics.service_area",
    "characteristics.sales_capacity",
    "characteristics.development_potential",
    "characteristics.culture",
    "characteristics.business_policy",
    "characteristics.employees",
    "characteristics.management_style",
    "business.manager_quality",
    "business.sales_staff_quality",
    "business.competitor_relations",
    "business.cooperation_attitude",
    "transactions.sales_activities",
    "transactions.strengths",
    "transactions.reputation",
    "transactions.future_plans",
)
# Kinds of edit and how often each happens; a kind that does not apply falls back to a plan update.
_KINDS = (
    "contact",
    "plans",
    "notes",
    "phone",
    "move",
    "grade",
    "limit",
    "contacts",
    "business",
    "scale",
    "stage",
    "person",
    "complete",
    "problems",
    "vip",
    "event",
    "assess",
)
# Regradings are rare (R24: the grade follows the standard; one by hand is for the review list).
_KIND_CUM = tuple(accumulate((50, 9, 7, 4, 2, 1, 11, 5, 6, 4, 5, 4, 7, 4, 1, 6, 4)))


class Planner:
    """Plans one customer's edits in time order, tracking the values its earlier edits set."""

    def __init__(self, rng: random.Random, record: dict, meta: CustomerMeta) -> None:
        """Start from the file as first written."""
        self.rng = rng
        self.record = record
        self.meta = meta
        self.state: dict[str, object] = {}
        self.managers = _MANAGERS
        self.sales = _SALES
        self.left: set[str] = set()  # staff who have gone, so no longer author or take files
        # Staff who record no contact here: their hand-over task is meant to stay open.
        self.quiet: set[str] = set()
        self.source = ""
        self.late_seen: set[str] = set()  # shared by every planner: see plan_history

    def get(self, path: str) -> object:
        """The value of path after the edits planned so far."""
        if path in self.state:
            return self.state[path]
        return get_path(self.record, path)

    def author(self) -> str:
        """Who edits next: mostly the owner, else another contact or the department manager."""
        rng = self.rng
        contacts = list(self.get("custody.contacts"))  # type: ignore[arg-type]
        roll = rng.random()
        if roll < 0.6 or (len(contacts) < 2 and roll < 0.85):
            return str(self.get("custody.owner"))
        if roll < 0.85:
            return rng.choice(contacts[1:])
        return self.managers[str(self.get("custody.department"))]

    def plan(self, when: datetime, author: str, created: date) -> dict[str, object]:
        """The changes of one edit made at when by author."""
        rng = self.rng
        day = when.date()
        kind = weighted(rng, _KINDS, _KIND_CUM)
        if author in _LATE_SHARE and rng.random() < 0.5:
            kind = "contact"  # out visiting a lot, and filing it days later
        if kind == "contact" and author in self.quiet:
            kind = "plans"
        # An edit that changes nothing would be no commit at all: fall back to a plan or a note.
        for name in (kind, "plans", "notes"):
            self.source = _KIND_SOURCES.get(name, "")
            changes = {
                path: value
                for path, value in getattr(self, f"_{name}")(day, author, created).items()
                if value != self.get(path)
            }
            if changes:
                break
        self.state.update(changes)
        return changes

    def _contact(self, day: date, author: str, created: date) -> dict[str, object]:
        """A contact-log entry (R14); now and then filed a few days late (R18, R20)."""
        rng = self.rng
        channel = weighted(rng, _CHANNELS, _CHANNEL_CUM)
        late = rng.random() < _LATE_SHARE.get(author, _ON_TIME_SHARE)
        if author in _LATE_SHARE and author not in self.late_seen:
            late = True  # their first one is late, whatever the draw: HR's lists show them
        if late:
            self.late_seen.add(author)
        happened = day - timedelta(days=rng.randrange(1, 7)) if late else day
        # recorded_on shows how late it was filed.
        entry = living.contact_entry(rng, max(happened, created), author, channel, day)
        # About one contact in four plans the next one 1–4 weeks on (issue 14's reminders);
        # decided by a hash, not the generator, so the rest of the company stays as it was.
        mark = zlib.crc32(f"{author}|{day.isoformat()}|{entry['summary']}".encode())
        if mark % 4 == 0:
            planned = date.fromisoformat(str(entry["date"])) + timedelta(days=7 + mark % 22)
            entry = {**entry, "next_contact": planned.isoformat()}
        self.source = str(entry["source"])
        changes: dict[str, object] = {"contacts": [*self.get("contacts"), entry]}  # type: ignore[misc]
        # As the intranet does: the author's contact fulfils their hand-over task (R32).
        tasks = [dict(task) for task in self.get("tasks") or []]  # type: ignore[attr-defined]
        if close_introductions({"tasks": tasks}, author, str(entry["date"])):
            changes["tasks"] = tasks
        if channel == "visit" and rng.random() < 0.3:
            changes["transactions.sales_activities"] = rng.choice(P.SALES_ACTIVITIES)
        return changes

    def _plans(self, day: date, author: str, created: date) -> dict[str, object]:
        """A new future plan (R8)."""
        old = self.get("transactions.future_plans")
        for _ in range(4):
            new = living.value(self.rng, "transactions.future_plans", self.record, self.meta,
                               day.year)
            if new != old:
                break
        return {"transactions.future_plans": new}

    def _notes(self, day: date, author: str, created: date) -> dict[str, object]:
        """A dated line appended to the notes."""
        old = str(self.get("notes") or "")
        line = f"{day.isoformat()}：{self.rng.choice(_NEW_NOTES)}"
        return {"notes": f"{old}\n{line}" if old else line}

    def _phone(self, day: date, author: str, created: date) -> dict[str, object]:
        """A new switchboard number, sometimes a new fax too."""
        changes: dict[str, object] = {"basic.phone": phone(self.rng, self.meta.place)}
        if self.rng.random() < 0.4:
            changes["basic.fax"] = phone(self.rng, self.meta.place)
        return changes

    def _move(self, day: date, author: str, created: date) -> dict[str, object]:
        """The customer moved within its district."""
        text, postcode = address(self.rng, self.meta.place)
        return {"basic.address": text, "basic.postcode": postcode}

    def _grade(self, day: date, author: str, created: date) -> dict[str, object]:
        """A regrading by hand (R24) with its credit grade, limit and terms (R28)."""
        rng = self.rng
        if self.get("stage") != "active":
            return {}  # a prospect has no sales to grade by; a former customer none lately
        old = str(self.get("grade") or "C")
        limit = self.get("credit.limit")
        grade = str(self.get("credit.grade") or "")
        if self.get("credit.approved_by") or (grade and isinstance(limit, int)
                                              and limit > story.CREDIT[grade][0]):
            return {}  # a credit exception is the credit review's, not touched in passing
        step = rng.choice((-1, 1))
        new = _GRADES[min(3, max(0, _GRADES.index(old) + step))]
        if new == old:
            new = _GRADES[_GRADES.index(old) - step]
        credit = story.credit_block(rng, new, {})
        changes: dict[str, object] = {"grade": new, "credit.grade": new,
                                      "credit.limit": credit["limit"],
                                      "credit.terms": credit["terms"]}
        if new in "CD" and self.get("vip"):
            changes["vip"] = False
        return changes

    def _limit(self, day: date, author: str, created: date) -> dict[str, object]:
        """A credit-limit adjustment within the limit of the credit grade (R28)."""
        if self.get("stage") == "prospect" and self.rng.random() < 0.3:
            return self._stage(day, author, created)  # asked for terms: its first order
        grade = self.get("credit.grade")
        if not grade or self.get("credit.approved_by"):
            return {}
        old = self.get("credit.limit")
        if isinstance(old, int) and old > story.CREDIT[str(grade)][0]:
            return {}  # an exception waiting for approval stays as it is
        new = story.credit_block(self.rng, str(grade), {})["limit"]
        return {"credit.limit": new} if new != old else {}

    def _contacts(self, day: date, author: str, created: date) -> dict[str, object]:
        """A second or third member of staff starts looking after the customer (R31)."""
        contacts = list(self.get("custody.contacts"))  # type: ignore[arg-type]
        department = str(self.get("custody.department"))
        pool = self.sales.get(department) or [self.managers[department], "vp"]
        candidates = [name for name in pool if name not in contacts and name not in self.left]
        if len(contacts) >= 3 or not candidates:
            return {}
        return {"custody.contacts": [*contacts, self.rng.choice(candidates)]}

    def _business(self, day: date, author: str, created: date) -> dict[str, object]:
        """A new assessment of business status (R7)."""
        path = self.rng.choice(("business.cooperation_attitude", "business.sales_performance"))
        return {path: living.value(self.rng, path, self.record, self.meta, day.year)}

    def _scale(self, day: date, author: str, created: date) -> dict[str, object]:
        """Updated scale figures (R6)."""
        rng = self.rng
        employees = self.get("characteristics.employees")
        changes: dict[str, object] = {
            "characteristics.employees": max(3, int(employees) + rng.randrange(-20, 40))
            if isinstance(employees, int)
            else rng.randrange(5, 800)
        }
        if rng.random() < 0.6:
            changes["characteristics.annual_sales"] = rng.randrange(10, 50_000) * 100_000
        return changes

    def _stage(self, day: date, author: str, created: date) -> dict[str, object]:
        """A prospect places its first order; a failing D customer is given up."""
        stage = self.get("stage")
        if stage == "prospect":
            # No sales last year, so no grade yet (R24); cash terms until it has a record.
            credit = story.credit_block(self.rng, "C", {})
            return {
                "stage": "active",
                "basic.first_deal": day.isoformat(),
                "grade": "",
                "credit.grade": "C",
                "credit.terms": credit["terms"],
                "credit.limit": credit["limit"],
            }
        if stage == "active" and self.get("grade") == "D" and self.rng.random() < 0.3:
            return {"stage": "former", "vip": False}
        return {}

    def _person(self, day: date, author: str, created: date) -> dict[str, object]:
        """A new person at the customer (R5)."""
        rng = self.rng
        people = list(self.get("people"))  # type: ignore[arg-type]
        if len(people) >= 5:
            return {}
        title, role = rng.choice(P.PEOPLE_TITLES[1:])
        name, _ = person_name(rng, self.meta.place)
        people.append(
            {
                "role": role,
                "name": name,
                "title": title,
                "phone": mobile(rng, self.meta.place),
                "email": "",
                "personality": rng.choice(P.PERSONALITY),
                "hobbies": rng.choice(P.HOBBIES),
                "family": "",
                "education": "",
                "age": rng.randrange(28, 61),
                "ability": "",
            }
        )
        return {"people": people}

    def _complete(self, day: date, author: str, created: date) -> dict[str, object]:
        """Fill a few empty fields of an incomplete file (R19)."""
        rng = self.rng
        empty = [path for path in _FILLABLE if self.get(path) in ("", None)]
        if self.meta.place.country != "tw" and "classification.nature" in empty:
            empty.remove("classification.nature")
        picked = rng.sample(empty, min(len(empty), rng.randrange(1, 5)))
        return {path: living.value(rng, path, self.record, self.meta, day.year) for path in picked}

    def _problems(self, day: date, author: str, created: date) -> dict[str, object]:
        """A problem or a change of credit status (R8)."""
        path = self.rng.choice(("transactions.problems", "transactions.credit_status"))
        new = living.value(self.rng, path, self.record, self.meta, day.year)
        return {path: new} if new != self.get(path) else {}

    def _vip(self, day: date, author: str, created: date) -> dict[str, object]:
        """An A customer becomes VIP (R30) and so gets a second contact (R31)."""
        if self.get("vip") or self.get("grade") != "A":
            return {}
        changes: dict[str, object] = {"vip": True}
        contacts = list(self.get("custody.contacts"))  # type: ignore[arg-type]
        if len(contacts) < 2:
            changes.update(self._contacts(day, "", created))
        return changes

    def _event(self, day: date, author: str, created: date) -> dict[str, object]:
        """A business dealing with us (R11): a contract, an order, a complaint, a default."""
        rng = self.rng
        kind = "default" if self.get("grade") == "D" and rng.random() < 0.3 else rng.choice(
            ("contract", "order", "order", "complaint"))
        entry = living.event(rng, kind, day.isoformat(), self.record, self.meta, day.year)
        self.source = str(entry["source"])
        return {"events": [*self.get("events"), entry]}  # type: ignore[misc]

    def _assess(self, day: date, author: str, created: date) -> dict[str, object]:
        """A new sales-power assessment (R16) of a file assessed before."""
        if not self.get("sales_power"):
            return {}  # the first one is its custodian's task (story.UNSCORED)
        record = {**self.record, "grade": self.get("grade"), "stage": self.get("stage")}
        return {"sales_power": living.sales_power(self.rng, record, day, author)}
