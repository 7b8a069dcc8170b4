"""Clean one spreadsheet value for one kind of field, as a careful person would retype it.

Each cleaner returns the clean value, appends informative notes, and raises Bad when a person
must look at the cell. Messages are msgids with ``{name}`` parameters, like the validator's.
"""

from __future__ import annotations

import datetime
import html
import itertools
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ..records.files import formats
from ..records.files.keys import tax_id_text, tax_id_valid
from ..records.files.messages import N_
from .tables import join_lines, trim

Note = tuple[str, dict[str, Any]]

EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})

EXCEL_ERROR = N_("The cell holds an Excel error ({value}); correct it in the sheet")
NOT_TEXT_VALUE = N_("Expected text here, not {value}")
TAX_ID_DIGITS = N_("A 統一編號 has 8 digits; this cell holds {value}")
TAX_ID_ZEROS = N_("Read {value} as the 統一編號 {tax_id}")
TAX_ID_CHECKSUM = N_("The 統一編號 {value} fails its checksum; it was kept, check it")
DATE_FORMAT = N_("Write the date as YYYY-MM-DD, e.g. 2023-08-31 (ROC dates such as 民國85年3月1日 "
                 "and 85/3/1 are read too); this cell holds {value}")
DATE_UNREAL = N_("{value} is not a real date")
DATE_AMBIGUOUS = N_("{value} could be day/month or month/day; write it as YYYY-MM-DD")
TIME_NOT_DATE = N_("The cell holds a time of day ({value}), not a date")
ROC_DATE = N_("Read the ROC date {value} as {date}")
SERIAL_DATE = N_("Read the number {value} as Excel's date {date}")
AMOUNT_FORMAT = N_("Enter an amount as a number, e.g. 1500000 or 1,500萬; this cell holds "
                   "{value}")
AMOUNT_NEGATIVE = N_("The amount {value} is negative; an amount here must not be")
AMOUNT_CURRENCY = N_("The amount {value} is not in NT$; convert it to NT$ first")
AMOUNT_UNITS = N_("Read {value} as {amount}")
PHONE_ZERO = N_("The phone number was stored as the number {value}; its leading 0 was put back")
PHONE_PLUS = N_("Read the phone number {value} as {phone}")
ENTITIES = N_("Wrote the character codes in {value} as the characters they stand for")
MORE_EMAILS = N_("The cell holds several addresses ({value}); the first, {email}, was kept")
MORE_PHONES = N_("The cell holds more than one number ({value}); the first, {phone}, was kept")
NOTHING = N_("Read {value} as an empty cell")
CHOICES = N_("Use one of: {choices}; this cell holds {value}")


class Bad(Exception):
    """A value a person must correct: a msgid and its parameters."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def shown(value: Any) -> str:
    """Return a cell's value as the sheet shows it, for messages."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _whole(value: float) -> int | float:
    """Return an integral float as an int (1e10 -> 10000000000, 3.0 -> 3)."""
    return int(value) if value.is_integer() else value


_ENTITY = re.compile(r"&#(?:\d{2,7}|[xX][0-9a-fA-F]{2,6});")


def text(value: Any, notes: list[Note]) -> str:
    """Return text as written: ends trimmed, lines joined, inner spaces kept."""
    if isinstance(value, str):
        result = trim(join_lines(trim(value)))
        if _ENTITY.search(result):
            # Government open data writes rare characters as &#20227;.
            notes.append((ENTITIES, {"value": result}))
            result = _ENTITY.sub(lambda m: html.unescape(m.group()), result)
        return result
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Bad(NOT_TEXT_VALUE, value=shown(value))
        return str(_whole(value))
    return shown(value)


def numeric_text(value: Any) -> str:
    """Return a number-like field's text with full-width digits, letters and dashes folded."""
    if isinstance(value, str):
        return trim(formats.nfkc(join_lines(trim(value))))
    return shown(value)


def tax_id(value: Any, notes: list[Note]) -> str:
    """Return a 統一編號 as 8 digits (a number cell's lost zeros put back)."""
    if isinstance(value, (bool, datetime.date, datetime.time)):
        raise Bad(TAX_ID_DIGITS, value=shown(value))
    if isinstance(value, float) and not value.is_integer():
        raise Bad(TAX_ID_DIGITS, value=shown(value))
    written = trim(value) if isinstance(value, str) else shown(value)
    result = tax_id_text(trim(value) if isinstance(value, str) else value)
    # Only a number cell's lost leading zeros are put back: "1" is not a 統一編號.
    if not re.fullmatch(r"\d{8}", result) or len(re.sub(r"\D", "", written)) < 6:
        raise Bad(TAX_ID_DIGITS, value=written)
    if result != written:
        notes.append((TAX_ID_ZEROS, {"value": written, "tax_id": result}))
    if not tax_id_valid(result):
        notes.append((TAX_ID_CHECKSUM, {"value": result}))
    return result


# ---------------------------------------------------------------------------- dates

# "2023-08-31 00:00:00", "2023/8/31 上午 12:00:00" (Windows in Chinese), "8/31/2023 3:00 PM".
_TIME_TAIL = re.compile(r"(?:T|\s+)(?:(?:上午|下午|AM|PM)\s*)?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                        r"(?:\s*(?:AM|PM))?$", re.I)
_YMD_WORDS = re.compile(r"^(\d{1,4})年(?:(\d{1,2})月(?:(\d{1,2})[日號号]?)?)?$")
_YMD = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,2})$")
_YM = re.compile(r"^(\d{1,4})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def is_date_format(number_format: str) -> bool:
    """Tell whether an Excel number format shows a date."""
    from openpyxl.styles.numbers import is_date_format as openpyxl_is_date

    return bool(number_format) and openpyxl_is_date(number_format)


def _serial(value: float) -> datetime.date:
    """Return the date of an Excel serial number (1900 system)."""
    from openpyxl.utils.datetime import from_excel

    try:
        found = from_excel(value)
    except (ValueError, OverflowError, TypeError) as exc:
        raise Bad(DATE_UNREAL, value=shown(value)) from exc
    return found.date() if isinstance(found, datetime.datetime) else found


def date(value: Any, number_format: str, notes: list[Note]) -> str:
    """Return a date as YYYY-MM-DD (or YYYY-MM, YYYY when that is all the cell says)."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        raise Bad(TIME_NOT_DATE, value=shown(value))
    if isinstance(value, bool):
        raise Bad(DATE_FORMAT, value=shown(value))
    if isinstance(value, float) and not value.is_integer():
        if is_date_format(number_format):
            return _serial(value).isoformat()
        raise Bad(DATE_FORMAT, value=shown(value))
    if isinstance(value, (int, float)):
        number = int(value)
        if is_date_format(number_format) or 10_000 <= number < 100_000:
            # A 5-digit number in a date column is a date cell that lost its format.
            found = _serial(number).isoformat()
            if not is_date_format(number_format):
                notes.append((SERIAL_DATE, {"value": number, "date": found}))
            return found
        return _date_text(str(number), notes)
    return _date_text(numeric_text(value), notes)


def _date_text(written: str, notes: list[Note]) -> str:
    """Return the date a text says: ISO, slashes, dots, 年月日, digits, ROC years."""
    raw = _TIME_TAIL.sub("", written.strip())
    roc = False
    for prefix in ("中華民國", "民國", "民国", "ROC"):
        if raw.startswith(prefix):
            roc, raw = True, raw[len(prefix):]
            break
    compact = re.sub(r"\s+", "", raw)
    parts: tuple[str | None, ...] | None = None
    m = _YMD_WORDS.match(compact) or _YM.match(compact)
    if m:
        parts = (m.group(1), m.group(2), m.group(3) if m.re is _YMD_WORDS else None)
    elif m := _YMD.match(compact):
        parts = (m.group(1), m.group(3), m.group(4))
    elif m := _DMY.match(compact):
        first, second = int(m.group(1)), int(m.group(2))
        if first > 12:
            parts = (m.group(3), m.group(2), m.group(1))
        elif second > 12:
            parts = (m.group(3), m.group(1), m.group(2))
        else:
            raise Bad(DATE_AMBIGUOUS, value=written)
    elif compact.isdigit():
        parts = _digits(compact)
    if parts is None:
        raise Bad(DATE_FORMAT, value=written)
    year, month, day = parts
    assert year is not None
    number = int(year)
    if roc or len(year) <= 3:
        number += 1911
        roc = True
    result = _checked(number, month, day, written)
    if roc:
        notes.append((ROC_DATE, {"value": written, "date": result}))
    return result


def _digits(text: str) -> tuple[str | None, ...] | None:
    """Split a date written as digits only: 20230831, ROC 0850301 / 850301, 199603, 1996."""
    if len(text) == 8:
        return text[:4], text[4:6], text[6:]
    if len(text) == 7:
        return text[:3], text[3:5], text[5:]
    if len(text) == 6:
        if text[:2] in ("19", "20") and 1 <= int(text[4:]) <= 12:
            return text[:4], text[4:], None
        return text[:2], text[2:4], text[4:]
    if len(text) == 4:
        return text, None, None
    return None


def _checked(year: int, month: str | None, day: str | None, written: str) -> str:
    """Return the date as ISO text if it is real, else raise Bad."""
    try:
        datetime.date(year, int(month or 1), int(day or 1))
    except ValueError as exc:
        raise Bad(DATE_UNREAL, value=written) from exc
    if not 1000 <= year <= 2999:
        raise Bad(DATE_UNREAL, value=written)
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{int(month):02d}"
    return f"{year:04d}-{int(month):02d}-{int(day):02d}"


# ---------------------------------------------------------------------------- amounts

_UNITS = {"億": 100_000_000, "亿": 100_000_000, "萬": 10_000, "万": 10_000, "千": 1_000,
          "仟": 1_000}
_NTD = ("NT$", "NTD", "TWD", "NT", "新台幣", "新臺幣", "台幣", "臺幣", "$")
_FOREIGN = ("US$", "USD", "美金", "美元", "RMB", "CNY", "人民幣", "人民币", "JPY", "日圓", "日幣",
            "HK$", "HKD", "港幣", "EUR", "€", "歐元")
_AMOUNT = re.compile(r"(?:\d+(?:\.\d+)?[億亿萬万千仟]?)+")
_PART = re.compile(r"(\d+(?:\.\d+)?)([億亿萬万千仟]?)")


def amount(value: Any, notes: list[Note]) -> int | float:
    """Return an amount of money in NT$: int, or float only when it has a fraction."""
    if isinstance(value, (bool, datetime.date, datetime.time)):
        raise Bad(AMOUNT_FORMAT, value=shown(value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise Bad(AMOUNT_FORMAT, value=shown(value))
        if value < 0:
            raise Bad(AMOUNT_NEGATIVE, value=shown(value))
        return _whole(value) if isinstance(value, float) else value
    written = numeric_text(value)
    compact = re.sub(r"[\s,_]", "", written)
    upper = compact.upper()
    if any(mark in upper for mark in _FOREIGN):
        raise Bad(AMOUNT_CURRENCY, value=written)
    if upper.startswith("-") or (upper.startswith("(") and upper.endswith(")")):
        raise Bad(AMOUNT_NEGATIVE, value=written)
    for mark in _NTD:
        if upper.startswith(mark):
            upper = upper[len(mark):]
            break
    upper = re.sub(r"(?:元|圓)(?:整)?$", "", upper)
    if not upper or not _AMOUNT.fullmatch(upper):
        raise Bad(AMOUNT_FORMAT, value=written)
    parts = _PART.findall(upper)
    scales = [_UNITS.get(unit, 1) for _, unit in parts]
    if any(a <= b for a, b in itertools.pairwise(scales)):
        raise Bad(AMOUNT_FORMAT, value=written)  # 3萬5萬, or 12 3 after stripping spaces
    try:
        total = sum(Decimal(number) * scale for (number, _), scale in zip(parts, scales,
                                                                            strict=True))
    except InvalidOperation as exc:
        raise Bad(AMOUNT_FORMAT, value=written) from exc
    result: int | float = int(total) if total == total.to_integral_value() else float(total)
    if any(unit for _, unit in parts):
        notes.append((AMOUNT_UNITS, {"value": written, "amount": f"{result:,}"}))
    return result


# ---------------------------------------------------------------------------- contacts

_LABEL = re.compile(r"^(?:tel|phone|fax|電話|电话|傳真|传真|手機|手机)\s*[:：.]?\s*", re.I)


def phone(value: Any, notes: list[Note]) -> str:
    """Return a phone or fax number as written, full-width folded, if check_phone accepts it."""
    if isinstance(value, (bool, datetime.date, datetime.time)):
        raise Bad(formats.PHONE_EXAMPLE)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
            raise Bad(formats.PHONE_EXAMPLE)
        digits = str(int(value))
        written = digits
        if 8 <= len(digits) <= 9:
            # 0227338000 typed into a number cell shows as 227338000.
            written = "0" + digits
            notes.append((PHONE_ZERO, {"value": digits}))
    else:
        written = _LABEL.sub("", numeric_text(value).replace("\n", " "))
        digits = re.sub(r"\D", "", written)
        if re.match(r"^886[\s\-]?\(?\d", written) and len(digits) >= 11:
            fixed = "+" + written
            if formats.check_phone(fixed) is None:
                notes.append((PHONE_PLUS, {"value": written, "phone": fixed}))
                written = fixed
    problem = formats.check_phone(written)
    if problem:
        # "(02)2733-8000、2733-8001": two numbers in one cell; the first is the number.
        first = re.split(r"\s*[、;；,，/]\s*", written)[0].strip()
        if first != written and formats.check_phone(first) is None:
            notes.append((MORE_PHONES, {"value": written, "phone": first}))
            return first
        raise Bad(problem)
    return written


def email(value: Any, notes: list[Note]) -> str:
    """Return an email address if it looks like one; of several, the first (noted)."""
    written = numeric_text(value)
    if written.lower().startswith("mailto:"):
        written = written[7:].strip()
    # An address has no spaces: "ir@ mail.example.com" is a typing slip.
    parts: list[str] = []
    for chunk in re.split(r"[;,、；，]", written):
        words = chunk.split()
        if len(words) > 1 and all("@" in word for word in words):
            parts.extend(words)  # "a@x.tw b@y.tw": two addresses
        elif words:
            parts.append("".join(words))
    if not parts:
        raise Bad(formats.check_email(written) or "")
    for part in parts:
        problem = formats.check_email(part)
        if problem:
            raise Bad(problem)
    if len(parts) > 1:
        notes.append((MORE_EMAILS, {"value": written, "email": parts[0]}))
    return parts[0]


# Placeholders for "nothing": a careful person leaves the field empty.
_NOTHING = frozenset({"-", "--", "---", "/", "—", "–", "無", "无", "n/a", "na", "none", "nil",
                      "null", "不詳", "不详", "無資料", "无资料", "尚無", "暫無", "暂无",
                      "略", "?"})
# In a contact field a 0 or an N means none as well; in an amount 0 is a number.
_NOTHING_CONTACT = frozenset({"0", "n", "x"})


def nothing(value: Any, contact: bool) -> bool:
    """Tell whether a cell holds a placeholder meaning "none" (-, 無, N/A …)."""
    if not isinstance(value, str) or len(value) > 12:
        return False
    folded = formats.nfkc(value).strip().casefold()
    return folded in _NOTHING or (contact and folded in _NOTHING_CONTACT)


def postcode(value: Any) -> str:
    """Return a postcode (Taiwan's 3, 5 or 6 digits, or a foreign one)."""
    if isinstance(value, (bool, datetime.date, datetime.time)):
        raise Bad(formats.check_postcode("") or "")
    written = numeric_text(value)
    if formats.check_postcode(written, "domestic") is None:
        return written
    if re.search(r"\d", written) and formats.check_postcode(written, "international") is None:
        return written
    raise Bad(formats.check_postcode(written, "domestic") or "")
