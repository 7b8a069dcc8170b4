"""The printable customer card (R9): the distributor card or the terminal card on A4 paper.

A read like the customer page: it goes through ``reading.load`` (journalled as ``view``, route
``customers.card``), and a file the user may not read answers 403 with no field of it. Every
field of the card's sections is printed with its label; an empty one is a line to write on.
"""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ...records.files import schema
from ...records.rulebook.zone import company_zone, today
from . import present, reading
from .blueprint import bp
from .labels import enum_label, field_label

# R5 names three people whose character the card keeps: owner, manager and legal person.
# A card with fewer recorded gets blank ones to fill in by hand.
PEOPLE_ON_PAPER = 3
# R9 and the policy (第二章 二): who supplies each card.
SUPPLIED_BY = {
    "distributor": _l("Supplied by the regions."),
    "terminal": _l("Supplied by the business and sales departments."),
}


@bp.get("/<customer_id>/card")
@login_required
def card(customer_id: str):
    """Show a file as its policy card, ready to print (empty fields as lines to write on)."""
    loaded = reading.load(customer_id, current_user, "view")
    if loaded.damaged or loaded.record is None:
        # A damaged file has no card to print; its page says what is wrong with it.
        return redirect(url_for(".show", customer_id=customer_id))
    record = loaded.record
    kind = record.get("card") if record.get("card") in schema.CARDS else schema.CARDS[0]
    sections = present.sections(record)
    blank = [present.Row(f"people.{key}", field_label(f"people.{key}"), "")
             for key in schema.SCHEMA["people"].children]
    people = sections[0].people + [blank] * max(0, PEOPLE_ON_PAPER - len(sections[0].people))
    policy = reading.rules().policy
    return render_template(
        "customers/card.html", loaded=loaded, record=record, title=enum_label("card", kind),
        sections=sections, people=people, required=set(schema.REQUIRED[kind]),
        supplied_by=SUPPLIED_BY[kind], printed_on=today(company_zone(policy)).isoformat(),
        printed_by=reading.staff_name(current_user.username))
