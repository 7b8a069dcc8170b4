"""What makes a demo file a living record: contact log, events, yearly figures, sales power.

Everything here is drawn when a file is first written and dated before the demo's history
window, as if typed in from the paper file; history.py adds the entries made since.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from ..records.files.completeness import completeness
from ..records.rulebook.policy import DEFAULT_POLICY, Policy
from . import _pools as P
from . import story
from .customers import _CREDIT_LIMITS, _CREDIT_TERMS, CustomerMeta
from .names import person_name
from .org import managers, salespeople
from .places import address, phone

# What the demo company sells to its customers: yearly sales are per product (R12, R26).
PRODUCTS = ("工業電源供應器", "LED 照明模組", "變頻器", "感測器", "連接器與線材", "自動化控制器",
            "電子零組件", "維修與技術服務")
CONTACT_REPORTS = {
    "visit": ("對方有意擴大採購，已請業務助理準備報價", "客戶抱怨上批交期延誤，已向生管反映",
              "總經理表示明年將增設產線，需求可望成長", "競爭對手以低價搶單，需檢討報價策略",
              "客戶財務吃緊，建議收緊信用額度"),
    "meeting": ("雙方確認年度合作方案，下月簽約", "客戶要求獨家代理，須呈報營銷總監",
                "討論共同開發新產品，技術部門將評估"),
}
CONFIDENTIAL_REPORTS = ("對方透露將與競爭對手合併，消息尚未公開，請勿外傳",
                        "客戶負責人涉及訴訟，可能影響付款能力，僅供主管參考",
                        "對方要求特別折扣，須保密處理")
_EVENT_TEXT = {
    "legal_representative": "法定代表人由{old}變更為{new}",
    "capital": "辦理增資，資本額增至新台幣 {amount:,} 元",
    "move": "公司遷址至{address}",
    "merger": "合併{brand}公司，承受其全部營業",
    "ownership": "經營權異動，{new}取得過半股權",
    "contract": "簽訂{year}年度{product}供貨合約",
    "order": "下單{product}，金額約 {amount:,} 元",
    "complaint": "客戶反映{product}品質不穩，已安排技術人員處理並換貨",
    "default": "貨款逾期 {days} 天未付，已寄發存證信函催收",
}
_EVENT_SOURCE = {"legal_representative": "agency", "capital": "agency", "move": "customer_form",
                 "merger": "agency", "ownership": "agency", "contract": "visit",
                 "order": "other", "complaint": "visit", "default": "other"}
_CHANGES = ("legal_representative", "capital", "move", "merger", "ownership")
_STILL_SOLD = tuple(p for p in PRODUCTS if p != story.FALLING_PRODUCT)
_DEALINGS = ("contract", "order", "order", "complaint")
_PAST_CHANNELS = ("visit", "visit", "call", "call", "email", "meeting", "fax", "letter")
_BASE_SALES = {"A": (2_000_000, 8_000_000), "B": (800_000, 3_000_000), "C": (200_000, 1_000_000),
               "D": (50_000, 300_000), "": (50_000, 500_000)}
_BASE_SCORE = {"A": 4.2, "B": 3.5, "C": 2.6, "D": 1.6, "": 2.2}
_POWER_NOTES = ("通路完整，值得加強合作", "信用尚可，宜控制額度", "潛力高，列入重點開發名單",
                "經營者保守，短期難以擴大交易", "")
_FINANCE_NOTES = ("客戶提供之財務報表", "徵信社報告", "經會計師查核", "")
_COMPLETE_SHARE = {"A": 1.0, "B": 0.6, "C": 0.3}
_FORMER_COMPLETE = 0.5  # long relationships left full files behind
_INCOMPLETE_EDITS = 3.0  # R19: incomplete files are worked on more often than complete ones
CRITERIA = tuple(c["key"] for c in DEFAULT_POLICY["sales_power"]["criteria"])
SCALE = int(DEFAULT_POLICY["sales_power"]["scale"])
_POLICY = Policy(DEFAULT_POLICY)
# Where a field's fresh value comes from; None: worked out from the customer (see value()).
TEXT_POOLS = {
    "classification.customer_type": None,
    "basic.business_scope": None,
    "characteristics.sales_capacity": P.SALES_CAPACITY,
    "characteristics.development_potential": P.POTENTIAL,
    "characteristics.culture": P.CULTURE,
    "characteristics.business_policy": P.BUSINESS_POLICY,
    "characteristics.management_style": P.MANAGEMENT_STYLE,
    "business.manager_quality": P.MANAGER_QUALITY,
    "business.sales_staff_quality": P.SALES_STAFF_QUALITY,
    "business.competitor_relations": P.COMPETITORS,
    "business.cooperation_attitude": P.COOPERATION,
    "business.sales_performance": P.SALES_PERFORMANCE,
    "transactions.sales_activities": P.SALES_ACTIVITIES,
    "transactions.strengths": P.STRENGTHS,
    "transactions.reputation": P.REPUTATION,
    "transactions.future_plans": P.FUTURE_PLANS,
    "transactions.problems": P.PROBLEMS,
    "transactions.credit_status": P.CREDIT_STATUS,
}


def value(rng: random.Random, path: str, record: dict, meta: CustomerMeta, year: int) -> object:
    """A fresh valid value for path, fitting the customer."""
    pool = TEXT_POOLS.get(path, ())
    if pool:
        text = rng.choice(pool)
        if "{" in text:
            text = text.format(
                n=rng.randrange(2, 40),
                m=rng.randrange(20, 3000),
                p=rng.randrange(3, 35),
                y=rng.randrange(year, year + 3),
            )
        return text
    if path == "classification.customer_type":
        return rng.choice(P.CUSTOMER_TYPES[record["kind"]])
    if path == "basic.business_scope":
        return rng.choice(
            (P.INDUSTRIES.get(meta.industry) or P.SERVICE_INDUSTRIES[meta.industry])[2]
        )
    if path == "classification.industry":
        return meta.industry
    if path == "characteristics.service_area":
        return rng.choice(P.SERVICE_AREAS[meta.place.region])
    if path == "classification.region":
        return meta.place.region
    if path == "classification.nature":
        return {"tw": "股份有限公司", "cn": "台資企業"}.get(meta.place.country, "外商")
    if path == "basic.organisation_form":
        return {"tw": "股份有限公司", "cn": "有限責任公司"}.get(meta.place.country, "外國公司")
    if path == "basic.fax":
        return phone(rng, meta.place)
    if path == "basic.email":
        return f"service@{meta.domain}"
    if path == "basic.website":
        return f"www.{meta.domain}"
    if path == "basic.postcode":
        return meta.place.postcode
    if path == "basic.registered_capital":
        return rng.randrange(5, 2000) * 1_000_000
    if path == "basic.founded":
        return str(rng.randrange(1965, year - 1))
    if path == "characteristics.employees":
        return rng.randrange(5, 2000)
    raise KeyError(path)


def contact_entry(rng: random.Random, day: date, staff: str, channel: str,
                  recorded: date | None = None, confidential: float = 0.06) -> dict[str, object]:
    """A contact-log entry (R14); visits and meetings often carry a report (R15)."""
    secret = rng.random() < confidential
    reports = CONTACT_REPORTS.get(channel, ())
    report = (rng.choice(CONFIDENTIAL_REPORTS) if secret
              else rng.choice(reports) if reports and rng.random() < 0.5 else "")
    return {
        "date": day.isoformat(),
        "channel": channel,
        "staff": staff,
        "summary": rng.choice(P.CONTACT_SUMMARIES[channel]),
        "report": report,
        "source": "visit" if channel in ("visit", "meeting") else "other",
        "confidential": secret,
        "recorded_on": (recorded or day).isoformat(),
    }


def event(rng: random.Random, kind: str, when: str, record: dict, meta: CustomerMeta,
          year: int) -> dict[str, object]:
    """An event (R11) of a kind, worded with the customer's own data where it has any."""
    basic = record["basic"]
    brand = rng.choice(P.BRAND_FIRST)[0] + rng.choice(P.BRAND_SECOND)[0]
    text = _EVENT_TEXT[kind].format(
        old=person_name(rng, meta.place)[0],
        new=basic["legal_representative"] or person_name(rng, meta.place)[0],
        amount=(basic["registered_capital"] or rng.randrange(10, 500) * 1_000_000)
        if kind == "capital" else rng.randrange(5, 300) * 10_000,
        address=basic["address"] or address(rng, meta.place)[0],
        brand=brand, year=year, product=rng.choice(PRODUCTS), days=rng.randrange(45, 180))
    return {"date": when, "kind": kind, "summary": text, "source": _EVENT_SOURCE[kind]}


def _partial(rng: random.Random, day: date) -> str:
    """A date as people remember an old event: often only the month."""
    return day.isoformat() if rng.random() < 0.5 else day.isoformat()[:7]


def past_events(rng: random.Random, record: dict, meta: CustomerMeta, before: date) -> list:
    """Earlier major changes and dealings, oldest first."""
    stage = record["stage"]
    count = (rng.randrange(1, 5) if stage == "active" else rng.randrange(1, 3)
             if stage == "former" else int(rng.random() < 0.3))
    kinds = [rng.choice(_CHANGES) if rng.random() < 0.45 or stage == "prospect"
             else rng.choice(_DEALINGS) for _ in range(count)]
    if record["credit"]["problems"] and stage != "prospect":
        kinds.append("default")
    days = sorted(before - timedelta(days=rng.randrange(30, 1800)) for _ in kinds)
    return [event(rng, kind, _partial(rng, day), record, meta, day.year)
            for kind, day in zip(kinds, days, strict=True)]


def past_contacts(rng: random.Random, record: dict, before: date) -> list:
    """Contacts logged on paper before the archive, entered on the day they happened."""
    stage = record["stage"]
    count = (rng.randrange(1, 5) if stage == "active" else rng.randrange(0, 3))
    custody = record["custody"]
    days = sorted(before - timedelta(days=rng.randrange(1, 330)) for _ in range(count))
    staff = [custody["owner"] if rng.random() < 0.7 else rng.choice(custody["contacts"])
             for _ in days]
    return [contact_entry(rng, day, who, rng.choice(_PAST_CHANNELS))
            for day, who in zip(days, staff, strict=True)]


def yearly_figures(rng: random.Random, record: dict, this_year: int) -> list:
    """Sales per product and the customer's financials for past years (R12), oldest first.

    The story (story.py): customers in the growing region buy more each year, the falling
    product sells less each year and wins no new buyer.
    """
    stage = record["stage"]
    if stage == "prospect":
        return []
    first = record["basic"]["first_deal"][:4]
    start = max(this_year - 5, int(first) if first else this_year - 5)
    end = this_year - 1 if stage == "active" else this_year - rng.randrange(2, 4)
    low, high = _BASE_SALES[record["grade"]]
    region = record["classification"]["region"]
    offered = PRODUCTS if start == this_year - 5 else _STILL_SOLD
    products = {name: rng.randrange(low, high) for name in
                rng.sample(offered, rng.randrange(2, 4))}
    known = rng.random() < 0.75
    revenue = record["characteristics"]["annual_sales"] or sum(products.values()) * \
        rng.randrange(8, 40)
    growth = 1.0 + rng.uniform(-0.04, 0.12)
    rows = []
    for year in range(start, end + 1):
        sales = {name: amount // 1000 * 1000 for name, amount in products.items()
                 if amount > 0}
        scale = growth ** (year - end)
        income = int(revenue * scale) // 10_000 * 10_000
        assets = int(income * rng.uniform(0.6, 1.4)) // 10_000 * 10_000
        rows.append({
            "year": year,
            "sales": sales,
            "financials": {
                "revenue": income if known else None,
                "profit": int(income * rng.uniform(-0.04, 0.12)) // 1000 * 1000 if known else None,
                "assets": assets if known else None,
                "liabilities": int(assets * rng.uniform(0.2, 0.7)) // 10_000 * 10_000
                if known else None,
                "notes": rng.choice(_FINANCE_NOTES) if known else "",
            },
        })
        products = {name: int(amount * story.trend(rng, region, name)) for name, amount in
                    products.items()}
        if rng.random() < 0.15:  # a product now and then added to the mix
            products.setdefault(rng.choice(_STILL_SOLD), rng.randrange(low, high) // 3)
    return rows


def scores(rng: random.Random, record: dict) -> dict[str, int]:
    """Sales-power scores per criterion (R16), near what the grade and potential suggest."""
    base = _BASE_SCORE[record["grade"]]
    if record["stage"] == "prospect":
        base = 4.0 if record["characteristics"]["development_potential"].startswith("高") else 2.4
    return {key: max(0, min(SCALE, round(base + rng.uniform(-1.2, 1.2)))) for key in CRITERIA}


def sales_power(rng: random.Random, record: dict, day: date, by: str) -> dict[str, object]:
    """A sales-power assessment made on day by a member of staff."""
    return {"scores": scores(rng, record), "assessed_on": day.isoformat(), "assessed_by": by,
            "notes": rng.choice(_POWER_NOTES)}


def _fill(rng: random.Random, record: dict, meta: CustomerMeta, path: str, year: int) -> object:
    """A value for an empty field a complete file fills in."""
    section = path.partition(".")[0]
    if path == "basic.legal_representative":
        return record["people"][0]["name"]
    if path == "basic.founded" and record["basic"]["first_deal"]:
        return str(rng.randrange(1965, int(record["basic"]["first_deal"][:4]) + 1))
    if path == "basic.address":
        return address(rng, meta.place)[0]
    if path == "basic.first_deal":
        founded = record["basic"]["founded"]
        return str(max(int(founded[:4]) if founded else 0, year - rng.randrange(2, 15)))
    if section in ("grade", "credit") or path == "credit.grade":
        return record["grade"] or "C"
    if path == "transactions.trade_terms":
        return record["credit"]["terms"] or rng.choice(P.TRADE_TERMS)
    if path == "characteristics.annual_sales":
        return rng.randrange(10, 50_000) * 100_000
    return value(rng, path, record, meta, year)


def complete(rng: random.Random, record: dict, meta: CustomerMeta, year: int) -> None:
    """Fill every field of the policy's completeness list for the card (R4) in place."""
    for path in DEFAULT_POLICY["completeness"][record["card"]]:
        section, _, key = path.partition(".")
        holder = record[section] if key else record
        name = key or section
        if holder[name] in ("", None, []):
            if isinstance(holder[name], list):
                continue  # lists are filled by their own generators
            holder[name] = _fill(rng, record, meta, path, year)
    credit = record["credit"]
    if credit["grade"] and credit["limit"] is None:  # a credit grade comes with its limit (R28)
        low, high = _CREDIT_LIMITS[credit["grade"]]
        credit["limit"] = rng.randrange(low // 50_000, high // 50_000 + 1) * 50_000
        credit["terms"] = credit["terms"] or rng.choice(_CREDIT_TERMS[credit["grade"]])


def second_contact(rng: random.Random, record: dict) -> None:
    """Name a second member of staff for an A or B customer (R31), as most custodians have."""
    custody = record["custody"]
    level, department = custody["level"], custody["department"]
    pool = (["vp"] if level == "company" else [managers()[department]] if level == "personal"
            else salespeople().get(department, []))
    candidates = [name for name in pool if name not in custody["contacts"]]
    if candidates:
        custody["contacts"].append(rng.choice(candidates))


def enrich(rng: random.Random, record: dict, meta: CustomerMeta, before: date,
           today: date | None = None, scored: bool = True) -> None:
    """Give a new record its past: contacts, events, yearly figures, sales power, in place.

    Its grade is then the standard's and its credit within its credit grade (story.shape);
    ``scored`` False leaves it without a sales-power analysis (a task, R16).
    """
    today = today or before
    if record["grade"] in ("A", "B") and len(record["custody"]["contacts"]) < 2 \
            and rng.random() < 0.9:
        second_contact(rng, record)
    record["contacts"] = past_contacts(rng, record, before)
    record["events"] = past_events(rng, record, meta, before)
    share = _COMPLETE_SHARE.get(record["grade"], 0) if record["stage"] == "active" else (
        _FORMER_COMPLETE if record["stage"] == "former" else 0)
    if rng.random() < share:
        complete(rng, record, meta, before.year)
        if not record["contacts"]:
            record["contacts"] = [contact_entry(rng, before - timedelta(days=30),
                                                record["custody"]["owner"], "visit")]
    record["yearly"] = yearly_figures(rng, record, today.year)
    story.shape(rng, record, today)
    if not completeness(record, _POLICY).complete:
        meta.weight *= _INCOMPLETE_EDITS
    if scored:
        record["sales_power"] = sales_power(rng, record, before - timedelta(
            days=rng.randrange(1, 200)), record["custody"]["owner"])
