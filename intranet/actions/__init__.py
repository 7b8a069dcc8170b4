"""The service layer: one entry point per thing a person does (no Flask imports).

The web views and the CLI call only this layer to change the archive. Each action takes the
acting member of staff, asks ``records.rights.access`` (or the rule module of its area)
whether *that* change is allowed, parses and validates once, and commits once. A refusal
raises ``Forbidden`` before anything is written; a rule checked only in a view is no rule.
"""

from __future__ import annotations

from typing import Any


class ActionError(Exception):
    """An action that cannot be done; ``message`` is an English msgid with %(name)s params."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


class Forbidden(ActionError):
    """The actor may not make this change; nothing was written (the web answers 403)."""


class NotAllowed(Forbidden):
    """The actor's role or standing can never make this change (the 403 page says who can)."""

    def __init__(self, message: str, who: str = "", **params: Any) -> None:
        super().__init__(message, **params)
        self.who = who  # an English msgid naming who may, or ""


class NeedsRequest(Forbidden):
    """The actor may make this change once an access request for the file is approved."""

    def __init__(self, message: str, customer_id: str, mode: str = "read",
                 **params: Any) -> None:
        super().__init__(message, id=customer_id, **params)
        self.customer_id = customer_id
        self.mode = mode  # the request's mode: "read" or "edit"
