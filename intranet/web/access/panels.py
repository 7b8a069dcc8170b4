"""The home page's access panels: the custodian is told of grants on their files (R34)."""

from __future__ import annotations

from typing import Any

from ... import services
from ...records.rights import requests
from ..customers import reading
from ..panels import home_panel


@home_panel("access/_granted_panel.html", order=35)
def granted_on_my_files(user: Any) -> dict[str, Any] | None:
    """Approved requests and break-glass reads in force on the files I keep."""
    rows = requests.held_by(services.get().archive.snapshot(), str(user.username))
    return {"requests": rows, "staff_name": reading.staff_name} if rows else None
