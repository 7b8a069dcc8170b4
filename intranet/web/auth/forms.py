"""Forms of the sign-in pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField

from ..validators import at_most, required


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[required(), at_most(32)])
    password = PasswordField(_l("Password"), validators=[required(), at_most(200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class LogoutForm(FlaskForm):
    """An empty form: signing out is a POST with a CSRF token."""

    submit = SubmitField(_l("Sign out"))
