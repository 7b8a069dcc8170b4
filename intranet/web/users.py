"""Who is signed in: staff from the archive's directory, checked on every request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from flask_babel import gettext
from flask_login import UserMixin, login_user, logout_user

from .. import services
from ..records.rules import load_rules
from ..records.staff import role_label
from . import i18n


@dataclass
class User(UserMixin):
    """A member of staff with a password, as Flask-Login sees them."""

    username: str
    name: str
    role: str
    department: str
    email: str
    stamp: str

    def get_id(self) -> str:
        # The password stamp in the session id ends every session when the password changes.
        return f"{self.username}|{self.stamp}"

    @property
    def role_name(self) -> str:
        """Return the role's label in the user's language (staff.ROLES marks the English)."""
        return gettext(role_label(self.role, zh=False))


def find(username: str) -> User | None:
    """Return the active member of staff with a password, or None."""
    svc = services.get()
    directory = load_rules(svc.archive.snapshot()).directory
    member = directory.member(username)
    stamp = svc.credentials.stamp(username)
    # Disabled (active: false) or departed (left_on) staff have no session, whatever the cookie.
    if member is None or member.get("active", True) is not True or member.get("left_on") \
            or not stamp:
        return None
    return User(username, member.get("name") or username, member.get("role", ""),
                member.get("department", ""), member.get("email", ""), stamp)


def load(session_id: str) -> User | None:
    """Return the user of a session, or None once they are disabled or their password changed."""
    username, _, stamp = session_id.partition("|")
    user = find(username)
    return user if user is not None and user.stamp == stamp else None


def _fresh_session() -> None:
    """Empty the session, keeping only the language choice."""
    language = session.get(i18n.COOKIE)
    session.clear()
    if language:
        session[i18n.COOKIE] = language


def start_session(user: User) -> None:
    """Sign ``user`` in on a new session (nothing set before signing in carries over)."""
    _fresh_session()
    # Permanent: the cookie and its signature expire after PERMANENT_SESSION_LIFETIME idle.
    session.permanent = True
    login_user(user)


def end_session() -> None:
    """Sign out and forget everything the session held but the language."""
    logout_user()
    _fresh_session()
