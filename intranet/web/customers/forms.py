"""The customer form, generated from the schema so input names are the YAML keys.

Groups are ``FormField(..., separator=".")`` (``basic.name``, ``credit.limit``) and people a
``FieldList`` (``people-0.name``). Required fields are not checked here: the domain's
validation is the one source of truth and its errors are put back on these fields.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, ValidationError

from ...records.files import cards, schema
from ...records.files.formats import parse_number
from ...records.files.schema import LABELS

# Custody is not here: it changes only on the custody page (actions.custody, R33).
GROUPS = ("classification", "credit", "basic", "characteristics", "business", "transactions")
TOP = ("card", "kind", "stage", "market", "channel", "grade", "vip", "source", "notes")
PERSON = tuple(schema.SCHEMA["people"].children)
# Long free text gets a text area; everything else is one line.
TEXTAREAS = frozenset({
    "notes", "basic.business_scope", "credit.problems",
    *(f"{group}.{key}" for group in ("characteristics", "business", "transactions")
      for key, f in schema.SCHEMA[group].children.items() if f.kind == schema.TEXT),
})
# Set by their own actions, never typed: who approved a credit exception (R28).
NOT_IN_FORM = frozenset({"credit.approved_by", "credit.approved_on"})
# Text in the schema, but chosen from the directory's departments.
_DIRECTORY_SELECTS = frozenset({"custody.department"})
_NUMBERS = frozenset({schema.AMOUNT, schema.SIGNED_AMOUNT, schema.INT})
NUMBER_ERROR = _l("Enter a number")
# Explicit messages instead of WTForms' defaults: Flask-WTF looks those up in WTForms' own
# catalogues (no zh_Hant_TW: Taiwan would read Simplified Chinese), and the groups' plain
# sub-forms are not translated at all.
CHOICE_ERROR = _l("Choose a value from the list")
CHOICES_ERROR = _l("Choose only names from the list")


class NumberField(StringField):
    """A number typed as text, so a typo is reported rather than silently dropped."""

    def pre_validate(self, form: Form) -> None:
        """Report text that is not a number."""
        try:
            parse_number(self.data)
        except ValueError as exc:
            raise ValidationError(NUMBER_ERROR) from exc


def _field(path: str) -> Any:
    """Return the unbound form field for a record path."""
    declared = schema.field_at(path)
    kind = declared.kind if declared else schema.TEXT
    label = _l(LABELS[path])
    if kind in (schema.ENUM, schema.USERNAME) or path in _DIRECTORY_SELECTS:
        return SelectField(label, choices=[], invalid_choice_message=CHOICE_ERROR)
    if kind == schema.USERNAMES:
        return SelectMultipleField(label, choices=[], invalid_choice_message=CHOICES_ERROR)
    if kind == schema.BOOL:
        return BooleanField(label)
    if kind in _NUMBERS:
        return NumberField(label, render_kw={"inputmode": "decimal"})
    if path in TEXTAREAS:
        return TextAreaField(label)
    if kind in (schema.DATE, schema.PARTIAL_DATE):
        return StringField(label, render_kw={"placeholder": "YYYY-MM-DD"})
    return StringField(label)


def _group_form(group: str) -> type[Form]:
    """Return a sub-form with one field per key of a record group, in the schema's order."""
    fields = {key: _field(f"{group}.{key}") for key in schema.SCHEMA[group].children
              if f"{group}.{key}" not in NOT_IN_FORM}
    return type(f"{group.title()}Form", (Form,), fields)


def _group_field(group: str) -> FormField:
    """Return a record group as a sub-form, labelled (WTForms' own label is English)."""
    return FormField(_group_form(group), label=_l(LABELS[group]), separator=".")


class PersonForm(Form):
    """One owner, manager or legal person (R5)."""

    origin = HiddenField()  # index in the loaded record, so keys the form lacks are kept
    remove = BooleanField(_l("Remove this person"))


for _key in PERSON:
    setattr(PersonForm, _key, _field(f"people.{_key}"))


class CustomerForm(FlaskForm):
    """Every field a person edits on a customer file; logs and documents have own pages."""

    base = HiddenField()
    card = _field("card")
    kind = _field("kind")
    stage = _field("stage")
    market = _field("market")
    channel = _field("channel")
    grade = _field("grade")
    vip = _field("vip")
    source = _field("source")
    notes = _field("notes")
    classification = _group_field("classification")
    credit = _group_field("credit")
    basic = _group_field("basic")
    characteristics = _group_field("characteristics")
    business = _group_field("business")
    transactions = _group_field("transactions")
    people = FieldList(FormField(PersonForm, separator="."), label=_l(LABELS["people"]))
    add_person = SubmitField(_l("Add a person"))
    # R10: where this change came from; the commit's Source: trailer, not a field of the file.
    change_source = SelectField(_l("Source of this change"), choices=[], default="visit",
                                invalid_choice_message=CHOICE_ERROR)
    save = SubmitField(_l("Save"))


class RestoreForm(FlaskForm):
    """Restore a version: the revision it was confirmed at and an explicit confirmation."""

    base = HiddenField(validators=[DataRequired(_l("Reload the page and try again"))])
    confirm = BooleanField(_l("I want to restore this version"),
                           validators=[DataRequired(_l("Tick the box to confirm"))])
    # Later entries are kept unless this is ticked and the list was shown again ("1").
    remove_later = BooleanField(_l("Also remove these later entries"))
    removal_seen = HiddenField()
    submit = SubmitField(_l("Restore this version"))


def _out(path: str, value: Any) -> Any:
    """Return a stored value as its form field expects it."""
    declared = schema.field_at(path)
    kind = declared.kind if declared else schema.TEXT
    if kind == schema.BOOL:
        return value is True
    if kind == schema.USERNAMES:
        return [str(v) for v in value] if isinstance(value, list) else []
    if kind in _NUMBERS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if value is None:
        return ""
    # A hand edit may have put a number or list where text belongs: show it, do not lose it.
    return value if isinstance(value, str) else str(value)


def _group(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def off_card(record: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Return, per group, the keys the form leaves out because another card asks for them."""
    card = cards.card_of(record)
    return {group: tuple(k for k in schema.SCHEMA[group].children
                         if not cards.on_card(card, f"{group}.{k}")) for group in GROUPS}


def record_data(record: dict[str, Any]) -> dict[str, Any]:
    """Return a record as the form's ``data``."""
    data: dict[str, Any] = {key: _out(key, record.get(key)) for key in TOP}
    for group in GROUPS:
        values = _group(record, group)
        data[group] = {k: _out(f"{group}.{k}", values.get(k)) for k in schema.SCHEMA[group]
                       .children}
    people = record.get("people") if isinstance(record.get("people"), list) else []
    data["people"] = [
        {"origin": str(i), **{k: _out(f"people.{k}", p.get(k)) for k in PERSON}}
        for i, p in enumerate(people) if isinstance(p, dict)]
    return data


def _in(path: str, f: Field) -> Any:
    """Return a form field's value as the record stores it."""
    if isinstance(f, NumberField):
        return parse_number(f.data)
    if isinstance(f, BooleanField):
        return bool(f.data)
    if isinstance(f, SelectMultipleField):
        return list(f.data or [])
    # Browsers send text areas with CRLF; the file keeps plain newlines.
    return (f.data or "").replace("\r\n", "\n").replace("\r", "\n")


def _blank(entry: Form) -> bool:
    """Tell whether a person entry was left empty (an unused slot, not a person)."""
    return all(not (entry[k].data or "").strip() if isinstance(entry[k].data, str)
               else entry[k].data is None for k in PERSON)


def apply(form: CustomerForm, record: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Return ``record`` with the form's values; keys the form lacks are kept as they were.

    The fields of the record's card are taken from the form; another card's are kept (R9).

    The second value maps each person in the result to its form entry, for error messages.
    """
    result = dict(record)
    card = cards.card_of(record)
    for key in TOP:
        result[key] = _in(key, form[key])
    for group in GROUPS:
        values = dict(_group(record, group))
        for f in form[group].form:
            # R9: the form does not offer the other card's fields; their values stay as are.
            if cards.on_card(card, f"{group}.{f.short_name}"):
                values[f.short_name] = _in(f"{group}.{f.short_name}", f)
        result[group] = values
    old = record.get("people") if isinstance(record.get("people"), list) else []
    people, positions = [], []
    for position, entry in enumerate(form.people.entries):
        sub = entry.form
        if sub.remove.data or _blank(sub):
            continue
        origin = int(sub.origin.data) if (sub.origin.data or "").isdigit() else -1
        person = dict(old[origin]) if 0 <= origin < len(old) and isinstance(
            old[origin], dict) else {}
        person.update({k: _in(f"people.{k}", sub[k]) for k in PERSON})
        people.append(person)
        positions.append(position)
    result["people"] = people
    return result, positions
