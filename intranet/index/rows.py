"""A customer file's index rows: a pure function of the file, so any process can make them."""

from __future__ import annotations

from typing import Any, NamedTuple

from intranet.records.conduct.followups import open_plans
from intranet.records.files.customer_form import pending as pending_forms

from ..records.conduct import discipline, handover_steps, two_contacts
from ..records.files.completeness import completeness
from ..records.files.customers import check
from ..records.files.keys import record_keys
from ..records.rulebook.policy import Policy
from ..records.rulebook.rules import Rules
from ..records.sales import sales_power
from . import text


class FileRows(NamedTuple):
    """What the index stores for one file, apart from its version summary."""

    num: int
    customer: str
    values: tuple  # the customers columns from path to address (see database.SCHEMA)
    catalogue: str
    content: str
    completeness: int | None
    missing: str
    sales_power: float | None
    late: list[tuple]  # late_contacts rows
    important: str  # R31: why two staff must be in contact (space-separated), "" if not
    contact_log: list[tuple]  # contact_log rows (R31, R32)
    handovers: list[tuple]  # handover_steps rows (R32)
    keys: list[tuple]  # keys rows: (kind, key, customer) (R4, records/files/keys.py)
    sales: list[tuple]  # sales rows: (customer, year, product, amount) (R12, R25-R27)
    credit: tuple | None  # the credit row (R28), None for a damaged file
    followups: list[tuple]  # open planned next contacts (issue 14, records/conduct/followups.py)
    forms: list[tuple]  # customer forms waiting for review (R10)


def checked(raw: bytes, path: str, rules: Rules) -> tuple[dict[str, Any], str | None]:
    """Return the parsed file ({} if it does not parse) and why it is damaged, if it is."""
    record, problem, _ = check(raw, path, rules)
    return record or {}, problem


def has_custody(record: dict[str, Any]) -> bool:
    """Tell whether the file names its custody; if not, older versions must supply it (R33)."""
    return isinstance(record.get("custody"), dict)


def file_rows(customer: str, path: str, blob: str, record: dict[str, Any],
              problem: str | None, policy: Policy) -> FileRows:
    """Return the rows of a file whose custody is known."""
    custody = record.get("custody") if isinstance(record.get("custody"), dict) else {}
    credit = record.get("credit") if isinstance(record.get("credit"), dict) else {}
    values = (
        path, blob, problem,
        _str(record, "card"), _str(record, "kind"), _str(record, "stage"),
        _str(record, "market"), _str(record, "channel"),
        _str(record, "grade"), credit.get("grade") if isinstance(credit.get("grade"), str)
        else "", 1 if record.get("vip") is True else 0,
        _get(record, "classification", "industry"), _get(record, "classification", "nature"),
        _get(record, "classification", "region"),
        _get(record, "classification", "customer_type"),
        custody.get("level") if isinstance(custody.get("level"), str) else "",
        custody.get("owner") if isinstance(custody.get("owner"), str) else "",
        custody.get("department") if isinstance(custody.get("department"), str) else "",
        _contacts(custody),
        _get(record, "basic", "name"), _get(record, "basic", "short_name"),
        _get(record, "basic", "phone"), _get(record, "basic", "address"),
    )
    # A damaged file is listed as damaged; its completeness would only guess.
    done = completeness(record, policy) if problem is None else None
    late = [(late.customer, late.position, late.staff, late.date, late.recorded_on,
             late.days_late) for late in discipline.late_contacts(customer, record, policy)]
    score = sales_power.score(record, policy)
    return FileRows(
        int(customer[1:]), customer, values,
        text.document([customer, *catalogue_fields(record)]),
        text.document(content_fields(record)),
        done.percent if done else None, " ".join(done.missing) if done else "",
        score, late, " ".join(two_contacts.reasons(record, policy, score)),
        [(customer, *entry) for entry in two_contacts.contact_log(record)],
        [step.as_row(customer) for step in handover_steps.steps(record)],
        [(kind, key, customer) for kind, key in record_keys(record)],
        sales_rows(customer, record) if problem is None else [],
        credit_row(customer, credit, record) if problem is None else None,
        [(customer, *plan) for plan in open_plans(record)],
        form_rows(customer, record),
    )


def form_rows(customer: str, record: dict[str, Any]) -> list[tuple]:
    """Return the customer forms (R10) of a file that wait for review."""
    return [(customer, str(p.get("id") or ""), str(p.get("submitted_on") or ""),
             str(p.get("submitted_by") or ""), str(p.get("link_by") or ""))
            for p in pending_forms(record) if p.get("id")]


def sales_rows(customer: str, record: dict[str, Any]) -> list[tuple]:
    """Return a valid file's sales rows: one per year and product with an amount."""
    found: dict[tuple[int, str], float] = {}
    for entry in record.get("yearly") or []:
        year = entry.get("year") if isinstance(entry, dict) else None
        sales = entry.get("sales") if isinstance(entry, dict) else None
        if not isinstance(year, int) or not isinstance(sales, dict):
            continue
        for product, amount in sales.items():
            if isinstance(amount, (int, float)) and not isinstance(amount, bool):
                # Two entries of one year (validation allows it) add up.
                key = (year, str(product))
                found[key] = found.get(key, 0) + amount
    return [(customer, year, product, amount) for (year, product), amount in found.items()]


def credit_row(customer: str, credit: dict[str, Any], record: dict[str, Any]) -> tuple:
    """Return a valid file's credit row: grade, limit, terms, approval, receivables."""
    owed = record.get("receivables") if isinstance(record.get("receivables"), dict) else {}

    def text(section: dict[str, Any], key: str) -> str:
        value = section.get(key)
        return value if isinstance(value, str) else ""

    def amount(section: dict[str, Any], key: str) -> float | None:
        value = section.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) \
            else None

    return (customer, text(credit, "grade"), amount(credit, "limit"), text(credit, "terms"),
            text(credit, "approved_by"), text(credit, "approved_on"), amount(owed, "amount"),
            text(owed, "oldest_due"), text(owed, "as_of"))


def catalogue_fields(record: dict[str, Any]) -> list[str]:
    """Return the texts everyone may search: the name and short name."""
    basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
    fields = [basic.get(k) for k in ("name", "short_name")]
    return [f for f in fields if isinstance(f, str) and f]


def content_fields(record: dict[str, Any]) -> list[str]:
    """Return the texts only readers may search: people, address, phones and notes."""
    basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
    fields = [basic.get(k) for k in ("legal_representative", "address", "phone", "fax",
                                     "email", "tax_id")]
    for person in record.get("people") or []:
        if isinstance(person, dict):
            fields += [person.get("name"), person.get("phone"), person.get("email")]
    fields.append(record.get("notes"))
    return [f for f in fields if isinstance(f, str) and f]


def search_fields(record: dict[str, Any]) -> list[str]:
    """Return the texts search looks in: name, people, address, phones and notes."""
    return catalogue_fields(record) + content_fields(record)


def _get(record: dict[str, Any], section: str, key: str) -> str:
    value = record.get(section)
    value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _str(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


def _contacts(custody: dict[str, Any]) -> str:
    """Return custody.contacts as space-separated usernames."""
    contacts = custody.get("contacts")
    if not isinstance(contacts, list):
        return ""
    return " ".join(c for c in contacts if isinstance(c, str) and c and " " not in c)
