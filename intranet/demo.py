"""``seed-demo``: fill an empty archive with a believable company, through the real write path."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from . import services
from .archive.objects import Identity
from .archive.repository import Archive, Change, Snapshot
from .demo_data import TAIPEI, DemoCompany, access_cases, apply_changes, generate_company
from .demo_data.discipline_cases import seed_cases
from .demo_data.model import DemoBulk, DemoEdit, DemoHandover
from .records.files import yamlio
from .records.files.customers import PREFIX, CustomerFiles, InvalidRecord, customer_path
from .records.files.validate import normalise, validate
from .records.rights import requests
from .records.rulebook.classes import CLASSES_PATH, dump_classes
from .records.rulebook.rules import DEPARTMENTS_PATH, STAFF_PATH, Rules, load_rules
from .records.rulebook.staff import dump_departments, dump_staff, mark_left

DEMO_PASSWORD = "demo"
# Sources worth a Source trailer on a file's first commit (R10); "other" says nothing.
_CREATION_SOURCES = ("visit", "customer_form", "agency", "import")
FORM_EMAIL = "customer-form@intranet.invalid"


def commit_organisation(archive: Archive, company: DemoCompany, author: Identity) -> str | None:
    """Commit the demo company's departments and staff, dated before its first customer."""
    first = min(when for when, _ in company.created.values())

    def organisation(snapshot: Snapshot) -> Change:
        return Change({
            DEPARTMENTS_PATH: dump_departments({"departments": company.departments}),
            STAFF_PATH: dump_staff({"staff": company.staff}),
            **({CLASSES_PATH: dump_classes(company.classes)} if company.classes else {}),
        }, "建立示範公司組織\n\nAction: staff\n")

    return archive.commit(organisation, author, when=first)


def seed(svc: services.Services, customers: int = 300, seed_value: int = 7,
         today: date | None = None) -> dict[str, int]:
    """Write the demo organisation, customers and months of edits as backdated commits.

    The history ends the day before ``today`` (default: today in Taipei), so deadlines, open
    tasks and waiting forms look as fresh on any day the demo is started.
    """
    archive = svc.archive
    staff = yamlio.load(archive.read(STAFF_PATH), STAFF_PATH).get("staff") or []
    if archive.files(PREFIX) or staff:
        raise click.ClickException("seed-demo only fills a new archive: this one already "
                                   "holds customer files or staff")
    # Requests are judged against the clock: backdate them from now unless a day is given.
    now = (datetime.now(UTC) if today is None
           else datetime(today.year, today.month, today.day, 9, tzinfo=TAIPEI))
    today = today or datetime.now(TAIPEI).date()
    company = generate_company(seed=seed_value, customers=customers, today=today)
    commit_organisation(archive, company, svc.system)
    gone = {handover.leaver for handover in company.handovers}
    # Demo accounts share one short password, so the usual length rule is waived here.
    svc.credentials.set_many([m["username"] for m in company.staff
                              if m["username"] not in gone], DEMO_PASSWORD)
    files = CustomerFiles(archive)
    # (when, kind, sequence, payload): the sequence keeps equal moments in a fixed order.
    creations = [(company.created[record["id"]][0], 0, record)
                 for record in company.customers]
    edits = [(edit.when, 1, edit) for edit in [*company.history, *company.milestones]]
    handovers = [(handover.when, 2, handover) for handover in company.handovers]
    bulk = [(report.when, 3, report) for report in company.bulk]
    events = sorted((when, kind, n, payload) for n, (when, kind, payload)
                    in enumerate([*creations, *edits, *handovers, *bulk]))
    current: dict[str, dict] = {}
    # The demo company can be generated again at will, so its commits need not wait for the disk.
    durable, archive.durable = archive.durable, False
    try:
        changed = _replay(files, archive, company, events, current)
        made = seed_requests(archive, company, current, now, gone)
        seed_cases(svc, company, current, now, gone)  # R35: an attempt, a confirmed sharing
    finally:
        archive.durable = durable
    return {"staff": len(company.staff), "customers": len(company.customers), "edits": changed,
            "documents": sum(len(edit.files) for edit in company.milestones),
            "handovers": len(company.handovers), "requests": made}


def seed_requests(archive: Archive, company: DemoCompany, current: dict,
                  now: datetime | None = None, gone: set[str] | frozenset = frozenset()) -> int:
    """Commit access requests in every state, backdated, each step by its signer (R34).

    Waiting at each step of the chain, granted and in force, expired, refused, revoked, and one
    break-glass read. Returns how many requests were made.
    """
    now = now or datetime.now(UTC)
    members = {m["username"]: m for m in company.staff}
    old_enough = now - timedelta(days=65)
    # Personal files kept by a salesperson, old enough for every backdated request.
    held = [(cid, record["custody"]) for cid, record in sorted(current.items())
            if isinstance(record.get("custody"), dict)
            and record["custody"].get("level") == "personal"
            and members.get(record["custody"].get("owner"), {}).get("role") == "salesperson"
            and company.created[cid][0] < old_enough]
    askers = [m for m in company.staff
              if m["role"] == "salesperson" and m["username"] not in gone]
    gm = next((m["username"] for m in company.staff if m["role"] == "general_manager"), "")
    managers = {d["id"]: d["manager"] for d in company.departments}
    plans = [  # (days ago, steps signed, outcome, days asked for)
        (1, 0, "", 7), (2, 1, "", 7), (3, 2, "", 14), (4, 3, "", 30), (60, 3, "", 7),
        (20, 1, "refuse", 7), (15, 3, "revoke", 30)]
    made = 0
    if not held:
        return made
    files = itertools.cycle(held)
    for (ago, signed, outcome, days), (customer_id, custody) in zip(plans, files, strict=False):
        requester = next((m["username"] for m in askers
                          if m["department"] != custody.get("department")
                          and m["username"] not in (custody.get("contacts") or [])
                          and managers.get(m["department"])), "")
        if not requester or not gm:
            break
        when = now - timedelta(days=ago)
        askers.append(askers.pop(askers.index(members[requester])))  # spread the requesters
        request_id = requests.create(archive, requester, [customer_id], _DEMO_REASONS[made %
                                     len(_DEMO_REASONS)], "read", days, when)
        for step in range(signed):
            requests.act(archive, request_id, _next_signer(archive, request_id), True,
                         "同意" if step else "請依規定使用", when + timedelta(hours=step + 1))
        if outcome == "refuse":
            requests.act(archive, request_id, _next_signer(archive, request_id), False,
                         "理由不充分，請由負責業務代為處理", when + timedelta(hours=3))
        elif outcome == "revoke":
            requests.revoke(archive, request_id, custody["owner"], when + timedelta(days=2))
        made += 1
    if held and gm:
        requests.break_glass(archive, gm, held[0][0], "客戶緊急投訴，負責業務休假聯絡不上",
                             now - timedelta(days=10))
        made += 1
    return made + access_cases.seed(archive, company, current, now, gone)


def _next_signer(archive: Archive, request_id: str) -> str:
    """Return who signs a request's current step (the first of them by name)."""
    snapshot = archive.snapshot()
    req = requests.get(snapshot, request_id) or {}
    index = requests.current_step(req)
    if index is None:
        raise click.ClickException(f"demo request {request_id} waits for nobody")
    return min(requests.signers(req, req["steps"][index], load_rules(snapshot)))


_DEMO_REASONS = ("客戶來電詢價，負責業務出差，需查閱報價與交易條件",
                 "年度信用額度檢討，需比對往來紀錄",
                 "協助處理客訴，需查閱聯絡紀錄",
                 "跨區聯合拜訪前了解客戶背景")


def _replay(files: CustomerFiles, archive: Archive, company: DemoCompany, events: list,
            current: dict) -> int:
    """Commit the planned creations, edits and hand-overs in time order; count changed edits."""
    edits = 0
    for when, kind, _, payload in events:
        if kind == 0:
            source = payload["source"] if payload["source"] in _CREATION_SOURCES else None
            new_id, _ = files.create(payload, company.created[payload["id"]][1], when=when,
                                     source=source)
            if new_id != payload["id"]:
                raise click.ClickException(f"demo ids out of step: {new_id} != {payload['id']}")
            current[new_id] = payload
        elif kind == 1:
            edits += _commit_edit(files, payload, current)
        elif kind == 3:
            commit_bulk(archive, payload, current)
        else:
            commit_handover(archive, payload, current)
    return edits


def _commit_edit(files: CustomerFiles, edit: DemoEdit, current: dict) -> int:
    """Commit one planned edit at the head (the seed is the only writer); 1 if it changed."""
    updated = apply_changes(current[edit.customer_id], edit.changes)
    author: str | Identity = edit.author
    if edit.action == "customer_form":  # the customer has no account: named as they signed
        author = Identity(f"{edit.author}（客戶填表）", FORM_EMAIL)
    extra = dict(edit.files)
    commit = files.amend(edit.customer_id, lambda record, _: apply_changes(record, edit.changes),
                         author, action=edit.action, source=edit.source or None, when=edit.when,
                         files=(lambda snapshot, record: extra) if extra else None)
    current[edit.customer_id] = updated
    return 1 if commit else 0


def commit_handover(archive: Archive, handover: DemoHandover, current: dict) -> str | None:
    """One commit by the administrator: the leaver gone, their files and tasks moved (R32)."""
    rules = load_rules(archive.snapshot())
    names = {m["username"]: m["name"] for m in rules.directory.staff}

    def build(snapshot: Snapshot) -> Change:
        staff = yamlio.load(snapshot.read(STAFF_PATH), STAFF_PATH)
        paths: dict[str, bytes | None] = {STAFF_PATH: dump_staff(
            mark_left(staff, handover.leaver, handover.when.date().isoformat()))}
        paths.update(_changed_files(snapshot, handover.changes, rules))
        subject = (f"交接 {names[handover.leaver]} → {names[handover.successor]}："
                   f"{len(handover.changes)} 個客戶檔案")
        return Change(paths, f"{subject}\n\nStaff: {handover.leaver}\nAction: handover\n")

    commit = archive.commit(build, rules.identity(handover.author), when=handover.when)
    for customer_id, values in handover.changes.items():
        current[customer_id] = apply_changes(current[customer_id], values)
    return commit


def _changed_files(snapshot: Snapshot, changes: dict[str, dict], rules: Rules
                   ) -> dict[str, bytes]:
    """Return each changed file's new bytes, every one validated (InvalidRecord if not)."""
    paths: dict[str, bytes] = {}
    for customer_id, values in changes.items():
        path = customer_path(customer_id)
        record = normalise(apply_changes(yamlio.load(snapshot.read(path), path), values))
        errors = validate(record, rules.policy) + rules.check_people(record)
        if errors:
            raise InvalidRecord(errors)
        paths[path] = yamlio.dump(record)
    return paths


def commit_bulk(archive: Archive, bulk: DemoBulk, current: dict) -> str | None:
    """One commit of many files by one person (accounting's receivables report, R28)."""
    rules = load_rules(archive.snapshot())

    def build(snapshot: Snapshot) -> Change:
        paths: dict[str, bytes | None] = dict(_changed_files(snapshot, bulk.changes, rules))
        return Change(paths, f"{bulk.subject}\n\nAction: {bulk.action}\nSource: {bulk.source}\n")

    commit = archive.commit(build, rules.identity(bulk.author), when=bulk.when)
    for customer_id, values in bulk.changes.items():
        current[customer_id] = apply_changes(current[customer_id], values)
    return commit


@click.command("seed-demo")
@with_appcontext
@click.option("--customers", default=300, show_default=True, help="How many customers.")
@click.option("--seed", "seed_value", default=7, show_default=True, help="Random seed.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The demo's today, YYYY-MM-DD (default: today); its history ends the day "
                   "before.")
def seed_demo_command(customers: int, seed_value: int, today: datetime | None) -> None:
    """Fill an empty archive with a demo company (every demo password is 'demo')."""
    svc = services.get()
    started = time.perf_counter()
    counts = seed(svc, customers, seed_value, today.date() if today else None)
    svc.index.catch_up()
    from .web import setup  # the CLI's app issued a set-up code for the empty archive

    setup.retire_code(current_app)
    click.echo(
        f"Demo company: {counts['staff']} staff, {counts['customers']} customers, "
        f"{counts['edits']} later edits, {counts['documents']} documents, "
        f"{counts['handovers']} hand-over in {time.perf_counter() - started:.1f} s. "
        f"Sign in as director / {DEMO_PASSWORD}."
    )
