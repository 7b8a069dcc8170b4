"""A deterministic generator of a believable demo company: staff, customer files, history."""

from __future__ import annotations

from datetime import date, timedelta

from . import finale, story
from .customers import CustomerFactory
from .history import Timeline, plan_history
from .living import enrich
from .model import TAIPEI, DemoCompany, DemoEdit, DemoRandom, apply_changes, get_path
from .org import departments, staff

__all__ = ["TAIPEI", "DemoCompany", "DemoEdit", "apply_changes", "generate_company", "get_path"]


def generate_company(
    seed: int = 7,
    customers: int = 300,
    today: date = date(2026, 11, 26),
    history_days: int = 120,
    edits: int | None = None,
    living: bool = True,
) -> DemoCompany:
    """The demo company for seed: the same arguments always give the same company.

    ``living`` gives files their past (contacts, events, yearly figures, sales power) and the
    milestones (a finished hand-over, documents, customer forms); without it they start empty.
    """
    if customers < 0 or history_days < 1:
        raise ValueError("customers must be >= 0 and history_days >= 1")
    # Separate streams, so that asking for more or fewer edits leaves the customers unchanged.
    factory = CustomerFactory(DemoRandom(f"demo-customers:{seed}"), today)
    past = DemoRandom(f"demo-living:{seed}")
    before = today - timedelta(days=history_days + 1)
    records = []
    metas = []
    for index in range(1, customers + 1):
        record, meta = factory.build(index)
        if living:
            enrich(past, record, meta, before, today, index <= customers - story.UNSCORED)
        records.append(record)
        metas.append(meta)
    if living:
        story.exceptions(DemoRandom(f"demo-credit:{seed}"), records, today)
    plan = plan_history(
        DemoRandom(f"demo-history:{seed}"),
        records,
        metas,
        today,
        history_days,
        2 * customers if edits is None else edits,
        DemoRandom(f"demo-milestones:{seed}") if living else None,
    )
    company = DemoCompany(departments(), staff(), records, plan.history, plan.created,
                          plan.handovers, plan.milestones)
    if living:
        when = finale.report_day(Timeline(today, history_days).days)
        report = finale.receivables_report(DemoRandom(f"demo-receivables:{seed}"), company,
                                           today, when)
        company.bulk = [report] if report else []
    company.classes = finale.classes(company)
    return company
