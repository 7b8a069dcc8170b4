"""Recognise a spreadsheet's column headings and suggest the field each column fills.

Offices name their columns in Traditional or Simplified Chinese or in English, with spaces,
full-width letters, brackets and "*" marks for required columns. A heading is compared in a
folded form (NFKC, case-folded, Simplified = Traditional, spaces and punctuation dropped), so
the table below needs each synonym once.
"""

from __future__ import annotations

import hashlib
import re

from ..index.text import fold as _fold_text
from ..records.files.messages import N_

# Target key -> label msgid, in the order the mapping drop-down lists them.
from ..records.files.schema import LABELS

_SCHEMA_TARGETS = (
    "basic.name", "basic.short_name", "basic.tax_id", "basic.legal_representative",
    "basic.registered_capital", "basic.founded", "basic.first_deal", "basic.phone", "basic.fax",
    "basic.address", "basic.postcode", "basic.email", "basic.website", "basic.business_scope",
    "classification.industry", "classification.region", "classification.customer_type",
    "grade", "credit.grade", "credit.limit", "card", "stage", "notes",
)
TARGETS: dict[str, str] = {key: LABELS[key] for key in _SCHEMA_TARGETS}
TARGETS.update({
    "people.name": N_("Contact person"),
    "people.title": N_("Contact person's title"),
    "people.phone": N_("Contact person's phone"),
    "people.email": N_("Contact person's email"),
    "custodian": N_("Custodian (salesperson)"),
})

# Each target's headings. Simplified spellings fold to the same key as Traditional ones, and
# are listed where an office might write them, for the reader of this table.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "basic.name": ("客戶名稱", "公司名稱", "名稱", "客户名称", "公司名称", "公司", "客戶",
                   "客戶全名", "公司全名", "廠商名稱", "廠商", "企業名稱", "單位名稱", "Company",
                   "Company name", "Customer", "Customer name", "Name", "Account name"),
    "basic.short_name": ("簡稱", "公司簡稱", "客戶簡稱", "简称", "Short name", "Abbreviation"),
    "basic.tax_id": ("統一編號", "統編", "營利事業統一編號", "统一编号", "统编", "統一編號(統編)",
                     "統一證號", "Tax ID", "Tax number", "VAT", "VAT number", "VAT ID", "UBN",
                     "Unified business number", "Business ID"),
    "basic.legal_representative": ("負責人", "董事長", "代表人", "法定代表人", "法人代表",
                                   "公司負責人", "负责人", "董事长", "Legal representative",
                                   "Representative", "Chairman"),
    "basic.registered_capital": ("資本額", "實收資本額", "註冊資本", "資本", "註冊資本額",
                                 "實收資本", "资本额", "实收资本额", "注册资本", "Capital",
                                 "Registered capital", "Paid-in capital"),
    "basic.founded": ("設立日期", "成立日期", "創立日期", "成立時間", "設立時間", "核准設立日期",
                      "设立日期", "成立日期", "Founded", "Date founded", "Established",
                      "Incorporation date", "Founding date"),
    "basic.first_deal": ("首次交易日期", "首次交易", "開始往來日期", "往來日期", "初次交易日期",
                         "首次往來日期", "First deal", "First order", "Customer since"),
    "basic.phone": ("電話", "總機電話", "公司電話", "總機", "聯絡電話", "電話號碼", "电话",
                    "總機號碼", "Tel", "Telephone", "Phone", "Phone number"),
    "basic.fax": ("傳真", "傳真機號碼", "傳真號碼", "公司傳真", "传真", "Fax", "Fax number"),
    "basic.address": ("地址", "住址", "公司地址", "通訊地址", "營業地址", "登記地址", "联系地址",
                      "Address", "Company address"),
    "basic.postcode": ("郵遞區號", "郵編", "邮编", "邮政编码", "郵政編碼", "Postcode",
                       "Zip", "Zip code", "Postal code"),
    "basic.email": ("電子郵件", "電子郵件信箱", "電子信箱", "信箱", "公司信箱", "郵件", "Email",
                    "E-mail", "Mail", "电子邮件", "邮箱"),
    "basic.website": ("網址", "網站", "公司網址", "公司網站", "网站", "网址", "Website", "Web",
                      "URL", "Homepage", "Web site"),
    "basic.business_scope": ("營業項目", "經營範圍", "主要業務", "營業範圍", "主要產品", "经营范围",
                             "Business scope", "Products"),
    "classification.industry": ("產業", "產業別", "行業", "行業別", "產業類別", "行业", "Industry",
                                "Sector"),
    "classification.region": ("地區", "區域", "地区", "区域", "縣市", "Region", "Area"),
    "classification.customer_type": ("客戶類型", "客户类型", "客戶性質", "Customer type"),
    "grade": ("等級", "客戶等級", "等级", "客户等级", "客戶分級", "級別", "Grade", "Rating",
              "Customer grade"),
    "credit.grade": ("信用等級", "信用等级", "信用評等", "信用評級", "Credit grade",
                     "Credit rating"),
    "credit.limit": ("信用額度", "額度", "信用额度", "授信額度", "Credit limit"),
    "card": ("檔案卡", "卡別", "卡片", "卡片類別", "經銷或終端", "經銷/終端", "Card"),
    "stage": ("階段", "客戶階段", "狀態", "客戶狀態", "往來狀態", "阶段", "状态", "Stage",
              "Status"),
    "notes": ("備註", "備考", "说明", "說明", "备注", "附註", "Notes", "Note", "Remarks", "Remark",
              "Memo", "Comments"),
    "people.name": ("聯絡人", "聯絡人姓名", "联系人", "窗口", "聯絡窗口", "連絡人", "Contact",
                    "Contact person", "Contact name"),
    "people.title": ("職稱", "聯絡人職稱", "职称", "職位", "Title", "Job title", "Position"),
    "people.phone": ("聯絡人電話", "聯絡人手機", "手機", "行動電話", "手机", "联系人电话",
                     "Mobile", "Cell phone", "Contact phone"),
    "people.email": ("聯絡人Email", "聯絡人電子郵件", "聯絡人信箱", "联系人邮箱",
                     "Contact email"),
    "custodian": ("業務員", "業務", "負責業務", "承辦人", "業務代表", "業務人員", "負責業務員",
                  "負責業務人員", "經辦人", "业务员", "业务", "负责业务", "承办人", "Sales",
                  "Salesperson", "Sales rep", "Sales representative", "Account manager",
                  "Account owner"),
}

_DROP = re.compile(r"[\s\W_]+")
# "客戶地址", "公司負責人": a prefix that names whose field it is, tried when nothing matched.
_PREFIXES = tuple(_fold_text(p) for p in ("客戶", "公司", "customer", "company"))
_BRACKETED = re.compile(r"[(\[（【〔][^)\]）】〕]*[)\]）】〕]")


def fold(heading: str) -> str:
    """Return a heading in the form synonyms are compared in."""
    return _DROP.sub("", _fold_text(heading))


_LOOKUP: dict[str, str] = {}
for _target, _names in SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(fold(_name), _target)


def target_of(heading: str) -> str:
    """Return the target a single heading names, or "" when it is not recognised."""
    if not isinstance(heading, str) or not heading.strip():
        return ""
    key = fold(heading)
    found = _LOOKUP.get(key)
    if found is None:
        # "客戶名稱(全名)", "電話【公司】": the words outside the brackets name the column.
        outside = fold(_BRACKETED.sub("", heading))
        found = _LOOKUP.get(outside) if outside else None
        key = outside or key
    if found is None:
        for prefix in _PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                found = _LOOKUP.get(key[len(prefix):])
                if found:
                    break
    return found or ""


def suggest(headings: list[str]) -> list[str]:
    """Return per column the target it most likely fills, or "" to ignore it; each target once."""
    taken: set[str] = set()
    result = []
    for heading in headings:
        target = target_of(heading)
        if target in taken:
            target = ""
        if target:
            taken.add(target)
        result.append(target)
    return result


def recognised(headings: list[str]) -> int:
    """Count the headings that name a field (used to find the header row)."""
    return sum(1 for heading in headings if target_of(heading))


def heading_set_key(headings: list[str]) -> str:
    """Return a stable key for a set of headings, to remember a user's mapping for it."""
    folded = [fold(h) for h in headings if isinstance(h, str) and fold(h)]
    return hashlib.sha1("\x1f".join(folded).encode("utf-8")).hexdigest()
