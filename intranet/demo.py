"""``seed-demo``: fill an empty archive with a believable company, through the real write path."""

from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from . import services
from .archive.objects import Identity
from .archive.repository import Archive, Change, Snapshot
from .demo_data import DemoCompany, apply_changes, generate_company
from .records import yamlio
from .records.customers import PREFIX, CustomerFiles
from .records.rules import DEPARTMENTS_PATH, STAFF_PATH
from .records.staff import dump_departments, dump_staff

DEMO_PASSWORD = "demo"


def commit_organisation(archive: Archive, company: DemoCompany, author: Identity) -> str | None:
    """Commit the demo company's departments and staff, dated before its first customer."""
    first = min(when for when, _ in company.created.values())

    def organisation(snapshot: Snapshot) -> Change:
        return Change({
            DEPARTMENTS_PATH: dump_departments({"departments": company.departments}),
            STAFF_PATH: dump_staff({"staff": company.staff}),
        }, "建立示範公司組織\n\nAction: staff\n")

    return archive.commit(organisation, author, when=first)


def seed(svc: services.Services, customers: int = 300, seed_value: int = 7) -> dict[str, int]:
    """Write the demo organisation, customers and months of edits as backdated commits."""
    archive = svc.archive
    staff = yamlio.load(archive.read(STAFF_PATH), STAFF_PATH).get("staff") or []
    if archive.files(PREFIX) or staff:
        raise click.ClickException("seed-demo only fills a new archive: this one already "
                                   "holds customer files or staff")
    company = generate_company(seed=seed_value, customers=customers)
    commit_organisation(archive, company, svc.system)
    # Demo accounts share one short password, so the usual length rule is waived here.
    svc.credentials.set_many([m["username"] for m in company.staff], DEMO_PASSWORD)
    files = CustomerFiles(archive)
    events = sorted(
        [(when, 0, record["id"], author, record)
         for record in company.customers
         for when, author in [company.created[record["id"]]]]
        + [(edit.when, 1, edit.customer_id, edit.author, edit.changes)
           for edit in company.history]
    )
    current: dict[str, dict] = {}
    # The demo company can be generated again at will, so its commits need not wait for the disk.
    durable, archive.durable = archive.durable, False
    try:
        edits = _replay(files, archive, events, current)
    finally:
        archive.durable = durable
    return {"staff": len(company.staff), "customers": len(company.customers), "edits": edits}


def _replay(files: CustomerFiles, archive: Archive, events: list, current: dict) -> int:
    """Commit the planned creations and edits in time order; return how many edits changed."""
    edits = 0
    for when, kind, customer_id, author, payload in events:
        if kind == 0:
            new_id, _ = files.create(payload, author, when=when)
            if new_id != customer_id:
                raise click.ClickException(f"demo ids out of step: {new_id} != {customer_id}")
            current[customer_id] = payload
        else:
            updated = apply_changes(current[customer_id], payload)
            if files.save(customer_id, updated, archive.head(), author, when=when):
                edits += 1
            current[customer_id] = updated
    return edits


@click.command("seed-demo")
@with_appcontext
@click.option("--customers", default=300, show_default=True, help="How many customers.")
@click.option("--seed", "seed_value", default=7, show_default=True, help="Random seed.")
def seed_demo_command(customers: int, seed_value: int) -> None:
    """Fill an empty archive with a demo company (every demo password is 'demo')."""
    svc = services.get()
    started = time.perf_counter()
    counts = seed(svc, customers, seed_value)
    svc.index.catch_up()
    click.echo(
        f"Demo company: {counts['staff']} staff, {counts['customers']} customers, "
        f"{counts['edits']} later edits in {time.perf_counter() - started:.1f} s. "
        f"Sign in as director / {DEMO_PASSWORD}."
    )
