"""Who is signed in: staff from the archive's directory, checked on every request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, session
from flask_babel import gettext
from flask_login import UserMixin, current_user, login_user, logout_user

from .. import services
from ..records.rulebook.rules import load_rules
from ..records.rulebook.staff import role_label
from ..revocation import Revocations, new_session_id
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
    sid: str = ""  # this session's random id, recorded as revoked at sign-out

    def get_id(self) -> str:
        # The password stamp in the session id ends every session when the password changes.
        return f"{self.username}|{self.stamp}|{self.sid}"

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


REVOCATIONS = "session_revocations"


def revocations() -> Revocations:
    """Return the app's record of ended sessions (shared by every worker)."""
    return current_app.extensions[REVOCATIONS]


def load(session_id: str) -> User | None:
    """Return the user of a session, or None once it ended, they are disabled or their
    password changed."""
    username, _, rest = session_id.partition("|")
    stamp, _, sid = rest.partition("|")
    # A session from before session ids existed has none: it is signed out.
    if not sid or revocations().is_revoked(sid):
        return None
    user = find(username)
    if user is None or user.stamp != stamp:
        return None
    user.sid = sid
    return user


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
    user.sid = new_session_id()
    login_user(user)


def end_session() -> None:
    """Sign out for good: a copy of the session cookie no longer works either."""
    sid = getattr(current_user, "sid", "")
    if sid:
        revocations().revoke(sid)
    logout_user()
    _fresh_session()
