"""Declare the customer record: key order, field types, labels, required fields, template."""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from intranet.records.messages import N_

# Field kinds understood by validate.py; "group" and "list" hold children.
TEXT = "text"
ENUM = "enum"
BOOL = "bool"
AMOUNT = "amount"                # int or float >= 0, None when unknown
SIGNED_AMOUNT = "signed_amount"  # profit and the like may be negative
AMOUNT_MAP = "amount_map"        # free-form mapping name -> amount (sales per product)
INT = "int"
DATE = "date"                    # full YYYY-MM-DD
PARTIAL_DATE = "partial_date"    # YYYY, YYYY-MM or YYYY-MM-DD
CUSTOMER_ID = "customer_id"
EMAIL = "email"
PHONE = "phone"
POSTCODE = "postcode"
SHA256 = "sha256"
USERNAME = "username"
USERNAMES = "usernames"          # list of usernames
GROUP = "group"
LIST = "list"                    # list of groups

TEXT_LIMIT = 10_000
NAME_LIMIT = 200


@dataclass(frozen=True)
class Field:
    """Describe one key of a record: its kind, its constraints and its children."""

    kind: str = TEXT
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    max_len: int = TEXT_LIMIT
    children: dict[str, Field] = field(default_factory=dict)


def _g(**children: Field) -> Field:
    """Build a mapping field; keyword order is the canonical key order."""
    return Field(GROUP, children=children)


def _l(**children: Field) -> Field:
    """Build a list-of-mappings field; keyword order is each item's key order."""
    return Field(LIST, children=children)


def _e(*choices: str) -> Field:
    """Build an enumeration field."""
    return Field(ENUM, choices=choices)


_T = Field()
_NAME = Field(max_len=NAME_LIMIT)

CARDS = ("distributor", "terminal")
KINDS = ("supplier", "distributor", "terminal", "service")
STAGES = ("prospect", "active", "former")
MARKETS = ("domestic", "international")
CHANNELS = ("direct", "indirect")
CUSTODY_LEVELS = ("company", "department", "personal")
SOURCES = ("visit", "customer_form", "agency", "import", "other")
CONTACT_CHANNELS = ("visit", "call", "letter", "fax", "email", "meeting")
PROPOSAL_STATES = ("pending", "reviewed")
FIELD_DECISIONS = ("accepted", "rejected")
TASK_KINDS = ("introduce_successor", "other")
EVENT_KINDS = ("legal_representative", "capital", "move", "merger", "ownership",
               "contract", "order", "complaint", "default", "other")
# Grades come from policy.yaml; these are only the defaults when no policy is given.
DEFAULT_GRADES = ("A", "B", "C", "D")
DEFAULT_CREDIT_GRADES = ("A", "B", "C", "D")

SCHEMA: dict[str, Field] = {
    "id": Field(CUSTOMER_ID),
    "card": _e(*CARDS),
    "kind": _e(*KINDS),
    "stage": _e(*STAGES),
    "market": _e(*MARKETS),
    "channel": _e(*CHANNELS),
    "classification": _g(industry=_T, nature=_T, region=_T, customer_type=_T),
    "grade": _e(*DEFAULT_GRADES),
    # R28: approved_by/approved_on record who allowed a limit or terms beyond the grade's.
    "credit": _g(grade=_e(*DEFAULT_CREDIT_GRADES), limit=Field(AMOUNT), terms=_T, problems=_T,
                 approved_by=Field(USERNAME), approved_on=Field(DATE)),
    # R24, R28: open receivables as the accounting package last reported them.
    "receivables": _g(amount=Field(AMOUNT), oldest_due=Field(DATE), as_of=Field(DATE),
                      notes=_T),
    "vip": Field(BOOL),
    "custody": _g(level=_e(*CUSTODY_LEVELS), owner=Field(USERNAME), department=_NAME,
                  contacts=Field(USERNAMES)),
    "basic": _g(
        name=_NAME, short_name=_NAME, tax_id=_NAME, legal_representative=_NAME, address=_T,
        postcode=Field(POSTCODE), phone=Field(PHONE), fax=Field(PHONE), email=Field(EMAIL),
        website=_T, business_scope=_T, registered_capital=Field(AMOUNT),
        founded=Field(PARTIAL_DATE), first_deal=Field(PARTIAL_DATE), organisation_form=_T,
        assets=Field(AMOUNT)),
    "people": _l(
        role=_T, name=_NAME, title=_T, phone=Field(PHONE), email=Field(EMAIL), personality=_T,
        hobbies=_T, family=_T, education=_T, age=Field(INT, minimum=0, maximum=130),
        ability=_T),
    "characteristics": _g(
        service_area=_T, sales_capacity=_T, development_potential=_T, culture=_T,
        business_policy=_T, employees=Field(INT, minimum=0), annual_sales=Field(AMOUNT),
        management_style=_T),
    "business": _g(
        sales_performance=_T, past_performance=_T, manager_quality=_T, sales_staff_quality=_T,
        competitor_relations=_T, cooperation_attitude=_T),
    "transactions": _g(
        sales_activities=_T, problems=_T, strengths=_T, future_plans=_T, reputation=_T,
        credit_status=_T, trade_terms=_T, credit_problems=_T),
    "notes": _T,
    "source": _e(*SOURCES),
    "contacts": _l(
        date=Field(DATE), channel=_e(*CONTACT_CHANNELS), staff=Field(USERNAME), summary=_T,
        report=_T, source=_e(*SOURCES), confidential=Field(BOOL), recorded_on=Field(DATE)),
    # Events keep a partial date: a change is often known only to the month.
    "events": _l(date=Field(PARTIAL_DATE), kind=_e(*EVENT_KINDS), summary=_T,
                 source=_e(*SOURCES)),
    "yearly": _l(
        year=Field(INT, minimum=1900, maximum=2999), sales=Field(AMOUNT_MAP),
        financials=_g(revenue=Field(AMOUNT), profit=Field(SIGNED_AMOUNT),
                      assets=Field(AMOUNT), liabilities=Field(AMOUNT), notes=_T)),
    "documents": _l(
        file=_T, title=_NAME, kind=_T, signed_on=Field(DATE), size=Field(INT, minimum=0),
        sha256=Field(SHA256), uploaded_by=Field(USERNAME), original_name=_NAME,
        content_type=_NAME, uploaded_on=Field(DATE)),
    # R16: scores per criterion of policy.yaml's sales_power table.
    "sales_power": _g(scores=Field(AMOUNT_MAP), assessed_on=Field(DATE),
                      assessed_by=Field(USERNAME), notes=_T),
    # R32: things someone must do about this customer, e.g. introduce a successor.
    "tasks": _l(kind=_e(*TASK_KINDS), assignee=Field(USERNAME), summary=_T,
                from_staff=Field(USERNAME), created_on=Field(DATE), due_on=Field(DATE),
                done_on=Field(DATE), told_on=Field(DATE), told_by=Field(USERNAME)),
    # R10: what a customer sent through their own data form, field by field, until reviewed.
    "proposals": _l(id=_NAME, submitted_on=Field(DATE), submitted_by=_NAME,
                    link_by=Field(USERNAME), status=_e(*PROPOSAL_STATES),
                    reviewed_by=Field(USERNAME), reviewed_on=Field(DATE),
                    fields=_l(path=_NAME, value=_T, decision=_e(*FIELD_DECISIONS))),
}

Order = dict[str, "Order | None"]


def _order(fields: dict[str, Field]) -> Order:
    """Derive the key-order tree (used by yamlio.dump) from field declarations."""
    return {k: (_order(f.children) if f.children else None) for k, f in fields.items()}


ORDER: Order = _order(SCHEMA)

_INDEX = re.compile(r"\[\d+\]")


def field_at(path: str) -> Field | None:
    """Return the declaration of a dotted path (list indices ignored), or None if unknown."""
    fields: dict[str, Field] = SCHEMA
    found: Field | None = None
    for part in _INDEX.sub("", path).split("."):
        found = fields.get(part)
        if found is None:
            return None
        fields = found.children
    return found


def schema_path(path: str) -> str:
    """Strip list indices from a path: people[1].phone -> people.phone."""
    return _INDEX.sub("", path)


LABELS: dict[str, str] = {
    "id": N_("Customer number"), "card": N_("Card"), "kind": N_("Customer kind"),
    "stage": N_("Stage"), "market": N_("Market"), "channel": N_("Channel"),
    "classification": N_("Classification"), "classification.industry": N_("Industry"),
    "classification.nature": N_("Nature"), "classification.region": N_("Region"),
    "classification.customer_type": N_("Customer type"),
    "grade": N_("Grade"),
    "credit": N_("Credit"), "credit.grade": N_("Credit grade"), "credit.limit": N_("Credit limit"),
    "credit.terms": N_("Trade terms"), "credit.problems": N_("Credit problems handling"),
    "credit.approved_by": N_("Exception approved by"),
    "credit.approved_on": N_("Exception approved on"),
    "receivables": N_("Open receivables"), "receivables.amount": N_("Amount owed"),
    "receivables.oldest_due": N_("Oldest due date"), "receivables.as_of": N_("As of"),
    "receivables.notes": N_("Notes"),
    "vip": N_("VIP"),
    "custody": N_("Custody"), "custody.level": N_("Confidentiality level"),
    "custody.owner": N_("Custodian"), "custody.department": N_("Department"),
    "custody.contacts": N_("Staff in contact"),
    "basic": N_("Basic data"), "basic.name": N_("Name"), "basic.short_name": N_("Short name"),
    "basic.tax_id": N_("Tax ID"), "basic.legal_representative": N_("Legal representative"),
    "basic.address": N_("Address"), "basic.postcode": N_("Postcode"), "basic.phone": N_("Phone"),
    "basic.fax": N_("Fax"), "basic.email": N_("Email"), "basic.website": N_("Website"),
    "basic.business_scope": N_("Business scope"),
    "basic.registered_capital": N_("Registered capital"), "basic.founded": N_("Founded"),
    "basic.first_deal": N_("First business with us"),
    "basic.organisation_form": N_("Organisation form"), "basic.assets": N_("Assets"),
    "people": N_("People"), "people.role": N_("Role"), "people.name": N_("Full name"),
    "people.title": N_("Title"), "people.phone": N_("Phone"), "people.email": N_("Email"),
    "people.personality": N_("Personality"), "people.hobbies": N_("Hobbies"),
    "people.family": N_("Family"), "people.education": N_("Education"), "people.age": N_("Age"),
    "people.ability": N_("Ability"),
    "characteristics": N_("Characteristics"),
    "characteristics.service_area": N_("Service area"),
    "characteristics.sales_capacity": N_("Sales capacity"),
    "characteristics.development_potential": N_("Development potential"),
    "characteristics.culture": N_("Corporate culture"),
    "characteristics.business_policy": N_("Business policy"),
    "characteristics.employees": N_("Employees"),
    "characteristics.annual_sales": N_("Annual sales"),
    "characteristics.management_style": N_("Management style"),
    "business": N_("Business status"), "business.sales_performance": N_("Sales performance"),
    "business.past_performance": N_("Past performance"),
    "business.manager_quality": N_("Quality of managers"),
    "business.sales_staff_quality": N_("Quality of sales staff"),
    "business.competitor_relations": N_("Relations with competitors"),
    "business.cooperation_attitude": N_("Attitude to cooperation"),
    "transactions": N_("Transactions"), "transactions.sales_activities": N_("Sales activities"),
    "transactions.problems": N_("Problems"), "transactions.strengths": N_("Strengths"),
    "transactions.future_plans": N_("Future plans"),
    "transactions.reputation": N_("Reputation and image"),
    "transactions.credit_status": N_("Credit status"),
    "transactions.trade_terms": N_("Trade terms"),
    "transactions.credit_problems": N_("Past credit problems"),
    "notes": N_("Notes"), "source": N_("Source"),
    "contacts": N_("Contact log"), "contacts.date": N_("Date"),
    "contacts.channel": N_("Contact by"),
    "contacts.staff": N_("Staff"), "contacts.summary": N_("Summary"),
    "contacts.report": N_("Report"), "contacts.source": N_("Source"),
    "contacts.confidential": N_("Confidential"), "contacts.recorded_on": N_("Recorded on"),
    "events": N_("Events"), "events.date": N_("Date"), "events.kind": N_("Event kind"),
    "events.summary": N_("Summary"), "events.source": N_("Source"),
    "yearly": N_("Yearly figures"), "yearly.year": N_("Year"), "yearly.sales": N_("Sales"),
    "yearly.financials": N_("Financials"), "yearly.financials.revenue": N_("Revenue"),
    "yearly.financials.profit": N_("Profit"), "yearly.financials.assets": N_("Assets"),
    "yearly.financials.liabilities": N_("Liabilities"),
    "yearly.financials.notes": N_("Notes"),
    "documents": N_("Documents"), "documents.file": N_("File"),
    "documents.title": N_("Document title"),
    "documents.kind": N_("Document kind"), "documents.signed_on": N_("Signed on"),
    "documents.size": N_("Size"), "documents.sha256": N_("SHA-256"),
    "documents.uploaded_by": N_("Uploaded by"), "documents.original_name": N_("Original name"),
    "documents.content_type": N_("Content type"), "documents.uploaded_on": N_("Uploaded on"),
    "sales_power": N_("Sales-power analysis"), "sales_power.scores": N_("Scores"),
    "sales_power.assessed_on": N_("Assessed on"), "sales_power.assessed_by": N_("Assessed by"),
    "sales_power.notes": N_("Notes"),
    "tasks": N_("Tasks"), "tasks.kind": N_("Task"), "tasks.assignee": N_("Assigned to"),
    "tasks.summary": N_("Summary"), "tasks.from_staff": N_("From"),
    "tasks.created_on": N_("Created on"), "tasks.due_on": N_("Due on"),
    "tasks.done_on": N_("Done on"), "tasks.told_on": N_("Customer told on"),
    "tasks.told_by": N_("Customer told by"),
    "proposals": N_("Customer form proposals"), "proposals.id": N_("Proposal"),
    "proposals.submitted_on": N_("Submitted on"), "proposals.submitted_by": N_("Submitted by"),
    "proposals.link_by": N_("Link made by"), "proposals.status": N_("Status"),
    "proposals.reviewed_by": N_("Reviewed by"), "proposals.reviewed_on": N_("Reviewed on"),
    "proposals.fields": N_("Fields"), "proposals.fields.path": N_("Field"),
    "proposals.fields.value": N_("Proposed value"), "proposals.fields.decision": N_("Decision"),
}

# Traditional Chinese labels for git commit messages, which are never translated.
LABELS_ZH: dict[str, str] = {
    "id": "客戶編號", "card": "檔案卡", "kind": "客戶類別", "stage": "客戶階段",
    "market": "市場", "channel": "通路",
    "classification": "分類", "classification.industry": "行業",
    "classification.nature": "性質", "classification.region": "地區",
    "classification.customer_type": "客戶類型",
    "grade": "客戶等級",
    "credit": "信用", "credit.grade": "信用等級", "credit.limit": "信用額度",
    "credit.terms": "交易條件", "credit.problems": "信用問題處理",
    "credit.approved_by": "例外核准人", "credit.approved_on": "例外核准日期",
    "receivables": "應收帳款", "receivables.amount": "未收金額",
    "receivables.oldest_due": "最早到期日", "receivables.as_of": "資料日期",
    "receivables.notes": "備註",
    "vip": "貴賓",
    "custody": "保管", "custody.level": "機密等級", "custody.owner": "保管人",
    "custody.department": "所屬部門", "custody.contacts": "聯繫人員",
    "basic": "基本資料", "basic.name": "名稱", "basic.short_name": "簡稱",
    "basic.tax_id": "統一編號", "basic.legal_representative": "法定代表人",
    "basic.address": "地址", "basic.postcode": "郵遞區號", "basic.phone": "電話",
    "basic.fax": "傳真", "basic.email": "電子郵件", "basic.website": "網站",
    "basic.business_scope": "經營範圍", "basic.registered_capital": "註冊資本",
    "basic.founded": "成立日期", "basic.first_deal": "首次交易日期",
    "basic.organisation_form": "組織形式", "basic.assets": "資產",
    "people": "相關人員", "people.role": "身分", "people.name": "姓名", "people.title": "職稱",
    "people.phone": "電話", "people.email": "電子郵件", "people.personality": "性格",
    "people.hobbies": "興趣愛好", "people.family": "家庭", "people.education": "學歷",
    "people.age": "年齡", "people.ability": "能力",
    "characteristics": "客戶特徵", "characteristics.service_area": "服務區域",
    "characteristics.sales_capacity": "銷售能力",
    "characteristics.development_potential": "發展潛力",
    "characteristics.culture": "經營文化", "characteristics.business_policy": "經營方針",
    "characteristics.employees": "員工人數", "characteristics.annual_sales": "年銷售額",
    "characteristics.management_style": "管理風格",
    "business": "業務狀況", "business.sales_performance": "銷售實績",
    "business.past_performance": "過往實績", "business.manager_quality": "經營者素質",
    "business.sales_staff_quality": "業務人員素質",
    "business.competitor_relations": "與競爭者關係",
    "business.cooperation_attitude": "合作態度",
    "transactions": "交易狀況", "transactions.sales_activities": "銷售活動",
    "transactions.problems": "存在問題", "transactions.strengths": "優勢",
    "transactions.future_plans": "未來對策", "transactions.reputation": "企業形象與聲譽",
    "transactions.credit_status": "信用狀況", "transactions.trade_terms": "交易條件",
    "transactions.credit_problems": "過往信用問題",
    "notes": "備註", "source": "資料來源",
    "contacts": "聯絡記錄", "contacts.date": "日期", "contacts.channel": "聯絡方式",
    "contacts.staff": "經辦人", "contacts.summary": "摘要", "contacts.report": "報告",
    "contacts.source": "資料來源", "contacts.confidential": "保密",
    "contacts.recorded_on": "記錄日期",
    "events": "重大事項", "events.date": "日期", "events.kind": "事項類別",
    "events.summary": "摘要", "events.source": "資料來源",
    "yearly": "年度資料", "yearly.year": "年度", "yearly.sales": "銷售額",
    "yearly.financials": "財務狀況", "yearly.financials.revenue": "營業收入",
    "yearly.financials.profit": "利潤", "yearly.financials.assets": "資產",
    "yearly.financials.liabilities": "負債", "yearly.financials.notes": "備註",
    "documents": "合約文件", "documents.file": "檔案", "documents.title": "標題",
    "documents.kind": "文件類別", "documents.signed_on": "簽署日期",
    "documents.size": "大小", "documents.sha256": "SHA-256",
    "documents.uploaded_by": "上傳者", "documents.original_name": "原始檔名",
    "documents.content_type": "檔案類型", "documents.uploaded_on": "上傳日期",
    "sales_power": "綜合銷售力分析", "sales_power.scores": "評分",
    "sales_power.assessed_on": "評估日期", "sales_power.assessed_by": "評估人",
    "sales_power.notes": "備註",
    "tasks": "待辦事項", "tasks.kind": "事項", "tasks.assignee": "負責人",
    "tasks.summary": "摘要", "tasks.from_staff": "交辦人", "tasks.created_on": "建立日期",
    "tasks.due_on": "期限", "tasks.done_on": "完成日期", "tasks.told_on": "通知客戶日期",
    "tasks.told_by": "通知人",
    "proposals": "客戶填表資料", "proposals.id": "填表編號", "proposals.submitted_on": "填表日期",
    "proposals.submitted_by": "填表人", "proposals.link_by": "連結建立者",
    "proposals.status": "狀態", "proposals.reviewed_by": "審核人",
    "proposals.reviewed_on": "審核日期", "proposals.fields": "欄位",
    "proposals.fields.path": "欄位", "proposals.fields.value": "填寫內容",
    "proposals.fields.decision": "決定",
}


def label(path: str, zh: bool = False) -> str:
    """Return the label of a path (indices ignored); unknown keys label as themselves."""
    key = schema_path(path)
    labels = LABELS_ZH if zh else LABELS
    while key:
        if key in labels:
            return labels[key]
        # A free-form key below a known one (yearly.sales.產品A) labels as its parent.
        key = key.rpartition(".")[0]
    return path


REQUIRED_COMMON = ("id", "card", "kind", "stage", "market", "channel", "custody.level",
                   "custody.owner", "custody.department", "basic.name")
REQUIRED: dict[str, tuple[str, ...]] = {
    "distributor": (*REQUIRED_COMMON, "classification.region", "basic.address", "basic.phone"),
    "terminal": (*REQUIRED_COMMON, "classification.industry", "basic.phone"),
}


def _empty(f: Field) -> Any:
    """Return the empty value of a field of this declaration."""
    if f.kind == GROUP:
        return {k: _empty(c) for k, c in f.children.items()}
    if f.kind in (LIST, USERNAMES):
        return []
    if f.kind == AMOUNT_MAP:
        return {}
    if f.kind == BOOL:
        return False
    if f.kind in (AMOUNT, SIGNED_AMOUNT, INT):
        return None
    return ""


_TEMPLATE: dict[str, Any] = {k: _empty(f) for k, f in SCHEMA.items()}
_TEMPLATE.update(stage="prospect", market="domestic", channel="direct")
_TEMPLATE["custody"]["level"] = "personal"


def new_record(card: str, id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a complete empty record; overrides may use dotted keys (basic.name="…")."""
    record = copy.deepcopy(_TEMPLATE)
    record.update(card=card, kind=card, id=id or "")
    for key, value in overrides.items():
        *parents, last = key.split(".")
        target = record
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return record


def new_item(list_name: str) -> dict[str, Any]:
    """Return an empty item of one of the record's lists (people, contacts, …)."""
    f = SCHEMA[list_name]
    if f.kind != LIST:
        raise KeyError(list_name)
    return {k: _empty(c) for k, c in f.children.items()}
