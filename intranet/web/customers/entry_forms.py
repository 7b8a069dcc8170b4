"""Forms that add to a file: a contact, an event, one year's figures, a CSV of figures.

Only the shape is checked here (a value from the list, a file chosen); what an entry may hold
is decided by ``records.files.entries``, whose errors are put back on these fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ...records.files.schema import LABELS
from .forms import CHOICE_ERROR
from .labels import enum_choices

DATE_HINT = {"placeholder": "YYYY-MM-DD"}


def _select(path: str, default: str | None = None) -> SelectField:
    """Return a drop-down of a schema enumeration, labelled as the schema labels it."""
    return SelectField(_l(LABELS[path]), choices=lambda: enum_choices(path), default=default,
                       invalid_choice_message=CHOICE_ERROR)


def _please_choose(path: str) -> list[tuple[str, str]]:
    """Return an enumeration's choices led by an empty "Please choose…" (nothing assumed)."""
    return [("", str(_l("Please choose…"))), *enum_choices(path)]


class ContactForm(FlaskForm):
    """The quick-add form of the contact log (R14)."""

    date = StringField(_l(LABELS["contacts.date"]), render_kw=DATE_HINT)
    channel = _select("contacts.channel", "visit")
    summary = StringField(_l(LABELS["contacts.summary"]))
    report = TextAreaField(_l(LABELS["contacts.report"]))
    next_contact = StringField(_l(LABELS["contacts.next_contact"]), render_kw={
        **DATE_HINT, "type": "date"},
        description=_l("Optional: the day to contact the customer again (a reminder)"))
    source = _select("contacts.source", "visit")
    confidential = BooleanField(_l("Confidential: not reported to the department"))
    submit = SubmitField(_l("Add to the contact log"))


class EventForm(FlaskForm):
    """A major change at the customer or a dealing with us (R11)."""

    date = StringField(_l(LABELS["events.date"]),
                       render_kw={"placeholder": "YYYY / YYYY-MM / YYYY-MM-DD"})
    # No kind is assumed: an event saved without a choice is refused (records.entries).
    kind = SelectField(_l(LABELS["events.kind"]), choices=lambda: _please_choose("events.kind"),
                       default="", invalid_choice_message=CHOICE_ERROR)
    summary = StringField(_l(LABELS["events.summary"]))
    source = _select("events.source", "visit")
    submit = SubmitField(_l("Add the event"))


class SalesRow(Form):
    """One product's sales in the year."""

    product = StringField(_l("Product"))
    amount = StringField(_l("Amount"), render_kw={"inputmode": "decimal"})


class YearForm(FlaskForm):
    """One year's sales per product and financial status (R12), entered or replaced."""

    year = StringField(_l(LABELS["yearly.year"]), render_kw={"inputmode": "numeric"})
    sales = FieldList(FormField(SalesRow), min_entries=3, label=_l(LABELS["yearly.sales"]))
    add_row = SubmitField(_l("Add a product row"))
    revenue = StringField(_l(LABELS["yearly.financials.revenue"]),
                          render_kw={"inputmode": "decimal"})
    profit = StringField(_l(LABELS["yearly.financials.profit"]),
                         render_kw={"inputmode": "decimal"})
    assets = StringField(_l(LABELS["yearly.financials.assets"]),
                         render_kw={"inputmode": "decimal"})
    liabilities = StringField(_l(LABELS["yearly.financials.liabilities"]),
                              render_kw={"inputmode": "decimal"})
    notes = TextAreaField(_l(LABELS["yearly.financials.notes"]))
    source = _select("source", "visit")
    submit = SubmitField(_l("Save the year"))


class ImportForm(FlaskForm):
    """A CSV file of one customer's yearly figures."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file"))])
    submit = SubmitField(_l("Import"))
