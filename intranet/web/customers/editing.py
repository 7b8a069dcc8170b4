"""One pass of the customer form: build it, read it, put refusals back on it, show conflicts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import Field, FieldList, FormField

from ...actions.credit import CreditForbidden
from ...actions.customers import new_custody
from ...actions.rights import refuse_custody_fields
from ...archive.errors import Conflict, CorruptRecord
from ...records.files import cards, schema
from ...records.files.customers import InvalidRecord, SaveConflict
from ...records.files.messages import FieldError
from ...records.rulebook.classes import LISTS
from . import reading
from .figures_views import classes
from .forms import CustomerForm, apply, off_card, record_data
from .labels import enum_choices, field_label
from .present import show, when

_PERSON_PATH = re.compile(r"people\[(\d+)\]\.(\w+)")
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_ABSENT = object()


def blank(card: str) -> dict[str, Any]:
    """Return a new record of a card, kept by the signed-in user at personal level."""
    custody = new_custody(current_user.username, current_user.department)
    return schema.new_record(card, **{f"custody.{k}": v for k, v in custody.items()})


def _keep(pairs: list[tuple[str, str]], current: Any) -> list[tuple[str, str]]:
    """Keep a stored value selectable even if the policy or staff list dropped it."""
    values = [current] if isinstance(current, str) else list(current or [])
    known = {value for value, _label in pairs}
    return pairs + [(v, v) for v in values if isinstance(v, str) and v and v not in known]


def set_choices(form: CustomerForm, record: dict[str, Any]) -> None:
    """Fill the drop-downs: enumerations from the schema, grades from the policy."""
    rules = reading.rules()
    policy = rules.policy
    grades = [(code, f"{code} — {policy.grade_description(code)}") for code in policy.grades]
    credit = [(str(g["code"]), f"{g['code']} — {g.get('description', '')}")
              for g in policy.data["credit_grades"]]
    credit_now = record.get("credit") if isinstance(record.get("credit"), dict) else {}
    lists = {
        "card": enum_choices("card"), "kind": enum_choices("kind"),
        "stage": enum_choices("stage"), "market": enum_choices("market"),
        "channel": enum_choices("channel"), "source": enum_choices("source", blank=True),
        "grade": [("", "—"), *grades],
    }
    for name, pairs in lists.items():
        form[name].choices = _keep(pairs, record.get(name))
    form.credit.form.grade.choices = _keep([("", "—"), *credit], credit_now.get("grade"))
    form.change_source.choices = enum_choices("source")
    suggest_classes(form)


def suggest_classes(form: CustomerForm) -> None:
    """Offer each classification list under its field (R23); a value outside it is flagged.

    A text box with the list as suggestions rather than a closed choice: a file written
    before the list changed keeps its value and still saves; the card flags it.
    """
    lists = classes()
    form.class_lists = {}
    for name in LISTS[:4]:
        values = lists.values(name)
        if values:
            box = form.classification.form[name]
            box.render_kw = {**(box.render_kw or {}), "list": f"classes-{name}",
                             "autocomplete": "off"}
            form.class_lists[name] = values


def field_for(form: CustomerForm, path: str, positions: list[int]) -> Field | None:
    """Return the form field an error's path belongs to, or None if the form lacks it."""
    person = _PERSON_PATH.fullmatch(path)
    if person:
        index = int(person.group(1))
        if index >= len(positions):
            return None
        return form.people.entries[positions[index]].form._fields.get(person.group(2))
    head, _dot, rest = re.sub(r"\[\d+\]$", "", path).partition(".")
    found = form._fields.get(head)
    if isinstance(found, FormField):
        return found.form._fields.get(rest) if rest else None
    if found is None or rest or isinstance(found, FieldList) or head in ("base", "save"):
        return None
    return found


def get_at(record: Any, path: str) -> Any:
    """Return the value at an indexed path (people[0].name), or _ABSENT."""
    value = record
    for key, index in _STEP.findall(path):
        if index:
            ok = isinstance(value, list) and int(index) < len(value)
            value = value[int(index)] if ok else _ABSENT
        else:
            value = value.get(key, _ABSENT) if isinstance(value, dict) else _ABSENT
        if value is _ABSENT:
            return _ABSENT
    return value


def set_at(record: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, with _ABSENT, remove) the value at an indexed path, if its parent exists."""
    steps = list(_STEP.finditer(path))
    last = steps[-1]
    parent = get_at(record, path[: last.start()].rstrip(".")) if len(steps) > 1 else record
    key, index = last.group(1), last.group(2)
    if index and isinstance(parent, list) and int(index) < len(parent):
        parent[int(index)] = value
    elif not index and isinstance(parent, dict):
        if value is _ABSENT:
            parent.pop(key, None)
        else:
            parent[key] = value


def marked(form: Any) -> bool:
    """Tell whether any field of the form, its groups or its people shows an error."""
    for f in form:
        if isinstance(f, FormField) and marked(f.form):
            return True
        if isinstance(f, FieldList) and any(marked(entry.form) for entry in f.entries):
            return True
        if not isinstance(f, (FormField, FieldList)) and f.errors:
            return True
    return False


@dataclass
class ConflictRow:
    """One field both people changed: their value and mine, as words, and the choice made."""

    index: int
    path: str
    label: str
    theirs: str
    mine: str
    choice: str


class Edit:
    """The customer form for one request: a new file, an edit, or a conflict resolution."""

    def __init__(self, record: dict[str, Any], base: str = "", customer_id: str = ""):
        """Build the form from the request on a POST, else from the record."""
        self.record = record  # what the form was loaded from (at ``base``)
        self.customer_id = customer_id
        self.problems: list[tuple[str, str]] = []  # errors no field of the form shows
        self.positions: list[int] = []
        self.paths = request.form.getlist("conflict") if request.method == "POST" else []
        self.choices = {i: request.form.get(f"choice-{i}", "") for i in range(len(self.paths))}
        self.rows: list[ConflictRow] = []
        self.author: dict[str, Any] | None = None
        if request.method == "POST":
            # The form has no custody fields: a post that carries some is refused whole
            # (403, nothing written); the save action refuses a changed custody as well.
            refuse_custody_fields(request.form)
            self.form = CustomerForm()
        else:
            self.form = CustomerForm(data={**record_data(record), "base": base})
            if not self.form.people.entries:
                self.form.people.append_entry()  # one empty slot to start with
        set_choices(self.form, record)

    def submitted(self) -> bool:
        """Tell whether a complete, well-formed form came in to be written."""
        if request.method != "POST":
            return False
        if self.form.add_person.data:
            self.form.people.append_entry()  # no JavaScript: the page comes back one longer
            return False
        if not self.form.validate_on_submit():
            return False
        if any(choice not in ("theirs", "mine") for choice in self.choices.values()):
            self.problems.append(("", _("Choose which value to keep for every field below.")))
            return False
        return True

    @property
    def source(self) -> str:
        """Return where the change came from (R10), for the commit's Source: trailer."""
        return self.form.change_source.data or "visit"

    def result(self) -> dict[str, Any]:
        """Return the record to write: the loaded one with the form and the choices applied."""
        record, self.positions = apply(self.form, self.record)
        for i, path in enumerate(self.paths):
            if self.choices[i] == "theirs":
                set_at(record, path, get_at(self.record, path))
        return record

    def attempt(self, write: Callable[[dict[str, Any]], Any]) -> tuple[bool, Any]:
        """Run a write with the form's record; on a refusal keep the reasons for the page."""
        try:
            return True, write(self.result())
        except InvalidRecord as exc:
            self.invalid(exc.errors)
        except Conflict as exc:
            self.conflicted(exc.details)
        except CorruptRecord as exc:
            self.problems.append(("", _("The file in the archive is damaged: %(reason)s",
                                        reason=exc.reason)))
        except CreditForbidden as exc:  # R28: shown on the form, nothing was written
            self.problems.append((field_label("credit"), _(exc.message, **exc.params)))
        return False, None

    def invalid(self, errors: list[FieldError]) -> None:
        """Put the domain's errors on their fields; list the others at the top."""
        for error in errors:
            text = _(error.message).format(**error.params)
            found = field_for(self.form, error.path, self.positions)
            if found is None:
                self.problems.append((field_label(error.path) if error.path else "", text))
            else:
                found.errors = [*found.errors, text]

    def conflicted(self, details: SaveConflict) -> None:
        """Offer both values of each collision, the merged form below, based on the head."""
        self.record = details.theirs
        source = self.source  # the resolution is the same change, from the same source
        self.form = CustomerForm(formdata=None, data={**record_data(details.merged),
                                                      "base": details.head,
                                                      "change_source": source})
        set_choices(self.form, details.merged)
        self.paths = [c.path for c in details.conflicts]
        self.rows = [ConflictRow(i, c.path, field_label(c.path), show(c.path, c.theirs),
                                 show(c.path, c.mine), "")
                     for i, c in enumerate(details.conflicts)]

    def _rows_again(self) -> list[ConflictRow]:
        """Rebuild the conflict rows of a resolution that came back (a choice was missing)."""
        mine, _positions = apply(self.form, self.record)
        rows = []
        for i, path in enumerate(self.paths):
            theirs, ours = get_at(self.record, path), get_at(mine, path)
            rows.append(ConflictRow(
                i, path, field_label(path), show(path, None if theirs is _ABSENT else theirs),
                show(path, None if ours is _ABSENT else ours), self.choices.get(i, "")))
        return rows

    def render(self, **context: Any) -> tuple[str, int]:
        """Render the form page: 409 while a conflict waits for a choice, else 200."""
        if self.paths and not self.rows:
            self.rows = self._rows_again()
        if self.rows and self.customer_id:
            latest = reading.versions(self.customer_id, current_user, "edit")[0]
            self.author = {"name": latest["author_name"], "when": when(latest["authored_at"])}
        required = schema.REQUIRED.get(self.form.card.data or "", schema.REQUIRED_COMMON)
        # R9: the form asks for the loaded card's fields; the other card's values are shown.
        kept = [(field_label(p), show(p, v)) for p, v in cards.other_card_values(self.record)]
        page = render_template("customers/form.html", form=self.form, problems=self.problems,
                               conflicts=self.rows, author=self.author,
                               marked=marked(self.form), off_card=off_card(self.record),
                               other_card=kept, card_name=cards.card_of(self.record),
                               required=set(required), **context)
        return page, 409 if self.rows else 200
