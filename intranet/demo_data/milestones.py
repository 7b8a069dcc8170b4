"""Moments a newcomer should find in the demo: a finished hand-over, documents, customer forms.

A salesperson of the north left three weeks before the demo's today; their manager took over
their files in one commit (R32) and has introduced himself to most customers since, two tasks
still open. A few contracts are kept as small PDFs (R13); two customers have sent their own
data form, waiting for review (R10).
"""

from __future__ import annotations

import hashlib
import heapq
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..records.files import documents, filetypes
from ..records.files.customer_form import new_proposal
from ..records.files.entries import close_introductions
from ..records.files.tasks import handover_task_days, introduce_successor
from ..records.rulebook.policy import DEFAULT_POLICY
from .edits import Planner
from .living import contact_entry
from .model import DemoEdit, DemoHandover
from .org import managers, staff
from .places import address, phone

LEAVER = "chou.meiling"
ADMINISTRATOR = "director"
LEFT_DAYS_AGO = 21
OPEN_TASKS = 2
PROPOSAL_FIELDS = ("basic.phone", "basic.fax", "basic.email", "basic.address", "basic.postcode",
                   "characteristics.employees")
_TITLES = {"distributor": ("{year}年度經銷合約", "區域經銷授權書"),
           "terminal": ("{year}年度採購合約", "供貨合約", "保密協議")}
_NAMES = {member["username"]: member["name"] for member in staff()}


def _successor() -> str:
    """The leaver's manager, who takes over their files (R32)."""
    return managers()[next(m["department"] for m in staff() if m["username"] == LEAVER)]


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing one line of ASCII text (no dependency needed)."""
    line = text.encode("ascii").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 14 Tf 72 760 Td (" + line + b") Tj ET"
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1, xref)
    return bytes(out)


@dataclass
class Milestones:
    """Plans the special moments per customer while edits.py plans the ordinary ones."""

    rng: random.Random
    seconds_per_day: int
    days: list[date]
    used: set[int]
    items: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    handover_second: int = -1
    handover_changes: dict[str, dict[str, object]] = field(default_factory=dict)
    open_tasks: set[int] = field(default_factory=set)

    def reserve(self, low: int, high: int) -> int:
        """A free second in [low, high), marked as used."""
        for _ in range(50):
            second = self.rng.randrange(low, max(low + 1, high))
            if second not in self.used:
                break
        self.used.add(second)
        return second

    def plan(self, customers: list[dict], births: list[int], today: date) -> None:
        """Choose the leaver's files, the documents and the customer forms."""
        total = len(self.days) * self.seconds_per_day
        left = today - timedelta(days=LEFT_DAYS_AGO)
        day = next((i for i, d in enumerate(self.days) if d >= left), len(self.days))
        if len(self.days) < 40 or day >= len(self.days) - 3:
            return  # too short a history for a believable departure
        self.handover_second = day * self.seconds_per_day + 1800
        self.used.add(self.handover_second)
        held = [i for i, r in enumerate(customers) if LEAVER in r["custody"]["contacts"]]
        self.open_tasks = set(held[-OPEN_TASKS:]) if len(held) > OPEN_TASKS else set()
        for index in held:
            self.add(index, self.handover_second, "handover")
        taken = set(held)
        others = [i for i in range(len(customers)) if i not in taken]
        signed = [i for i in others if customers[i]["stage"] == "active"
                  and customers[i]["grade"] in ("A", "B")]
        for index in self.rng.sample(signed, min(len(signed), max(2, len(customers) // 30))):
            for _ in range(1 + (self.rng.random() < 0.3)):
                self.add(index, self.reserve(births[index] + 1, total), "document")
        personal = [i for i in others if customers[i]["custody"]["level"] == "personal"]
        wang = [i for i in personal if customers[i]["custody"]["owner"] == "wang.li"]
        rest = [i for i in personal if customers[i]["custody"]["owner"] != "wang.li"]
        for index, back in zip(wang[:1] + rest[:1], (2, 6), strict=False):
            start = (len(self.days) - back) * self.seconds_per_day
            self.add(index, self.reserve(start, start + self.seconds_per_day), "proposal")

    def add(self, index: int, second: int, tag: str) -> None:
        """Schedule a moment for a customer."""
        self.items.setdefault(index, []).append((second, tag))

    def queue(self, index: int, seconds: list[int]) -> list[tuple[int, int, str]]:
        """A heap of a customer's ordinary edits and special moments, by time."""
        heap = [(second, n, "edit") for n, second in enumerate(seconds)]
        heap += [(second, -1 - n, tag) for n, (second, tag) in enumerate(self.items.get(index, []))]
        heapq.heapify(heap)
        return heap

    def handle(self, planner: Planner, tag: str, index: int, second: int, when: datetime,
               customer_id: str, heap: list) -> DemoEdit | None:
        """Plan one special moment; the hand-over itself is collected for its one commit."""
        day = when.date()
        if tag == "handover":
            changes = self._handover(planner, day)
            self.handover_changes[customer_id] = changes
            planner.state.update(changes)
            planner.left.add(LEAVER)
            if index in self.open_tasks:
                planner.quiet.add(_successor())
            else:
                last = min(len(self.days), second // self.seconds_per_day + 9)
                done = self.reserve(second + 1, last * self.seconds_per_day)
                heapq.heappush(heap, (done, -999, "introduced"))
            return None
        if tag == "introduced":
            successor = _successor()
            entry = contact_entry(self.rng, day, successor, self.rng.choice(("visit", "call")),
                                  confidential=0)
            entry["summary"] = (f"說明原負責人{_NAMES[LEAVER]}已離職，"
                                f"介紹新的負責人{_NAMES[successor]}")
            tasks = [dict(task) for task in planner.get("tasks") or []]
            close_introductions({"tasks": tasks}, successor, day.isoformat())
            changes = {"contacts": [*planner.get("contacts"), entry], "tasks": tasks}
            planner.state.update(changes)
            return DemoEdit(when, successor, customer_id, changes, entry["source"], "contact")
        if tag == "document":
            return self._document(planner, when, customer_id)
        return self._proposal(planner, when, customer_id)

    def _handover(self, planner: Planner, day: date) -> dict[str, object]:
        """Custody moved to the leaver's manager, with a task to introduce himself (R32)."""
        successor = _successor()
        owner = str(planner.get("custody.owner"))
        task = introduce_successor(successor, LEAVER, _NAMES[LEAVER], owner == LEAVER, day,
                                   handover_task_days(DEFAULT_POLICY))
        owner = successor if owner == LEAVER else owner
        contacts = [owner] + [successor if name == LEAVER else name
                              for name in planner.get("custody.contacts") if name != owner]
        return {"custody.owner": owner, "custody.contacts": list(dict.fromkeys(contacts)),
                "tasks": [*(planner.get("tasks") or []), task]}

    def _document(self, planner: Planner, when: datetime, customer_id: str) -> DemoEdit:
        """A signed contract uploaded as a small PDF (R13)."""
        rng = self.rng
        day = when.date()
        kept = list(planner.get("documents") or [])
        number = len(kept) + 1
        title = rng.choice(_TITLES[planner.record["card"]]).format(year=day.year + 1)
        signed = day - timedelta(days=rng.randrange(0, 10))
        data = tiny_pdf(f"Contract {customer_id}-D{number:04d} signed {signed.isoformat()}")
        digest = hashlib.sha256(data).hexdigest()
        # Named and typed as the documents module names and types an upload.
        kind = filetypes.sniff(data, f"{title}.pdf")
        path = documents.folder(customer_id) + documents.stored_name(number, digest, kind)
        author = str(planner.get("custody.owner"))
        kept.append({
            "file": path, "title": title, "kind": "contract", "signed_on": signed.isoformat(),
            "size": len(data), "sha256": digest, "uploaded_by": author,
            "original_name": f"{title}.pdf", "content_type": kind.content_type,
            "uploaded_on": day.isoformat()})
        planner.state["documents"] = kept
        return DemoEdit(when, author, customer_id, {"documents": kept}, "",
                        documents.ADD_ACTION, ((path, data),))

    def _proposal(self, planner: Planner, when: datetime, customer_id: str) -> DemoEdit:
        """The customer's own data form, submitted and waiting for the custodian (R10)."""
        rng = self.rng
        place = planner.meta.place
        street, postcode = address(rng, place)
        offered = {"basic.phone": phone(rng, place), "basic.fax": phone(rng, place),
                   "basic.email": f"service@{planner.meta.domain}", "basic.address": street,
                   "basic.postcode": postcode,
                   "characteristics.employees": str(rng.randrange(20, 400))}
        people = planner.get("people")
        by = people[-1]["name"]
        proposals = list(planner.get("proposals") or [])
        proposals.append(new_proposal(f"P{len(proposals) + 1:06d}", offered, by,
                                      str(planner.get("custody.owner")), when.date()))
        planner.state["proposals"] = proposals
        return DemoEdit(when, by, customer_id, {"proposals": proposals}, "customer_form",
                        "customer_form")

    def handovers(self, when: datetime | None) -> list[DemoHandover]:
        """The hand-over commit, if the history was long enough to have one."""
        if when is None or self.handover_second < 0:
            return []
        return [DemoHandover(when, ADMINISTRATOR, LEAVER, _successor(),
                             dict(sorted(self.handover_changes.items())))]
