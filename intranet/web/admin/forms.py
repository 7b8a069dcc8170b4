"""Forms of the administrator's pages."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Regexp, ValidationError

from ...accounts import MIN_PASSWORD
from ...records.files import formats
from ..validators import at_most, between, required, same_as

DEPARTMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


class _Member(FlaskForm):
    """What the administrator keeps of a member: name, e-mail, role and department.

    The role and department lists are filled by the view; any other value is refused by the
    staff directory's own checks, with their messages.
    """

    name = StringField(_l("Full name"), validators=[required(), at_most(100)])
    email = EmailField(_l("Email"), validators=[required(), at_most(200)])
    role = SelectField(_l("Role"), validate_choice=False, validators=[required()])
    department = SelectField(_l("Department"), validate_choice=False, validators=[required()])

    def validate_email(self, field: EmailField) -> None:
        """Refuse e-mail addresses the staff directory would refuse."""
        field.data = (field.data or "").strip()
        message = formats.check_email(field.data)
        if message:
            raise ValidationError(_(message))


class MemberForm(_Member):
    """A new member of staff with an initial password."""

    username = StringField(_l("Username"), validators=[required(), at_most(32)])
    password = PasswordField(_l("Password"), validators=[
        required(), between(MIN_PASSWORD, 200)])
    confirm = PasswordField(_l("Password again"), validators=[
        required(), same_as("password")])
    submit = SubmitField(_l("Save"))

    def validate_username(self, field: StringField) -> None:
        """Refuse usernames the staff directory would refuse."""
        field.data = (field.data or "").strip().lower()
        message = formats.check_username(field.data)
        if message:
            raise ValidationError(_(message))


class MemberEditForm(_Member):
    """A member's name, e-mail, role and department."""

    submit = SubmitField(_l("Save"))


class _Date(DateField):
    """A date field whose parse error is ours (WTForms' own is not in our catalogues)."""

    def process_formdata(self, valuelist: list) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a real date as YYYY-MM-DD")) from None


class DisableForm(FlaskForm):
    """Disable a member: they left on a date, and their sessions end."""

    left_on = _Date(_l("Left on"), default=date.today,
                        validators=[InputRequired(message=_l("Required"))])
    submit = SubmitField(_l("Disable"))


class DepartmentForm(FlaskForm):
    """A new department: its id, name and (optionally) its manager."""

    id = StringField(_l("Department"), validators=[required(), Regexp(DEPARTMENT_ID, message=_l(
        "A department id is letters, digits, dots, dashes or underscores"))])
    name = StringField(_l("Name"), validators=[required(), at_most(100)])
    manager = SelectField(_l("Manager"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class DepartmentEditForm(FlaskForm):
    """Rename a department or set its manager."""

    name = StringField(_l("Name"), validators=[required(), at_most(100)])
    manager = SelectField(_l("Manager"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class PolicyForm(FlaskForm):
    """The whole of policy.yaml as YAML text."""

    text = TextAreaField(_l("Policy"), validators=[required(), at_most(200_000)])
    reason = TextAreaField(_l("Reason for the change"), validators=[required(), at_most(2000)])
    submit = SubmitField(_l("Propose to the general manager"))


class PolicyReasonForm(FlaskForm):
    """The reason for a change made in the labelled policy form (the values are its inputs)."""

    reason = TextAreaField(_l("Reason for the change"), validators=[required(), at_most(2000)])
    submit = SubmitField(_l("Propose to the general manager"))
