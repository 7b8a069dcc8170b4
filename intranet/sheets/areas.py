"""Put back the area code a clerk left off a Taiwanese phone number, from the address.

Offices often type a number as dialled locally (25092188). The number alone cannot say where
it rings, but the company's address can: a Taipei address means 02. The code is added only
when the address names a county or city and the number has exactly as many digits as local
numbers there have; the report says that it was added.
"""

from __future__ import annotations

import re

from ..records.files import formats
from ..records.files.messages import N_

AREA_CODE = N_("Added the area code {code} to {value} from the address ({place})")
# County or city (with its older names) -> (area code, digits of a local number).
_AREAS: tuple[tuple[tuple[str, ...], str, tuple[int, ...]], ...] = (
    (("台北市", "新北市", "台北縣", "基隆市", "北市"), "02", (8,)),
    (("桃園市", "桃園縣", "新竹市", "新竹縣", "宜蘭縣", "花蓮縣"), "03", (7, 8)),
    (("苗栗縣",), "037", (6,)),
    (("台中市", "台中縣", "彰化縣"), "04", (7, 8)),
    (("南投縣",), "049", (7,)),
    (("雲林縣", "嘉義市", "嘉義縣"), "05", (7,)),
    (("台南市", "台南縣", "澎湖縣"), "06", (7,)),
    (("高雄市", "高雄縣"), "07", (7,)),
    (("屏東縣",), "08", (7,)),
    (("台東縣",), "089", (6,)),
    (("金門縣",), "082", (6,)),
    (("連江縣",), "0836", (5,)),
)
_LOCAL = re.compile(r"^[1-9][\d\s\-]{3,10}(?:\s*#\s*\d{1,6})?$")


def place_of(address: str) -> tuple[str, str, tuple[int, ...]] | None:
    """Return (county or city, area code, local lengths) of the first place an address names."""
    # 巿 (U+5DFF) is a common slip for 市; 北市 is how Taipei is often shortened.
    text = address.replace("臺", "台").replace("巿", "市")
    found: tuple[int, str, str, tuple[int, ...]] | None = None
    for places, code, lengths in _AREAS:
        for place in places:
            at = text.find(place)
            if at >= 0 and (found is None or at < found[0]):
                found = (at, place, code, lengths)
    return found[1:] if found else None


def with_area_code(number: str, address: str) -> tuple[str, str, str] | None:
    """Return (number with its area code, code, place), or None when it cannot be told."""
    written = formats.nfkc(number).strip()
    if not _LOCAL.match(written):
        return None
    place = place_of(address)
    if place is None:
        return None
    name, code, lengths = place
    if len(re.sub(r"\D", "", written.partition("#")[0])) not in lengths:
        return None
    fixed = f"({code}){written}"
    return (fixed, code, name) if formats.check_phone(fixed) is None else None
