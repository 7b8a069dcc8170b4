"""Turn one row's cells into clean field values under a column mapping, with each problem.

A problem makes the row an error that a person must fix in the sheet; a note only says what
was read and how (a formula's saved value kept, 萬 multiplied out, a 統一編號 that fails its
checksum kept and flagged). Messages are msgids with ``{name}`` parameters (str.format), as in
records.validate.FieldError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..index.text import fold
from ..records.files import schema
from ..records.files.messages import N_
from . import values as v
from .areas import AREA_CODE, with_area_code
from .headings import TARGETS
from .model import Cell, SheetRow
from .tables import is_blank

FORMULA_SAVED = N_("Kept the value Excel saved for the formula {formula}")
FORMULA_TEXT = N_("The formula {formula} has no saved value; its text was kept as written")
FORMULA_NO_VALUE = N_("The formula {formula} has no saved value; type the value into the cell")
SECOND_VALUE = N_("Another column for this field also holds {value}; the first column's value "
                  "{kept} was kept")

_TEXT_TARGETS = frozenset({
    "basic.name", "basic.short_name", "basic.legal_representative", "basic.address",
    "basic.business_scope", "classification.industry", "classification.region",
    "classification.customer_type", "notes", "people.name", "people.title", "custodian",
})
_DATES = frozenset({"basic.founded", "basic.first_deal"})
_AMOUNTS = frozenset({"basic.registered_capital", "credit.limit"})
_PHONES = frozenset({"basic.phone", "basic.fax", "people.phone"})
_EMAILS = frozenset({"basic.email", "people.email"})
_CONTACT = _PHONES | _EMAILS | {"basic.website", "basic.tax_id", "basic.postcode"}

# Words offices use for the card and the stage, compared folded (Simplified = Traditional).
_CARD_WORDS = {
    "distributor": ("distributor", "經銷商", "經銷", "經銷客戶", "代理商", "dealer", "reseller",
                    "經銷卡"),
    "terminal": ("terminal", "終端", "終端客戶", "終端用戶", "直接客戶", "end user",
                 "end customer", "終端卡"),
}
_STAGE_WORDS = {
    "prospect": ("prospect", "潛在", "潛在客戶", "開發中", "準客戶", "潛力客戶", "lead"),
    "active": ("active", "往來", "往來中", "交易中", "現有", "現有客戶", "正常", "活躍", "既有客戶",
               "customer"),
    "former": ("former", "停止往來", "已停止", "前客戶", "流失", "流失客戶", "inactive", "停用",
               "lost"),
}


def _words(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Return folded word -> enum value."""
    return {fold(word).replace(" ", ""): key for key, words in table.items() for word in words}


_CARDS = _words(_CARD_WORDS)
_STAGES = _words(_STAGE_WORDS)


@dataclass(frozen=True)
class FieldProblem:
    """Something about one cell: its column (0-based, in the table), target and message."""

    column: int
    target: str
    message: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        """Return the English message with its parameters filled in."""
        return self.message.format(**self.params)


@dataclass
class Converted:
    """One row's clean values (target -> value, blanks left out), its problems and notes."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[FieldProblem] = field(default_factory=list)
    notes: list[FieldProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the row can be imported as it is."""
        return not self.problems


@cache
def _max_len(target: str) -> int:
    """Return the longest text the schema allows for a target."""
    found = schema.field_at(target) if target != "custodian" else None
    return found.max_len if found else schema.NAME_LIMIT


def _choice(value: Any, words: dict[str, str], choices: tuple[str, ...]) -> str:
    """Return the enum value a word names, or raise Bad listing the choices."""
    written = v.text(value, [])
    found = words.get(fold(written).replace(" ", ""))
    if found is None:
        raise v.Bad(v.CHOICES, choices=", ".join(choices), value=written)
    return found


def _grade(value: Any, grades: tuple[str, ...]) -> str:
    """Return a grade of the policy's list: case and width ignored, "A級" read as A."""
    written = v.numeric_text(value)
    bare = written.strip().removesuffix("級").removesuffix("级").removesuffix("等").strip()
    for grade in grades:
        if bare.casefold() == grade.casefold():
            return grade
    raise v.Bad(v.CHOICES, choices=", ".join(grades), value=written)


def clean(target: str, cell: Cell, notes: list[v.Note], *,
          grades: tuple[str, ...] = schema.DEFAULT_GRADES,
          credit_grades: tuple[str, ...] = schema.DEFAULT_CREDIT_GRADES) -> Any:
    """Return one cell's clean value for a target; raise values.Bad when a person must fix it."""
    value = cell.value
    if cell.formula is not None:
        if value is None:
            if target not in _TEXT_TARGETS and target != "basic.website":
                raise v.Bad(FORMULA_NO_VALUE, formula=cell.formula)
            notes.append((FORMULA_TEXT, {"formula": cell.formula}))
            return v.trim(cell.formula)
        notes.append((FORMULA_SAVED, {"formula": cell.formula}))
    if isinstance(value, str) and v.trim(value) in v.EXCEL_ERRORS:
        raise v.Bad(v.EXCEL_ERROR, value=v.trim(value))
    if v.nothing(value, contact=target in _CONTACT):
        notes.append((v.NOTHING, {"value": v.trim(value)}))
        return None
    if target in _TEXT_TARGETS:
        result = v.text(value, notes)
        problem = v.formats.check_text(result, _max_len(target))
        if problem:
            raise v.Bad(problem[0], **problem[1])
        return result
    if target == "basic.tax_id":
        return v.tax_id(value, notes)
    if target in _DATES:
        return v.date(value, cell.number_format, notes)
    if target in _AMOUNTS:
        return v.amount(value, notes)
    if target in _PHONES:
        return v.phone(value, notes)
    if target in _EMAILS:
        return v.email(value, notes)
    if target == "basic.postcode":
        return v.postcode(value)
    if target == "basic.website":
        return v.numeric_text(value)
    if target == "grade":
        return _grade(value, grades)
    if target == "credit.grade":
        return _grade(value, credit_grades)
    if target == "card":
        return _choice(value, _CARDS, schema.CARDS)
    if target == "stage":
        return _choice(value, _STAGES, schema.STAGES)
    raise KeyError(target)


def convert(row: SheetRow, mapping: list[str], *,
            grades: tuple[str, ...] = schema.DEFAULT_GRADES,
            credit_grades: tuple[str, ...] = schema.DEFAULT_CREDIT_GRADES) -> Converted:
    """Return a row's clean values under ``mapping`` (per column a target, or "" to ignore)."""
    result = Converted()
    for column, (cell, target) in enumerate(zip(row.cells, mapping, strict=False)):
        if not target or target not in TARGETS or is_blank(cell):
            continue
        notes: list[v.Note] = []
        try:
            value = clean(target, cell, notes, grades=grades, credit_grades=credit_grades)
        except v.Bad as bad:
            result.problems.append(FieldProblem(column, target, bad.message, bad.params))
            value = None
        if notes:
            result.notes.extend(FieldProblem(column, target, m, p) for m, p in notes)
        if value in ("", None):
            continue
        if target in result.values:
            if result.values[target] != value:
                result.notes.append(FieldProblem(column, target, SECOND_VALUE, {
                    "value": v.shown(value), "kept": v.shown(result.values[target])}))
            continue
        result.values[target] = value
    _area_codes(row, mapping, result)
    return result


def _area_codes(row: SheetRow, mapping: list[str], result: Converted) -> None:
    """Give a company phone or fax that lacks its area code the one its address implies."""
    address = result.values.get("basic.address")
    if not isinstance(address, str):
        return
    for problem in list(result.problems):
        if problem.target not in ("basic.phone", "basic.fax") or problem.target in result.values:
            continue
        written = row.cells[problem.column].value
        if isinstance(written, int) and not isinstance(written, bool):
            written = str(written)
        if not isinstance(written, str):
            continue
        fixed = with_area_code(written, address)
        if fixed is None:
            continue
        number, code, place = fixed
        result.problems.remove(problem)
        result.values[problem.target] = number
        result.notes.append(FieldProblem(problem.column, problem.target, AREA_CODE, {
            "code": code, "value": v.trim(written), "place": place}))

