"""Check the formats of single values: phone, fax, postcode, email, dates, ids."""
from __future__ import annotations

import datetime
import math
import re
import unicodedata

from intranet.records.files.messages import N_

CUSTOMER_ID_RE = re.compile(r"^C\d{6}$")
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
# C0/C1 controls except newline and tab, DEL, and lone surrogates. Surrogates cannot be
# written as UTF-8 and NEL (\x85) reads back as a line break, so they cannot round-trip;
# the other controls only survive as escapes and none belongs in a customer file.
BAD_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_PARTIAL_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[^@\s.\d]{2,}$")
# Extensions: "#123", "ext. 123", "x123", "分機 123", "轉123" (simplified forms too).
_EXT_RE = re.compile(r"\s*(?:#|ext\.?|extension|x|分機|分机|轉|转)\s*\d{1,6}\s*$", re.I)
# Taiwanese offices write a block of consecutive lines as 2531-7099~5.
_RANGE_RE = re.compile(r"\s*~\s*\d{1,2}$")
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s\-().]+$")
_PARENS_RE = re.compile(r"\((\d+)\)")
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")

PHONE_EXAMPLE = N_("Enter a phone number with its area or country code, "
                   "e.g. (02)2531-7099 or +86 10 1234 5678")


def nfkc(text: str) -> str:
    """Fold full-width digits, letters and punctuation to ASCII (NFKC) and unify dashes."""
    return unicodedata.normalize("NFKC", text).translate(_DASHES)


def parse_number(value: object) -> int | float | None:
    """Return a number typed as text (commas, spaces, full-width digits); None when blank.

    ValueError when the text is not a finite number. Numbers pass through unchanged.
    """
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return value  # type: ignore[return-value]
    text = nfkc(str(value)).strip()
    for mark in (",", "_", " "):
        text = text.replace(mark, "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        number = float(text)  # ValueError again: not a number at all
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def check_phone(value: str) -> str | None:
    """Return an error msgid if the text is not a usable phone or fax number, else None."""
    text = nfkc(value).strip()
    text = _EXT_RE.sub("", text)
    text = _RANGE_RE.sub("", text)
    if not _PHONE_CHARS_RE.match(text):
        return N_("Use only digits, spaces and + - ( ) in a phone number, "
                  "with an optional extension such as #123")
    if text.count("(") != text.count(")") or text.count("(") > 1 or "()" in text:
        return N_("Check the brackets in this phone number")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        # E.164 allows at most 15 digits; no country has a number shorter than 7 plus code.
        low, high = 8, 15
        digits = digits.replace("0", "", 1) if "(0" in text else digits  # +886 (02) …
    elif text.startswith(("0", "(0")):
        # Taiwan 037-123456 (9 digits) … mainland 0755-1234 5678 (12 digits).
        low, high = 9, 12
    elif re.match(r"^1[3-9]\d{9}$", digits):
        return None  # mainland mobile 138 0013 8000
    else:
        return PHONE_EXAMPLE
    if len(digits) < low:
        return N_("Too few digits for a phone number")
    if len(digits) > high:
        return N_("Too many digits for a phone number")
    if "(" in text and not re.match(r"^(?:\+\d{1,3}\s*)?\(\d{1,5}\)", text):
        return N_("Check the brackets in this phone number")
    return None


def phone_digits(value: str) -> str:
    """Return only the digits of a phone number (for search and comparison)."""
    return re.sub(r"\D", "", _EXT_RE.sub("", nfkc(value)))


def check_postcode(value: str, market: str = "domestic") -> str | None:
    """Return an error msgid if the postcode does not fit the market, else None."""
    text = nfkc(value).strip()
    if market == "international":
        if re.match(r"^[A-Za-z0-9](?:[A-Za-z0-9]|[ -](?=[A-Za-z0-9])){2,9}$", text):
            return None
        return N_("Enter a postcode of 3 to 10 letters and digits")
    if re.match(r"^\d{3}(?:-?\d{2,3})?$", text):
        return None
    return N_("Enter a postcode of 3, 5 or 6 digits, e.g. 104 or 10491")


def check_email(value: str) -> str | None:
    """Return an error msgid if the text is not a plausible email address, else None."""
    if len(value) <= 254 and _EMAIL_RE.match(value):
        return None
    return N_("Enter an email address such as name@example.com")


def _real_date(year: str, month: str | None, day: str | None) -> bool:
    """Tell whether the parts name a real calendar date (or month, or year)."""
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return False
    return int(year) >= 1000


def check_date(value: str) -> str | None:
    """Return an error msgid unless the text is a real date written YYYY-MM-DD."""
    m = _DATE_RE.match(value)
    if m and _real_date(*m.groups()):
        return None
    return N_("Enter a real date as YYYY-MM-DD")


def check_partial_date(value: str) -> str | None:
    """Return an error msgid unless the text is YYYY, YYYY-MM or a real YYYY-MM-DD."""
    m = _PARTIAL_RE.match(value)
    if m and _real_date(*m.groups()):
        return None
    return N_("Enter a year, a month or a date: YYYY, YYYY-MM or YYYY-MM-DD")


def check_customer_id(value: str) -> str | None:
    """Return an error msgid unless the text is a customer id such as C000042."""
    return None if CUSTOMER_ID_RE.match(value) else N_(
        "A customer number is C followed by 6 digits, e.g. C000042")


def check_username(value: str) -> str | None:
    """Return an error msgid unless the text is a valid staff username."""
    return None if USERNAME_RE.match(value) else N_(
        "A username is 2 to 32 lower-case letters, digits, dots, dashes or underscores, "
        "starting with a letter")


def check_sha256(value: str) -> str | None:
    """Return an error msgid unless the text is 64 hexadecimal digits."""
    return None if SHA256_RE.match(value) else N_("A SHA-256 checksum is 64 hexadecimal digits")


def check_text(value: str, max_len: int) -> tuple[str, dict[str, object]] | None:
    """Return (msgid, params) if the text has control characters or is too long."""
    bad = BAD_CHARS_RE.search(value)
    if bad:
        return (N_("Remove the control character U+{code} at position {position}"),
                {"code": f"{ord(bad.group()):04X}", "position": bad.start() + 1})
    if len(value) > max_len:
        return (N_("Shorten this to at most {limit} characters (now {length})"),
                {"limit": max_len, "length": len(value)})
    return None
