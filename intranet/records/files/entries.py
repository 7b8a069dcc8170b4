"""Entries that accumulate in a file: contact log (R14, R15), events (R11), yearly figures (R12).

Each addition is one commit made with ``CustomerFiles.amend`` on the file as it is at the head,
so it never collides with someone's edit of other fields. The functions here build and check
an entry before anything is written; the whole record is validated again inside the commit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from intranet.records.files import formats
from intranet.records.files.customers import CustomerFiles
from intranet.records.files.messages import N_, FieldError
from intranet.records.files.schema import NAME_LIMIT, TEXT_LIMIT
from intranet.records.files.validate import check_item

INTRODUCE_SUCCESSOR = "introduce_successor"
# A larger file is a mistake (a whole ledger), not one customer's figures.
MAX_IMPORT_ROWS = 5000
FINANCIALS = ("revenue", "profit", "assets", "liabilities")
FUTURE = N_("This date is in the future; record things that have happened")
BEFORE_CONTACT = N_("The next contact cannot be before this contact's own date")
_SEPARATORS = re.compile(r"[/.年月]")


class EntryError(ValueError):
    """Raised when an entry cannot be made; ``errors`` name the entry's fields."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.path}: {e}" for e in errors))
        self.errors = errors


def _clean(value: Any) -> str:
    """Return text stripped, with the newlines a browser sends made plain."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _date_text(value: Any) -> str:
    """Return a typed date as YYYY[-MM[-DD]]: full-width digits and 2026/1/5 accepted."""
    text = formats.nfkc(_clean(value)).rstrip("日")
    parts = _SEPARATORS.sub("-", text).split("-")
    if 1 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4:
        return "-".join([parts[0], *(p.zfill(2) for p in parts[1:])])
    return text


class _Check:
    """Collect the problems of one entry."""

    def __init__(self, errors: list[FieldError] | None = None) -> None:
        self.errors: list[FieldError] = errors or []

    def add(self, path: str, message: str, **params: Any) -> None:
        self.errors.append(FieldError(path, message, params))

    def text(self, path: str, value: str, limit: int = TEXT_LIMIT) -> None:
        problem = formats.check_text(value, limit)
        if problem:
            self.add(path, problem[0], **problem[1])

    def past(self, path: str, value: str, today: date) -> None:
        """Refuse a well-formed date after today (one the schema's check let through)."""
        if value and not any(e.path == path for e in self.errors) \
                and value > today.isoformat()[: len(value)]:
            self.add(path, FUTURE)

    def raise_any(self) -> None:
        if self.errors:
            raise EntryError(self.errors)


def _checked(list_name: str, entry: dict[str, Any], today: date,
             required: tuple[str, ...]) -> dict[str, Any]:
    """Return the entry once the schema's declarations and the date's past pass it."""
    check = _Check(check_item(list_name, entry, required))
    check.past("date", entry["date"], today)
    check.raise_any()
    return entry


def contact_entry(*, when: Any, channel: str, staff: str, summary: str, today: date,
                  report: str = "", source: str = "visit", confidential: bool = False,
                  next_contact: Any = "") -> dict[str, Any]:
    """Return a checked contact-log entry recorded today by ``staff``; EntryError if not.

    ``next_contact`` (optional) is the day the next contact is planned: a full date, not
    before the entry's own; the key is left out when none is given.
    """
    entry = {"date": _date_text(when), "channel": _clean(channel), "staff": _clean(staff),
             "summary": _clean(summary), "report": _clean(report), "source": _clean(source),
             "confidential": bool(confidential), "recorded_on": today.isoformat()}
    planned = _date_text(next_contact)
    if planned:
        entry["next_contact"] = planned
    check = _Check(check_item("contacts", entry, ("channel", "staff", "summary", "source")))
    check.past("date", entry["date"], today)
    if planned and not any(e.path in ("date", "next_contact") for e in check.errors) \
            and planned < entry["date"]:
        check.add("next_contact", BEFORE_CONTACT)
    check.raise_any()
    return entry


def event_entry(*, when: Any, kind: str, summary: str, today: date,
                source: str = "visit") -> dict[str, Any]:
    """Return a checked event (a partial date is fine: a move known to the month)."""
    entry = {"date": _date_text(when), "kind": _clean(kind), "summary": _clean(summary),
             "source": _clean(source)}
    check = _Check(check_item("events", entry, ("kind", "summary", "source")))
    if not entry["kind"]:  # the form starts at "Please choose…": no kind is assumed
        check.errors = [e for e in check.errors if e.path != "kind"]
        check.add("kind", N_("Choose the kind of event"))
    check.past("date", entry["date"], today)
    check.raise_any()
    return entry


def parse_amount(value: Any, signed: bool = False) -> int | float | None:
    """Return an amount typed as text (commas, spaces, full-width digits); None when blank.

    ValueError when it is not a finite number, or negative where that is not allowed.
    """
    number = formats.parse_number(value)
    if number is not None and number < 0 and not signed:
        raise ValueError(value)
    return number


def _amount(check: _Check, path: str, value: Any, signed: bool = False) -> int | float | None:
    """Return an amount, or None after recording why it is not one."""
    try:
        return parse_amount(value, signed)
    except ValueError:
        check.add(path, N_("Enter an amount as a number, e.g. 1500000") if signed else
                  N_("Enter an amount of zero or more, e.g. 1500000"))
        return None


def year_entry(*, year: Any, sales: list[tuple[Any, Any]], financials: dict[str, Any],
               today: date) -> dict[str, Any]:
    """Return one year's figures from (product, amount) rows and the financial fields."""
    check = _Check()
    number = _year(check, "year", year, today)
    amounts: dict[str, int | float] = {}
    seen: set[str] = set()
    for i, (product, amount) in enumerate(sales):
        name, path = _clean(product), f"sales[{i}]"
        if not name and _clean(amount) == "":
            continue  # an unused row of the form
        if not name:
            check.add(f"{path}.product", N_("Name the product of this amount"))
            continue
        check.text(f"{path}.product", name, NAME_LIMIT)
        if name in seen:
            check.add(f"{path}.product", N_("{product} is listed twice"), product=name)
        seen.add(name)
        value = _amount(check, f"{path}.amount", amount)
        if value is None and not any(e.path == f"{path}.amount" for e in check.errors):
            check.add(f"{path}.amount", N_("Required"))
        if value is not None:
            amounts[name] = value
    money = {key: _amount(check, f"financials.{key}", financials.get(key),
                          signed=key == "profit") for key in FINANCIALS}
    notes = _clean(financials.get("notes"))
    check.text("financials.notes", notes)
    check.raise_any()
    return {"year": number, "sales": amounts, "financials": {**money, "notes": notes}}


def _year(check: _Check, path: str, value: Any, today: date) -> int | None:
    """Return a year from 1900 to this one, or None after recording the problem."""
    text = formats.nfkc(_clean(value))
    if not text:
        check.add(path, N_("Required"))
        return None
    if not text.isdigit() or not 1900 <= int(text) <= today.year:
        check.add(path, N_("Enter a year from 1900 to {last}"), last=today.year)
        return None
    return int(text)


def newest_first(entries: Any) -> list[dict[str, Any]]:
    """Return log entries by date, the newest first (the file keeps them as entered)."""
    items = [e for e in entries or [] if isinstance(e, dict)]
    return sorted(items, key=lambda e: (str(e.get("date") or ""),
                                        str(e.get("recorded_on") or "")), reverse=True)


def department_reports(record: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Return the contact entries the custodian's department reads (R15): not confidential."""
    return [e for e in newest_first((record or {}).get("contacts"))
            if e.get("confidential") is not True]


def close_introductions(record: dict[str, Any], staff: str, on: str) -> int:
    """Mark done the staff member's open hand-over tasks a contact on ``on`` fulfils."""
    closed = 0
    for task in record.get("tasks") or []:
        if not isinstance(task, dict) or task.get("kind") != INTRODUCE_SUCCESSOR:
            continue
        if task.get("assignee") != staff or task.get("done_on"):
            continue
        # A contact from before the hand-over cannot have introduced the successor.
        if str(task.get("created_on") or "") > on:
            continue
        task["done_on"] = on
        closed += 1
    return closed


def add_contact(files: CustomerFiles, customer_id: str, entry: dict[str, Any],
                author: str) -> str | None:
    """Append a contact entry (closing the author's hand-over tasks it fulfils): one commit."""
    def apply(record: dict[str, Any], _snapshot: Any) -> dict[str, Any]:
        record["contacts"] = [*(record.get("contacts") or []), dict(entry)]
        close_introductions(record, entry["staff"], entry["date"])
        return record

    return files.amend(customer_id, apply, author, action="contact", source=entry["source"])


def add_event(files: CustomerFiles, customer_id: str, entry: dict[str, Any],
              author: str) -> str | None:
    """Append an event (R11) recorded by ``author``: one commit."""
    def apply(record: dict[str, Any], _snapshot: Any) -> dict[str, Any]:
        # Who recorded it may correct or withdraw it later (records.corrections).
        record["events"] = [*(record.get("events") or []),
                            {**entry, "recorded_by": entry.get("recorded_by") or author}]
        return record

    return files.amend(customer_id, apply, author, action="event", source=entry["source"])


def _sorted_years(items: list[Any]) -> list[Any]:
    """Return yearly entries by year; entries without a year (hand edits) stay at the end."""
    dated = [i for i in items if isinstance(i, dict) and isinstance(i.get("year"), int)]
    return sorted(dated, key=lambda i: i["year"]) + [i for i in items if i not in dated]


def put_year(files: CustomerFiles, customer_id: str, entry: dict[str, Any], author: str,
             source: str = "visit") -> str | None:
    """Enter or replace one year's figures (R12): one commit; None if nothing changed."""
    def apply(record: dict[str, Any], _snapshot: Any) -> dict[str, Any]:
        kept = [i for i in record.get("yearly") or []
                if not (isinstance(i, dict) and i.get("year") == entry["year"])]
        old = next((i for i in record.get("yearly") or []
                    if isinstance(i, dict) and i.get("year") == entry["year"]), {})
        # Keys only a hand edit added to that year are kept.
        record["yearly"] = _sorted_years([*kept, {**old, **entry}])
        return record

    return files.amend(customer_id, apply, author, action="yearly", source=source)


@dataclass
class Imported:
    """What a CSV file holds: figures per year, or the lines that are wrong."""

    years: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)  # line, msgid

    @property
    def rows(self) -> int:
        """Return how many amounts and figures the file gives."""
        return sum(len(y["sales"]) + len(y["financials"]) for y in self.years.values())


# Column names as people write them, in English or Chinese.
_COLUMNS = {
    "year": ("year", "年度", "年", "年份"),
    "product": ("product", "產品", "产品", "品項", "品项"),
    "amount": ("amount", "sales", "金額", "金额", "銷售額", "销售额"),
    "revenue": ("revenue", "營業收入", "营业收入", "營收", "营收"),
    "profit": ("profit", "利潤", "利润"),
    "assets": ("assets", "資產", "资产"),
    "liabilities": ("liabilities", "負債", "负债"),
}
_ALIASES = {alias.casefold(): key for key, names in _COLUMNS.items() for alias in names}


def parse_yearly_csv(data: bytes, today: date) -> Imported:
    """Read year,product,amount and/or year,revenue,profit,assets,liabilities columns."""
    result = Imported()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append((0, N_("The file is not UTF-8 text. Save it as \"CSV UTF-8\" "
                                    "and try again."), {}))
        return result
    rows = list(csv.reader(io.StringIO(text)))
    header = [_ALIASES.get(formats.nfkc(h).strip().casefold(), "") for h in (rows[0] if rows
                                                                                else [])]
    money = [k for k in FINANCIALS if k in header]
    has_sales = "product" in header and "amount" in header
    if "year" not in header or not (has_sales or money):
        result.errors.append((1, N_("The first line must name the columns: year, product, "
                                    "amount and/or year, revenue, profit, assets, "
                                    "liabilities"), {}))
        return result
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        result.errors.append((0, N_("At most {limit} lines can be imported at once"),
                              {"limit": MAX_IMPORT_ROWS}))
        return result
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {key: row[i].strip() if i < len(row) else ""
                  for i, key in enumerate(header) if key}
        _import_row(result, number, values, has_sales, money, today)
    if not result.years and not result.errors:
        result.errors.append((0, N_("The file has no figures to import"), {}))
    return result


def _import_row(result: Imported, line: int, values: dict[str, str], has_sales: bool,
                money: list[str], today: date) -> None:
    """Add one line's figures to ``result`` or record its problems."""
    check = _Check()
    year = _year(check, "year", values.get("year"), today)
    product = values.get("product", "") if has_sales else ""
    amount = _amount(check, "amount", values.get("amount")) if product else None
    if product:
        check.text("product", product, NAME_LIMIT)
        if amount is None and not check.errors:
            check.add("amount", N_("Required"))
    elif has_sales and values.get("amount"):
        check.add("product", N_("Name the product of this amount"))
    figures = {k: _amount(check, k, values.get(k), signed=k == "profit") for k in money}
    figures = {k: v for k, v in figures.items() if v is not None}
    if not check.errors and not product and not figures:
        check.add("", N_("This line has no figures"))
    if check.errors or year is None:
        result.errors += [(line, e.message, e.params) for e in check.errors]
        return
    found = result.years.setdefault(year, {"year": year, "sales": {}, "financials": {}})
    if product in found["sales"]:
        result.errors.append((line, N_("{product} is listed twice for {year}"),
                              {"product": product, "year": year}))
        return
    for key, value in figures.items():
        if found["financials"].get(key, value) != value:
            result.errors.append((line, N_("{year} has two different values for {column}"),
                                  {"year": year, "column": key}))
            return
    if product:
        found["sales"][product] = amount
    found["financials"].update(figures)


def import_years(files: CustomerFiles, customer_id: str, imported: Imported,
                 author: str) -> str | None:
    """Merge imported figures into the file: the whole import one commit, source "import".

    A product's amount or a financial figure in the file replaces the same one of that year;
    what the import does not mention is kept.
    """
    def apply(record: dict[str, Any], _snapshot: Any) -> dict[str, Any]:
        items = [dict(i) if isinstance(i, dict) else i for i in record.get("yearly") or []]
        by_year = {i["year"]: i for i in items if isinstance(i, dict) and "year" in i}
        for year, figures in imported.years.items():
            target = by_year.get(year)
            if target is None:
                target = {"year": year, "sales": {}, "financials": {}}
                items.append(target)
            target["sales"] = {**(target.get("sales") or {}), **figures["sales"]}
            target["financials"] = {**(target.get("financials") or {}),
                                    **figures["financials"]}
        record["yearly"] = _sorted_years(items)
        return record

    return files.amend(customer_id, apply, author, action="import", source="import")
