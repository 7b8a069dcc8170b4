"""The keys that tell two customer records apart or the same: 統一編號, name and phone (R4).

A company has one 統一編號 (the Taiwanese unified business number), so two files with the same
number are one customer and two different numbers are two customers, whatever the names. A
name or a phone number only suggests a match, and is compared in a folded form: full-width and
half-width alike, spaces and punctuation ignored, Traditional and Simplified alike, and the
company-form suffixes (股份有限公司, (股)公司, 有限公司, Co., Ltd. …) dropped.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from intranet.records.files.formats import nfkc

# Weights of the checksum (財政部: 營利事業統一編號檢查碼邏輯).
_WEIGHTS = (1, 2, 1, 2, 1, 2, 4, 1)
_TAX_ID = re.compile(r"^\d{8}$")
# Company forms, longest first so 股份有限公司 is not left as 股份.
_FORMS = sorted((
    "股份有限公司", "股份有限公司台灣分公司", "有限責任公司", "有限公司", "股份公司", "(股)公司",
    "(股)", "(有)", "公司", "台灣分公司", "分公司", "co.,ltd.", "co.,ltd", "co.ltd.", "co.ltd",
    "company limited", "corporation", "limited", "ltd.", "ltd", "inc.", "inc", "corp.",
    "corp", "co.", "llc",
), key=len, reverse=True)
_NOT_NAME = re.compile(r"[\s\W_]+")


def tax_id_text(value: Any) -> str:
    """Return a 統一編號 as eight digits where it can be: a number cell that lost its zeros.

    Full-width digits, spaces and dashes are folded away; anything else is returned trimmed,
    so a wrong value stays visible as typed.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:08d}" if 0 <= value < 100_000_000 else str(value)
    text = re.sub(r"[\s\-]", "", nfkc(str(value)))
    if text.isdigit() and len(text) < 8 and text:
        return text.zfill(8)
    return text


def tax_id_valid(tax_id: str) -> bool:
    """Tell whether eight digits pass the checksum (the ÷5 rule, which accepts the old ÷10)."""
    if not _TAX_ID.match(tax_id or ""):
        return False
    total = 0
    for digit, weight in zip(tax_id, _WEIGHTS, strict=True):
        product = int(digit) * weight
        total += product // 10 + product % 10
    if total % 5 == 0:
        return True
    # A 7 in the seventh place gives 28 -> 10, which may count as 1 or as 0.
    return tax_id[6] == "7" and (total + 1) % 5 == 0


def name_key(name: Any) -> str:
    """Return the folded form of a company name that duplicates are compared by."""
    if not isinstance(name, str):
        return ""
    # Imported here: the character table loads on first use only.
    from intranet.index.text import fold

    text = fold(unicodedata.normalize("NFKC", name))
    text = _NOT_NAME.sub("", text.replace("(", "(").replace(")", ")").replace(" ", ""))
    folded_forms = _folded_forms()
    changed = True
    while changed and text:
        changed = False
        for form in folded_forms:
            if form and text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)]
                changed = True
                break
    return text


@functools.cache
def _folded_forms() -> tuple[str, ...]:
    """Return the company forms folded as names are (computed once: imports call often)."""
    from intranet.index.text import fold

    return tuple(_NOT_NAME.sub("", fold(f)) for f in _FORMS)


def phone_key(phone: Any) -> str:
    """Return a phone number's digits as dialled inside Taiwan (+886 2 … -> 02 …), no extension.

    Numbers of fewer than seven digits give "", so they match nothing.
    """
    if not isinstance(phone, str) or not phone.strip():
        return ""
    from intranet.records.files.formats import phone_digits

    text = nfkc(phone).strip()
    digits = phone_digits(text)
    if text.startswith("+886") or (text.startswith("886") and len(digits) >= 11):
        digits = "0" + digits[3:].lstrip("0")
    return digits if len(digits) >= 7 else ""


def record_keys(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Return a record's (kind, key) pairs: ``tax``, ``name`` and ``phone``, blanks left out."""
    basic = record.get("basic") if isinstance(record.get("basic"), dict) else {}
    pairs = [("tax", tax_id_text(basic.get("tax_id"))), ("name", name_key(basic.get("name"))),
             ("phone", phone_key(basic.get("phone")))]
    return [(kind, key) for kind, key in pairs if key]
