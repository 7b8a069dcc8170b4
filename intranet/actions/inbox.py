"""The inbox (issue 14): everything that waits for one member of staff, computed, never stored.

One provider per kind reads the state that already holds the truth: access requests whose
current step this person may sign (``records.rights.requests``), policy proposals for an approver
(``records.rulebook.proposals``), customer forms to review and hand-over steps and due follow-ups
(the derived index, ``index.reminders``), and for the administrator the backup warnings. An
item names the file (its name, never only its id), says since when it waits and where to act
(an endpoint name and its arguments, which the web layer turns into a link). A file is shown
only if the access module lets the person edit it (forms, follow-ups) or view it (hand-overs).
No Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from intranet.records.conduct.followups import due_by
from intranet.records.conduct.handover_steps import NOTIFY, due, overdue
from intranet.records.files.schema import N_
from intranet.records.rights import access, requests
from intranet.records.rulebook import proposals
from intranet.records.rulebook.rules import Rules, load_rules

from ..archive.repository import Snapshot
from ..index import followups as index_followups
from ..index import reminders
from .policy import may_decide
from .reading import Reader
from .rights import actor_at, is_administrator

REQUEST, POLICY, FORM, HANDOVER, FOLLOWUP, DISCIPLINE, BACKUP, MAIL = (
    "request", "policy", "form", "handover", "followup", "discipline", "backup", "mail")
KINDS = (REQUEST, POLICY, FORM, HANDOVER, FOLLOWUP, DISCIPLINE, BACKUP, MAIL)


@dataclass(frozen=True)
class Item:
    """One thing that waits: what (an English msgid and its params), which file, since when."""

    kind: str
    key: str  # stable across pages and days while the item waits (e-mail sends it once)
    what: str  # an English msgid with {name} fields, as the domain's messages
    params: dict[str, Any]  # a (msgid, params) value is a message of its own
    since: str  # ISO date or time the wait began
    endpoint: str  # where to act: a Flask endpoint and its arguments
    args: dict[str, Any]
    customer: str = ""
    name: str = ""  # the file's name, as the catalogue shows it
    overdue: bool = False


@dataclass
class Context:
    """What the providers share for one person at one archive head."""

    reader: Reader
    username: str
    today: date
    now: datetime | None = None
    backups: Any = None  # the Backups service (intranet/backups), for the administrator
    mail: Any = None  # the mail Outbox (intranet/mailer.py) when e-mail is configured
    snapshot: Snapshot = field(init=False)
    rules: Rules = field(init=False)

    def __post_init__(self) -> None:
        self.snapshot = self.reader.stores.archive.snapshot()
        self.rules = load_rules(self.snapshot)

    @property
    def actor(self) -> access.Actor:
        """Return the person as the directory at the head knows them."""
        return actor_at(self.rules, self.username)

    def staff_name(self, username: str) -> str:
        """Return a member of staff's name, or the username if the directory has none."""
        member = self.rules.directory.member(username) or {}
        return str(member.get("name") or username)


def access_requests(ctx: Context) -> list[Item]:
    """Access requests whose current step waits for this person's signature."""
    found = []
    for req in requests.waiting_for(ctx.snapshot, ctx.username, ctx.now):
        ids = [str(c) for c in req.get("customers") or []]
        names = [_catalogue_name(ctx, c) for c in ids]
        found.append(Item(
            REQUEST, f"request:{req['id']}:{requests.current_step(req)}",
            N_("{requester} asks for edit access: sign or refuse") if req.get("mode") == "edit"
            else N_("{requester} asks for read access: sign or refuse"),
            {"requester": ctx.staff_name(str(req.get("requester") or ""))},
            str(req.get("created") or ""), "access.show", {"request_id": req["id"]},
            ids[0] if ids else "", "、".join(names),
            overdue=requests.overdue(req, ctx.now)))
    return found


def policy_proposals(ctx: Context) -> list[Item]:
    """Policy proposals waiting for an approver's decision (R3)."""
    if not may_decide(ctx.rules, ctx.username):
        return []
    return [Item(POLICY, f"policy:{p['id']}",
                 N_("{proposer} proposes a policy change: your decision"),
                 {"proposer": ctx.staff_name(str(p.get("proposer") or ""))},
                 str(p.get("created") or ""), "access.proposal", {"proposal_id": p["id"]})
            for p in proposals.waiting(ctx.snapshot)]


def customer_forms(ctx: Context) -> list[Item]:
    """Customer forms (R10) sent back on files this person keeps or sent the link for."""
    actor = ctx.actor
    return [Item(FORM, f"form:{r['customer']}:{r['proposal']}",
                 N_("{sender} sent the customer form back: review it"),
                 {"sender": r["submitted_by"]}, r["submitted_on"],
                 "customers.review_proposal",
                 {"customer_id": r["customer"], "proposal_id": r["proposal"]},
                 r["customer"], str(r["name"] or ""))
            for r in reminders.forms_to_review(ctx.reader.stores.index, ctx.username)
            if ctx.reader.may(r["customer"], actor, "edit")]


def handovers(ctx: Context) -> list[Item]:
    """Hand-over steps (R32) this person took over and has still to do."""
    found = []
    readable = ctx.reader.readable(ctx.actor)  # one query, not one access check per file
    for r in reminders.handovers_for(ctx.reader.stores.index, ctx.username, readable):
        what = N_("Tell the customer that you took over from {leaver}") if not r["told_on"] \
            else N_("Contact the customer for the first time after {leaver} left")
        found.append(Item(HANDOVER, f"handover:{r['customer']}:{r['position']}", what,
                           {"leaver": ctx.staff_name(r["leaver"])}, r["handed_on"],
                           "customers.show", {"customer_id": r["customer"]},
                           r["customer"], str(r["name"] or ""),
                           overdue=bool(overdue(r, ctx.rules.policy, ctx.today))))
    return found


def overdue_handovers(ctx: Context) -> list[Item]:
    """For HR (the policy's hr_roles): hand-over steps past their day (R32, departures)."""
    roles = ctx.rules.policy.data.get("hr_roles")
    if not isinstance(roles, list) or ctx.actor.role not in roles:
        return []
    found = []
    for r in index_followups.handover_steps(ctx.reader.stores.index):
        for step in overdue(r, ctx.rules.policy, ctx.today):
            what = N_("{successor} has not told the customer of the hand-over from {leaver}") \
                if step == NOTIFY else \
                N_("{successor} has not contacted the customer since taking over from {leaver}")
            found.append(Item(
                DISCIPLINE, f"discipline:{r['customer']}:{r['position']}:{step}", what,
                {"successor": ctx.staff_name(r["successor"]),
                 "leaver": ctx.staff_name(r["leaver"])},
                due(r["handed_on"], ctx.rules.policy)[step], "hr.departures_page", {},
                r["customer"], str(r["name"] or ""), overdue=True))
    return found


def due_followups(ctx: Context) -> list[Item]:
    """Planned next contacts due (or overdue) on files this person may edit."""
    actor = ctx.actor
    until = due_by(ctx.today, ctx.rules.policy.followup_notice_days)
    today = ctx.today.isoformat()
    return [Item(FOLLOWUP, f"followup:{r['customer']}:{r['position']}:{r['next_contact']}",
                 N_("Contact planned for {day} (after the contact of {date})"),
                 {"day": r["next_contact"], "date": r["date"]}, r["next_contact"],
                 "customers.show", {"customer_id": r["customer"], "_anchor": "contact-log"},
                 r["customer"], str(r["name"] or ""), overdue=r["next_contact"] < today)
            for r in reminders.due_followups(ctx.reader.stores.index, ctx.username, until)
            if ctx.reader.may(r["customer"], actor, "edit")]


def backup_problems(ctx: Context) -> list[Item]:
    """The administrator's backup problems: the newest attempt failed, or the banner's
    warnings (no recent verified backup, folder missing, not writable or full) (R38); and
    e-mail that could not be sent since the last that could."""
    if ctx.backups is None or not is_administrator(ctx.rules, ctx.username):
        return []
    found = []
    latest = ctx.backups.catalogue.all(limit=1)
    if latest and latest[0].problem is not None and not latest[0].running:
        failed = latest[0]
        found.append(Item(BACKUP, f"backup:failed:{failed.id}",
                          N_("The backup of {when} failed: {reason}"),
                          {"when": failed.started.isoformat(timespec="minutes"),
                           "reason": (failed.problem.message, failed.problem.params)},
                          failed.started.isoformat(timespec="seconds"),
                          "admin.backups_page", {}, overdue=True))
    failure = ctx.mail.last_failure() if ctx.mail is not None else None
    if failure is not None:
        found.append(Item(MAIL, f"mail:{failure.at}", N_("E-mail could not be sent: {error}"),
                          {"error": failure.error}, _iso(failure.at), "inbox.index", {},
                          overdue=True))
    day = ctx.today.isoformat()
    # One key per warning and day: a lasting problem is mailed again once a day at most.
    found += [Item(BACKUP, f"backup:{w.message}:{day}", w.message, dict(w.params), day,
                   "admin.backups_page", {}, overdue=True)
              for w in ctx.backups.status().warnings]
    return found


PROVIDERS: tuple[Callable[[Context], list[Item]], ...] = (
    access_requests, policy_proposals, customer_forms, handovers, due_followups,
    overdue_handovers, backup_problems)


def items(ctx: Context) -> list[Item]:
    """Return everything that waits for the person, kind by kind in PROVIDERS' order."""
    return [item for provider in PROVIDERS for item in provider(ctx)]


def _iso(seconds: float) -> str:
    """Return a Unix time as an ISO time in UTC."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _catalogue_name(ctx: Context, customer_id: str) -> str:
    """Return a file's name from the catalogue (everyone may find names, R36)."""
    row = ctx.reader.stores.index.get(customer_id)
    return str((row or {}).get("name") or customer_id)
