"""Open receivables from the accounting package's sheet (R28): read, clean and match each row.

A row names its customer by 客戶編號 (our id), 統一編號 or exact name, tried in that order; a
row that matches no file or several is listed, never guessed. Amounts and dates are cleaned as
the customer import cleans them (``sheets.values``: 1,234、12萬、NT$; ROC dates 民國115年1月5日).
No Flask and no git here: the action matches against the index and commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from intranet.records.files.customers import is_customer_id
from intranet.records.files.keys import tax_id_text
from intranet.records.files.messages import N_
from intranet.sheets import values
from intranet.sheets.headings import fold
from intranet.sheets.model import Table

# Target -> headings (Traditional, Simplified, English); compared folded (sheets.headings.fold).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("客戶編號", "客戶代號", "客戶代碼", "客户编号", "客户代码", "編號", "Customer ID",
           "Customer number", "Customer no", "Account", "Account number"),
    "tax_id": ("統一編號", "統編", "统一编号", "统编", "Tax ID", "VAT number", "UBN"),
    "name": ("客戶名稱", "客戶全名", "公司名稱", "客户名称", "名稱", "Customer", "Customer name",
             "Company", "Name"),
    "amount": ("未收金額", "應收帳款", "應收餘額", "應收金額", "未收款", "應收帳款餘額",
               "应收账款", "未收金额", "Amount owed", "Receivable", "Receivables", "Balance",
               "Outstanding", "Open amount", "Amount due"),
    "oldest_due": ("最早到期日", "到期日", "最早到期", "到期日期", "最早应收日", "Oldest due",
                   "Oldest due date", "Due date", "Due"),
    "as_of": ("資料日期", "截止日期", "結算日期", "基準日", "报表日期", "截止日", "As of",
              "As-of date", "Report date", "Statement date"),
    "notes": ("備註", "说明", "說明", "备注", "Notes", "Remarks", "Memo"),
}
TARGETS = tuple(SYNONYMS)
_LOOKUP = {fold(name): target for target, names in SYNONYMS.items() for name in names}

MATCHED, UNMATCHED, AMBIGUOUS, ERROR, REFUSED, UNCHANGED = (
    "matched", "unmatched", "ambiguous", "error", "refused", "unchanged")
NO_KEY = N_("The row names no customer: give its 客戶編號, 統一編號 or name")
NO_AMOUNT = N_("The row has no amount owed")
NOT_FOUND = N_("No file has this 客戶編號, 統一編號 or name")
SEVERAL = N_("Several files match: %(ids)s")
TWICE = N_("The customer is also on row %(row)s; only the first row is imported")
NOT_YOURS = N_("You may not change the receivables of %(id)s")


def suggest(headings: list[str]) -> list[str]:
    """Return per column the receivables field it fills, or "" to ignore it (each once)."""
    taken: set[str] = set()
    found = []
    for heading in headings:
        target = _LOOKUP.get(fold(heading)) if isinstance(heading, str) else None
        target = "" if not target or target in taken else target
        taken.add(target)
        found.append(target)
    return found


@dataclass
class Row:
    """One sheet row: what it says, the file it matched and what happens to it."""

    number: int
    status: str
    key: dict[str, str] = field(default_factory=dict)  # id, tax_id, name as written
    owed: dict[str, Any] = field(default_factory=dict)  # amount, oldest_due, as_of, notes
    customer: str = ""
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def read_rows(table: Table, mapping: list[str], as_of: str) -> list[Row]:
    """Return each row cleaned; ``as_of`` (YYYY-MM-DD) is the date when the sheet has none."""
    rows = []
    for sheet_row in table.rows:
        row = Row(sheet_row.number, MATCHED)
        cells = dict(zip(mapping, sheet_row.cells, strict=False))
        notes: list[values.Note] = []
        try:
            for target in ("id", "tax_id", "name"):
                cell = cells.get(target)
                if _blank(cell):
                    continue
                if target == "tax_id":
                    row.key[target] = values.tax_id(cell.value, notes)
                else:
                    row.key[target] = values.text(cell.value, notes)
            row.owed = _owed(cells, as_of, notes)
        except values.Bad as bad:
            row.status, row.reasons = ERROR, [(bad.message, bad.params)]
        row.notes = list(notes)
        if row.status != ERROR and not row.key:
            row.status, row.reasons = ERROR, [(NO_KEY, {})]
        rows.append(row)
    return rows


def _blank(cell: Any) -> bool:
    """Tell whether a cell is missing, empty or a placeholder such as - or 無."""
    if cell is None or cell.value is None:
        return True
    return (isinstance(cell.value, str) and not cell.value.strip()) or \
        values.nothing(cell.value, False)


def _owed(cells: dict[str, Any], as_of: str, notes: list[values.Note]) -> dict[str, Any]:
    """Return the receivables a row states (amount required, dates cleaned)."""
    def cell(target: str) -> Any:
        found = cells.get(target)
        return None if _blank(found) else found

    amount = cell("amount")
    if amount is None:
        raise values.Bad(NO_AMOUNT)
    owed: dict[str, Any] = {"amount": values.amount(amount.value, notes), "oldest_due": "",
                            "as_of": as_of, "notes": ""}
    for target in ("oldest_due", "as_of"):
        found = cell(target)
        if found is not None:
            day = values.date(found.value, found.number_format, notes)
            if len(day) != 10:
                raise values.Bad(values.DATE_FORMAT, value=values.shown(found.value))
            owed[target] = day
    found = cell("notes")
    if found is not None:
        owed["notes"] = values.text(found.value, notes)
    return owed


# by_id(ids) -> the ids that exist; by_tax(tax ids) / by_name(names) -> tax id / name -> ids
Lookup = Callable[[list[str]], dict[str, list[str]]]


def match(rows: list[Row], exists: Callable[[list[str]], set[str]], by_tax: Lookup,
          by_name: Lookup) -> None:
    """Set each row's customer by id, then 統一編號, then exact name; list the rest."""
    live = [r for r in rows if r.status == MATCHED]
    ids = exists([r.key["id"] for r in live if is_customer_id(r.key.get("id", ""))])
    taxes = by_tax([tax_id_text(r.key["tax_id"]) for r in live if r.key.get("tax_id")])
    names = by_name([r.key["name"] for r in live if r.key.get("name")])
    first: dict[str, int] = {}
    for row in live:
        found = _candidates(row, ids, taxes, names)
        if not found:
            row.status, row.reasons = UNMATCHED, [(NOT_FOUND, {})]
        elif len(found) > 1:
            row.status, row.reasons = AMBIGUOUS, [(SEVERAL, {"ids": ", ".join(found)})]
        elif found[0] in first:
            row.customer = found[0]
            row.status, row.reasons = ERROR, [(TWICE, {"row": first[found[0]]})]
        else:
            row.customer = found[0]
            first[found[0]] = row.number


def _candidates(row: Row, ids: set[str], taxes: dict[str, list[str]],
                names: dict[str, list[str]]) -> list[str]:
    """Return the files a row names by the first key it gives that finds any."""
    customer = row.key.get("id", "")
    if customer and customer in ids:
        return [customer]
    tax = tax_id_text(row.key.get("tax_id", ""))
    if tax and taxes.get(tax):
        return sorted(set(taxes[tax]))
    name = row.key.get("name", "")
    return sorted(set(names.get(name, []))) if name else []
