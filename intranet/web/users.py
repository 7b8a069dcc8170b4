"""Who is signed in: staff from the archive's directory, checked on every request."""

from __future__ import annotations

from dataclasses import dataclass

from flask_login import UserMixin

from .. import services
from ..records.rules import load_rules
from ..records.staff import role_label


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
        """Return the role's label in Chinese (the templates translate their own words)."""
        return role_label(self.role)


def find(username: str) -> User | None:
    """Return the active member of staff with a password, or None."""
    svc = services.get()
    directory = load_rules(svc.archive.snapshot()).directory
    member = directory.member(username)
    stamp = svc.credentials.stamp(username)
    if member is None or not member.get("active", True) or not stamp:
        return None
    return User(username, member.get("name") or username, member.get("role", ""),
                member.get("department", ""), member.get("email", ""), stamp)


def load(session_id: str) -> User | None:
    """Return the user of a session, or None once they are disabled or their password changed."""
    username, _, stamp = session_id.partition("|")
    user = find(username)
    return user if user is not None and user.stamp == stamp else None
