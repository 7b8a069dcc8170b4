"""Declare the customer record: key order, field types, labels, required fields, template."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.labels import LABELS, LABELS_ZH
from intranet.records.files.messages import N_

# Field kinds understood by validate.py; "group" and "list" hold children.
TEXT = "text"
ENUM = "enum"
BOOL = "bool"
AMOUNT = "amount"                # int or float >= 0, None when unknown
SIGNED_AMOUNT = "signed_amount"  # profit and the like may be negative
AMOUNT_MAP = "amount_map"        # free-form mapping name -> amount (sales per product)
INT = "int"
DATE = "date"                    # full YYYY-MM-DD
PARTIAL_DATE = "partial_date"    # YYYY, YYYY-MM or YYYY-MM-DD
CUSTOMER_ID = "customer_id"
EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
SHA256 = "sha256"
USERNAME = "username"
USERNAMES = "usernames"          # list of usernames
GROUP = "group"
LIST = "list"                    # list of groups

TEXT_LIMIT = 10_000
NAME_LIMIT = 200


@dataclass(frozen=True)
class Field:
    """Declare one key of a record: its kind, its constraints and its children.

    validate.py is the one engine that reads these declarations; nothing else checks a field.
    """

    kind: str = TEXT
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_len: int = TEXT_LIMIT
    children: dict[str, Field] = field(default_factory=dict)
    # An optional key is written only when set (left out while absent or blank), so keys added
    # after files were written leave older files and entries byte for byte as they were.
    optional: bool = False
    required: bool = False  # every file (or, inside a list, every item) fills it in
    required_for: tuple[str, ...] = ()  # the cards whose files must fill it in (R4)
    choices_from: str = ""  # the Policy attribute that lists the choices (grades: R24)
    unique: str = ""  # a list's item key that no two items may share …
    unique_message: str = ""  # … and what a repeat is told, with {<key>} filled in


def _g(**children: Field) -> Field:
    """Build a mapping field; keyword order is the canonical key order."""
    return Field(GROUP, children=children)


def _ls(unique: str = "", unique_message: str = "", **children: Field) -> Field:
    """Build a list-of-mappings field; keyword order is each item's key order."""
    return Field(LIST, children=children, unique=unique, unique_message=unique_message)


def _e(*choices: str, **constraints: Any) -> Field:
    """Build an enumeration field."""
    return Field(ENUM, choices=choices, **constraints)


CARDS = ("distributor", "terminal")
_T = Field()
_NAME = Field(max_len=NAME_LIMIT)
# Who corrected or withdrew a contact or event entry, when and why (git keeps the original).
_MARK = Field(GROUP, children={"by": Field(USERNAME), "on": Field(DATE), "reason": _T},
              optional=True)
_MUST = {"required": True}
_DISTRIBUTOR, _TERMINAL = {"required_for": ("distributor",)}, {"required_for": ("terminal",)}
KINDS = ("supplier", "distributor", "terminal", "service")
STAGES = ("prospect", "active", "former")
MARKETS = ("domestic", "international")
CHANNELS = ("direct", "indirect")
CUSTODY_LEVELS = ("company", "department", "personal")
SOURCES = ("visit", "customer_form", "agency", "import", "other")
CONTACT_CHANNELS = ("visit", "call", "letter", "fax", "email", "meeting")
PROPOSAL_STATES = ("pending", "reviewed")
FIELD_DECISIONS = ("accepted", "rejected")
TASK_KINDS = ("introduce_successor", "other")
EVENT_KINDS = ("legal_representative", "capital", "move", "merger", "ownership",
               "contract", "order", "complaint", "default", "other")
# Grades come from policy.yaml; these are only the defaults when no policy is given.
DEFAULT_GRADES = ("A", "B", "C", "D")
DEFAULT_CREDIT_GRADES = ("A", "B", "C", "D")

SCHEMA: dict[str, Field] = {
    "id": Field(CUSTOMER_ID, **_MUST),
    "card": _e(*CARDS, **_MUST),
    "kind": _e(*KINDS, **_MUST),
    "stage": _e(*STAGES, **_MUST),
    "market": _e(*MARKETS, **_MUST),
    "channel": _e(*CHANNELS, **_MUST),
    "classification": _g(industry=Field(**_TERMINAL), nature=_T, region=Field(**_DISTRIBUTOR),
                         customer_type=_T),
    "grade": _e(*DEFAULT_GRADES, choices_from="grades"),
    # R28: approved_by/approved_on record who allowed a limit or terms beyond the grade's.
    "credit": _g(grade=_e(*DEFAULT_CREDIT_GRADES, choices_from="credit_grades"),
                 limit=Field(AMOUNT), terms=_T, problems=_T, approved_by=Field(USERNAME),
                 approved_on=Field(DATE)),
    # R24, R28: open receivables as the accounting package last reported them.
    "receivables": _g(amount=Field(AMOUNT), oldest_due=Field(DATE), as_of=Field(DATE),
                      notes=_T),
    "vip": Field(BOOL),
    "custody": _g(level=_e(*CUSTODY_LEVELS, **_MUST), owner=Field(USERNAME, **_MUST),
                  department=Field(max_len=NAME_LIMIT, **_MUST),
                  contacts=Field(USERNAMES)),
    "basic": _g(
        name=Field(max_len=NAME_LIMIT, **_MUST), short_name=_NAME, tax_id=_NAME,
        legal_representative=_NAME, address=Field(**_DISTRIBUTOR), postcode=Field(POSTCODE),
        phone=Field(PHONE, required_for=CARDS), fax=Field(PHONE), email=Field(EMAIL),
        website=_T, business_scope=_T, registered_capital=Field(AMOUNT),
        founded=Field(PARTIAL_DATE), first_deal=Field(PARTIAL_DATE), organisation_form=_T,
        assets=Field(AMOUNT)),
    "people": _ls(
        role=_T, name=_NAME, title=_T, phone=Field(PHONE), email=Field(EMAIL), personality=_T,
        hobbies=_T, family=_T, education=_T, age=Field(INT, minimum=0, maximum=130),
        ability=_T),
    "characteristics": _g(
        service_area=_T, sales_capacity=_T, development_potential=_T, culture=_T,
        business_policy=_T, employees=Field(INT, minimum=0), annual_sales=Field(AMOUNT),
        management_style=_T),
    "business": _g(
        sales_performance=_T, past_performance=_T, manager_quality=_T, sales_staff_quality=_T,
        competitor_relations=_T, cooperation_attitude=_T),
    "transactions": _g(
        sales_activities=_T, problems=_T, strengths=_T, future_plans=_T, reputation=_T,
        credit_status=_T, trade_terms=_T, credit_problems=_T),
    "notes": _T,
    "source": _e(*SOURCES),
    "contacts": _ls(
        date=Field(DATE, **_MUST), channel=_e(*CONTACT_CHANNELS), staff=Field(USERNAME),
        summary=_T, report=_T, next_contact=Field(DATE, optional=True), source=_e(*SOURCES),
        confidential=Field(BOOL), recorded_on=Field(DATE), corrected=_MARK, withdrawn=_MARK),
    # Events keep a partial date: a change is often known only to the month.
    "events": _ls(date=Field(PARTIAL_DATE, **_MUST), kind=_e(*EVENT_KINDS), summary=_T,
                 source=_e(*SOURCES), recorded_by=Field(USERNAME, optional=True),
                 corrected=_MARK, withdrawn=_MARK),
    "yearly": _ls(
        "year", N_("The year {year} is already listed"),
        year=Field(INT, minimum=1900, maximum=2999, **_MUST), sales=Field(AMOUNT_MAP),
        financials=_g(revenue=Field(AMOUNT), profit=Field(SIGNED_AMOUNT),
                      assets=Field(AMOUNT), liabilities=Field(AMOUNT), notes=_T)),
    "documents": _ls(
        file=Field(**_MUST), title=_NAME, kind=_T, signed_on=Field(DATE),
        size=Field(INT, minimum=0), sha256=Field(SHA256), uploaded_by=Field(USERNAME),
        original_name=_NAME, content_type=_NAME, uploaded_on=Field(DATE)),
    # R16: scores per criterion of policy.yaml's sales_power table.
    "sales_power": _g(scores=Field(AMOUNT_MAP), assessed_on=Field(DATE),
                      assessed_by=Field(USERNAME), notes=_T),
    # R32: things someone must do about this customer, e.g. introduce a successor.
    "tasks": _ls(kind=_e(*TASK_KINDS, **_MUST), assignee=Field(USERNAME, **_MUST), summary=_T,
                from_staff=Field(USERNAME), created_on=Field(DATE), due_on=Field(DATE),
                done_on=Field(DATE), told_on=Field(DATE), told_by=Field(USERNAME)),
    # R10: what a customer sent through their own data form, field by field, until reviewed.
    "proposals": _ls(id=_NAME, submitted_on=Field(DATE), submitted_by=_NAME,
                    link_by=Field(USERNAME), status=_e(*PROPOSAL_STATES),
                    reviewed_by=Field(USERNAME), reviewed_on=Field(DATE),
                    fields=_ls(path=_NAME, value=_T, decision=_e(*FIELD_DECISIONS))),
}

Order = dict[str, "Order | None"]


def _order(fields: dict[str, Field]) -> Order:
    """Derive the key-order tree (used by yamlio.dump) from field declarations."""
    return {k: (_order(f.children) if f.children else None) for k, f in fields.items()}


ORDER: Order = _order(SCHEMA)

_INDEX = re.compile(r"\[\d+\]")


def field_at(path: str) -> Field | None:
    """Return the declaration of a dotted path (list indices ignored), or None if unknown."""
    fields: dict[str, Field] = SCHEMA
    found: Field | None = None
    for part in _INDEX.sub("", path).split("."):
        found = fields.get(part)
        if found is None:
            return None
        fields = found.children
    return found


def schema_path(path: str) -> str:
    """Strip list indices from a path: people[1].phone -> people.phone."""
    return _INDEX.sub("", path)




def label(path: str, zh: bool = False) -> str:
    """Return the label of a path (indices ignored); unknown keys label as themselves."""
    key = schema_path(path)
    labels = LABELS_ZH if zh else LABELS
    while key:
        if key in labels:
            return labels[key]
        # A free-form key below a known one (yearly.sales.產品A) labels as its parent.
        key = key.rpartition(".")[0]
    return path


def _required(fields: dict[str, Field], prefix: str = "") -> list[tuple[str, Field]]:
    """Return the declared required paths outside lists, in schema order."""
    found: list[tuple[str, Field]] = []
    for key, f in fields.items():
        if f.kind == GROUP:
            found += _required(f.children, f"{prefix}{key}.")
        elif f.required or f.required_for:
            found.append((prefix + key, f))
    return found


# Derived from the declarations: what every file fills in, then what each card adds (R4).
REQUIRED_COMMON = tuple(path for path, f in _required(SCHEMA) if f.required)
REQUIRED: dict[str, tuple[str, ...]] = {card: (*REQUIRED_COMMON, *(
    path for path, f in _required(SCHEMA) if card in f.required_for and not f.required))
    for card in CARDS}

# R9: the fields only one card asks for (every other field is on both). A distributor resells
# in a region, so its card asks how it covers and works that market; a terminal customer uses
# the products, so its card asks how it is run. A value of the other card is kept, never lost.
CARD_ONLY: dict[str, tuple[str, ...]] = {
    "distributor": ("characteristics.service_area", "characteristics.sales_capacity",
                    "business.sales_staff_quality", "transactions.sales_activities"),
    "terminal": ("characteristics.culture", "characteristics.business_policy",
                 "characteristics.management_style"),
}


def _empty(f: Field) -> Any:
    """Return the empty value of a field of this declaration."""
    if f.kind == GROUP:
        return {k: _empty(c) for k, c in f.children.items() if not c.optional}
    if f.kind in (LIST, USERNAMES):
        return []
    if f.kind == AMOUNT_MAP:
        return {}
    if f.kind == BOOL:
        return False
    if f.kind in (AMOUNT, SIGNED_AMOUNT, INT):
        return None
    return ""


_TEMPLATE: dict[str, Any] = {k: _empty(f) for k, f in SCHEMA.items()}
_TEMPLATE.update(stage="prospect", market="domestic", channel="direct")
_TEMPLATE["custody"]["level"] = "personal"


def new_record(card: str, id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a complete empty record; overrides may use dotted keys (basic.name="…")."""
    record = copy.deepcopy(_TEMPLATE)
    record.update(card=card, kind=card, id=id or "")
    for key, value in overrides.items():
        *parents, last = key.split(".")
        target = record
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return record


def new_item(list_name: str) -> dict[str, Any]:
    """Return an empty item of one of the record's lists (people, contacts, …)."""
    f = SCHEMA[list_name]
    if f.kind != LIST:
        raise KeyError(list_name)
    return {k: _empty(c) for k, c in f.children.items() if not c.optional}
