"""The demo company's access cases (R33-R35): a chain mid-way and break-glass reads reviewed.

Seeded after the other requests: a cross-department request for a department-level file that
waits for the marketing vice-president (its requester's manager and the file's manager signed),
the general manager's earlier break-glass read approved after the fact in time, and the
director's break-glass read that nobody approved within the deadline: an unapproved read (R35).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..archive.repository import Archive
from ..records.rights import requests
from ..records.rulebook.rules import load_rules
from .model import DemoCompany


def _sign_next(archive: Archive, request_id: str, when: datetime, comment: str) -> bool:
    """Approve a request's current step by its first signer; False if nobody can."""
    snapshot = archive.snapshot()
    req = requests.get(snapshot, request_id) or {}
    index = requests.current_step(req)
    names = sorted(requests.signers(req, req["steps"][index], load_rules(snapshot))) \
        if index is not None else []
    if not names:
        return False
    requests.act(archive, request_id, names[0], True, comment, when)
    return True


def _pending_mid_chain(archive: Archive, company: DemoCompany, current: dict[str, Any],
                       now: datetime, gone: set[str] | frozenset[str]) -> int:
    """Ask for a department-level file across departments and sign the first two steps."""
    members = {m["username"]: m for m in company.staff}
    managers = {d["id"]: d["manager"] for d in company.departments}
    for customer_id, record in sorted(current.items()):
        custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
        if custody.get("level") != "department":
            continue
        requester = next((m["username"] for m in company.staff
                          if m["role"] == "salesperson" and m["username"] not in gone
                          and m["department"] != custody.get("department")
                          and managers.get(m["department"])
                          and m["username"] not in (custody.get("contacts") or [])), "")
        if not requester or members[requester]["username"] == custody.get("owner"):
            continue
        when = now - timedelta(days=1)
        request_id = requests.create(archive, requester, [customer_id],
                                     "跨區聯合投標，需了解客戶往來條件", "read", 7, when)
        for hours in (2, 5):  # the requester's manager, then the file's manager
            _sign_next(archive, request_id, when + timedelta(hours=hours), "同意")
        return 1
    return 0


def _break_glass_reviews(archive: Archive, current: dict[str, Any], company: DemoCompany,
                         now: datetime) -> int:
    """Approve the GM's break-glass read in time; leave the director's one unapproved."""
    for req in requests.load_all(archive.snapshot()).values():
        if req.get("kind") == "break-glass" and req.get("review") == requests.WAITING:
            created = requests.parse_time(req.get("created")) or now
            while requests.current_step(requests.get(archive.snapshot(), str(req["id"])) or {}) \
                    is not None and created + timedelta(days=1) < now:
                if not _sign_next(archive, str(req["id"]), created + timedelta(days=1),
                                  "事後審核：確有緊急需要"):
                    break
    director = next((m["username"] for m in company.staff
                     if m["role"] == "marketing_director"), "")
    # Read twelve days ago; the file's manager signed, the general manager never did in time.
    read_at = now - timedelta(days=12)
    personal = next((cid for cid, r in sorted(current.items(), reverse=True)
                     if isinstance(r.get("custody"), dict)
                     and r["custody"].get("level") == "personal"
                     and company.created[cid][0] < read_at - timedelta(days=1)), "")
    if not director or not personal:
        return 0
    request_id = requests.break_glass(archive, director, personal,
                                      "客戶週末來電投訴，負責業務與經理皆聯絡不上", read_at)
    _sign_next(archive, request_id, read_at + timedelta(hours=20), "情況屬實")
    return 1


def seed(archive: Archive, company: DemoCompany, current: dict[str, Any], now: datetime,
         gone: set[str] | frozenset[str] = frozenset()) -> int:
    """Commit the demo's access cases; return how many requests were made."""
    made = _pending_mid_chain(archive, company, current, now, gone)
    return made + _break_glass_reviews(archive, current, company, now)
