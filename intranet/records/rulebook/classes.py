"""Keep the classification lists as data in the archive (R23): ``classes.yaml``.

Each list names the values a classification field may take; an absent file, or an empty
list, means "no list: any value". A value outside its list is flagged (by ``verify`` and on
the card), never refused: files written before a list changed must still load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from intranet.archive.errors import CorruptRecord
from intranet.archive.repository import Snapshot
from intranet.records.files import yamlio
from intranet.records.files.messages import N_, FieldError
from intranet.records.files.schema import CHANNELS, MARKETS

CLASSES_PATH = "classes.yaml"
# The lists kept in classes.yaml and the record field each one classifies.
FIELDS: dict[str, str] = {
    "industry": "classification.industry",
    "nature": "classification.nature",
    "region": "classification.region",
    "customer_type": "classification.customer_type",
    "product": "yearly.sales",  # the products sold: the keys of yearly[].sales (R12, R26)
}
LISTS = tuple(FIELDS)
LABELS: dict[str, str] = {
    "industry": N_("Industry"), "nature": N_("Nature"), "region": N_("Region"),
    "customer_type": N_("Customer type"), "product": N_("Products"),
}
# Market and channel stay the schema's enumerations; shown beside the lists as classes too.
FIXED: dict[str, tuple[str, ...]] = {"market": MARKETS, "channel": CHANNELS}
CLASSES_ORDER: dict[str, Any] = {name: None for name in LISTS}
VALUE_LIMIT = 100
LIST_LIMIT = 500

# What a small Taiwanese maker of power and control electronics would list (and what the demo
# company's files use): regions of Taiwan, of the mainland where it has distributors, overseas.
DEFAULT_CLASSES: dict[str, list[str]] = {
    "industry": ["電子零組件", "半導體", "資訊設備", "食品", "紡織", "機械", "化工", "塑膠",
                 "金屬五金", "汽車零件", "醫療器材", "建材", "家電", "包裝材料", "物流", "貿易",
                 "金融服務", "保險", "廣告公關", "法律服務", "會計服務", "徵信調查"],
    "nature": ["股份有限公司", "有限公司", "獨資", "合夥", "外商", "國營", "台資企業",
               "民營企業", "合資企業", "國有企業"],
    "region": ["北區", "中區", "南區", "東區", "華東", "華南", "華北", "海外"],
    "customer_type": ["一級經銷商", "區域經銷商", "代理商", "批發商", "零售通路", "系統整合商",
                      "製造業終端", "OEM 客戶", "連鎖通路", "工程客戶", "政府標案客戶",
                      "中小企業", "原料供應商", "零件供應商", "代工廠", "設備供應商",
                      "往來銀行", "法律顧問", "會計師", "廣告公關", "保險公司", "徵信機構"],
    "product": ["工業電源供應器", "LED 照明模組", "變頻器", "感測器", "連接器與線材",
                "自動化控制器", "電子零組件", "維修與技術服務"],
}


@dataclass(frozen=True)
class Flag:
    """A value outside its list: where in the record, which list, what value."""

    path: str
    list: str
    value: str


@dataclass(frozen=True)
class Classes:
    """The classification lists in force; an empty list allows any value."""

    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    problem: str = ""  # why classes.yaml could not be used ("" when it could)

    def values(self, name: str) -> tuple[str, ...]:
        """Return a list's values in order (empty: no list, any value)."""
        return self.lists.get(name, ())

    def allows(self, name: str, value: str) -> bool:
        """Tell whether a value fits a list (an empty value or an empty list always does)."""
        allowed = self.values(name)
        return not value or not allowed or value in allowed

    def flags(self, record: dict[str, Any]) -> list[Flag]:
        """Return every value of a record outside its list (R23), in field order."""
        found: list[Flag] = []
        section = record.get("classification")
        section = section if isinstance(section, dict) else {}
        for name, path in FIELDS.items():
            if name == "product":
                continue
            value = section.get(path.split(".", 1)[1])
            if isinstance(value, str) and not self.allows(name, value):
                found.append(Flag(path, name, value))
        for i, year in enumerate(record.get("yearly") or []):
            sales = year.get("sales") if isinstance(year, dict) else None
            for product in sales if isinstance(sales, dict) else {}:
                if not self.allows("product", str(product)):
                    found.append(Flag(f"yearly[{i}].sales", "product", str(product)))
        return found

    def as_data(self) -> dict[str, list[str]]:
        """Return the lists as a classes.yaml document."""
        return {name: list(self.values(name)) for name in LISTS}


def validate_classes(data: Any) -> list[FieldError]:
    """Return every problem of a classes.yaml document."""
    if not isinstance(data, dict):
        return [FieldError("", N_("Expected a group of fields here"), {})]
    errors = [FieldError(str(key), N_("Must be one of: {choices}"),
                         {"choices": ", ".join(LISTS)}) for key in data if key not in FIELDS]
    for name in LISTS:
        values = data.get(name)
        if values is None:
            continue
        if not isinstance(values, list) or len(values) > LIST_LIMIT:
            errors.append(FieldError(name, N_("List at most {limit} values"),
                                     {"limit": LIST_LIMIT}))
            continue
        seen: set[str] = set()
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip() or value != value.strip() \
                    or len(value) > VALUE_LIMIT or "\n" in value:
                errors.append(FieldError(f"{name}[{i}]", N_(
                    "A value is one line of 1 to {limit} characters"), {"limit": VALUE_LIMIT}))
            elif value in seen:
                errors.append(FieldError(f"{name}[{i}]", N_("{value} is listed twice"),
                                         {"value": value}))
            seen.add(str(value))
    return errors


def parse_lines(text: str) -> list[str]:
    """Return the values typed one per line (blank lines dropped, repeats kept once)."""
    values: list[str] = []
    for line in (text or "").splitlines():
        value = line.strip()
        if value and value not in values:
            values.append(value)
    return values


def dump_classes(data: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a classes.yaml document."""
    return yamlio.dump({name: list(data.get(name) or []) for name in LISTS}, CLASSES_ORDER)


def from_data(data: Any) -> Classes:
    """Return the Classes of a parsed document (assumed valid)."""
    return Classes({name: tuple(data.get(name) or ()) for name in LISTS})


_cache: OrderedDict[str, Classes] = OrderedDict()
_lock = threading.Lock()


def load_classes(snapshot: Snapshot) -> Classes:
    """Return the lists at a snapshot (cached per blob); a damaged file allows any value."""
    blob = snapshot.blob_id(CLASSES_PATH)
    if blob is None:
        return Classes()
    with _lock:
        if blob in _cache:
            return _cache[blob]
    try:
        data = yamlio.load(snapshot.archive.read_object(blob)[1], CLASSES_PATH)
        problems = validate_classes(data)
        classes = Classes(problem="; ".join(f"{e.path}: {e}" for e in problems)) \
            if problems else from_data(data)
    except CorruptRecord as exc:
        # Flagging every file against a list nobody can read would be noise: no list instead.
        classes = Classes(problem=exc.reason)
    with _lock:
        _cache[blob] = classes
        while len(_cache) > 16:
            _cache.popitem(last=False)
    return classes
