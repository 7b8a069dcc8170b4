"""Forms of the customer's data form: the public form built from the policy, links, review.

The public form's fields are named by their record paths (``basic.phone``) and carry no
format checks: the record's own validation judges them (``records.files.customer_form``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField

from ...records.files import schema
from ...records.files.customer_form import NAME_LIMIT
from ..customers.forms import TEXTAREAS
from ..validators import at_most, required

_NUMBERS = frozenset({schema.AMOUNT, schema.SIGNED_AMOUNT, schema.INT})
_HINTS = {schema.DATE: "YYYY-MM-DD", schema.PARTIAL_DATE: "YYYY-MM-DD"}
# Keyboards on phones; the type stays text so the browser never second-guesses our rules.
_INPUTS = {schema.EMAIL: "email", schema.PHONE: "tel"}


class PublicForm(FlaskForm):
    """The parts of the customer's form that do not depend on the policy."""

    submitted_by = StringField(_l("Your name"), validators=[required(), at_most(NAME_LIMIT)])
    send = SubmitField(_l("Send"))


def _box(path: str) -> StringField:
    """Return the input for one record path, labelled as the file labels it."""
    declared = schema.field_at(path)
    kind = declared.kind if declared else schema.TEXT
    label = _l(schema.label(path))
    if path in TEXTAREAS or path == "basic.address":
        return TextAreaField(label)
    render = {"autocomplete": "off"}
    if kind in _NUMBERS:
        render["inputmode"] = "decimal"
    if kind in _INPUTS:
        render["inputmode"] = _INPUTS[kind]
    if kind in _HINTS:
        render["placeholder"] = _HINTS[kind]
    return StringField(label, render_kw=render)


def public_form(paths: list[str]) -> type[PublicForm]:
    """Return a form class with one box per path, in order, before the name and Send."""
    fields = {path: _box(path) for path in paths}
    form = type("CustomerDataForm", (PublicForm,), fields)
    # WTForms orders fields by creation; the name and button were created first.
    form.submitted_by = StringField(_l("Your name"),
                                    validators=[required(), at_most(NAME_LIMIT)])
    form.send = SubmitField(_l("Send"))
    return form


class LinkForm(FlaskForm):
    """Make a new link to the customer's form."""

    create = SubmitField(_l("Make a new link"))


class RevokeForm(FlaskForm):
    """Revoke an open link."""

    revoke = SubmitField(_l("Revoke"))


class ReviewForm(FlaskForm):
    """Decide a proposal: the per-field choices are radio buttons named ``decision-<n>``."""

    save = SubmitField(_l("Save the decisions"))
    accept_all = SubmitField(_l("Accept all"))
    reject_all = SubmitField(_l("Reject all"))
