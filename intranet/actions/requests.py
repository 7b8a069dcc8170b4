"""Access requests as things people do (R33-R35): ask, sign, revoke, break the glass.

Thin entry points over ``records.rights.requests``, which checks who may act where the request is
saved (inside the commit's build); here its errors become the service layer's: ``NotAllowed``
is ``Forbidden`` (nothing written), any other refusal an ``ActionError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from ..archive.repository import Archive
from ..records.rights import requests
from . import ActionError, Forbidden

T = TypeVar("T")


def _run(call: Callable[[], T]) -> T:
    """Run a records call, turning its refusals into the service layer's errors."""
    try:
        return call()
    except requests.NotAllowed as error:
        raise Forbidden(error.message, **error.params) from None
    except requests.RequestError as error:
        raise ActionError(error.message, **error.params) from None


def ask(archive: Archive, actor: str, customers: Iterable[str], reason: str,
        mode: str = "read", days: int = 1, now: datetime | None = None) -> str:
    """Fill in an access request form (查閱檔案審批表); return its id."""
    return _run(lambda: requests.create(archive, actor, list(customers), reason, mode, days,
                                        now))


def sign(archive: Archive, actor: str, request_id: str, approve: bool, comment: str = "",
         now: datetime | None = None) -> dict[str, Any]:
    """Approve or refuse the step of a request (or of a break-glass review) that waits for me."""
    return _run(lambda: requests.act(archive, request_id, actor, approve, comment, now))


def revoke(archive: Archive, actor: str, request_id: str,
           now: datetime | None = None) -> dict[str, Any]:
    """Withdraw a request or end a grant: the requester, the custodian or the administrator."""
    return _run(lambda: requests.revoke(archive, request_id, actor, now))


def break_glass(archive: Archive, actor: str, customer_id: str, reason: str,
                now: datetime | None = None) -> str:
    """Open a file at once in an emergency; it is approved after the fact (R35)."""
    return _run(lambda: requests.break_glass(archive, actor, customer_id, reason, now))
