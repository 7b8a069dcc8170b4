"""The policy's defaults (R3): every number and chain of the policy text, as data.

``policy.yaml`` in the archive overrides any of them; a key it leaves out takes its value from
here. The key order of a written ``policy.yaml`` is ``POLICY_ORDER``.
"""
from __future__ import annotations

import copy
import math
from typing import Any

from intranet.records.rulebook.zone import DEFAULT_ZONE

LEVELS = ("company", "department", "personal")
# Who acts in an approval step: the requester's department manager, a fixed role,
# or the file's custodian (whoever the level names).
STEP_ACTORS = ("requester_manager", "general_manager", "marketing_vp", "marketing_director",
               "department_manager", "custodian")
STEP_ACTIONS = ("sign", "approve", "release")
# When a step applies: always, or only when the requester's department is not the file's
# (R33: the marketing vice-president approves department-level reads across departments).
STEP_WHEN = ("always", "other_department", "same_department")
BREAK_GLASS_APPROVAL_DAYS = 3


def _chain(*approvers: dict[str, str]) -> list[dict[str, str]]:
    """Return R34's chain around a level's approvers (R33): manager signs, GM approves last."""
    return [{"by": "requester_manager", "action": "sign"}, *approvers,
            {"by": "general_manager", "action": "approve"}]

DEFAULT_POLICY: dict[str, Any] = {
    # R33. Readers are roles relative to the file: department_manager means the manager
    # of the file's custody.department, salesperson means the file's owner.
    "levels": {
        "company": {"custodian": "marketing_director",
                    "readers": ["marketing_director", "marketing_vp", "general_manager"]},
        "department": {"custodian": "department_manager", "readers": ["department_manager"]},
        "personal": {"custodian": "salesperson",
                     "readers": ["salesperson", "department_manager"]},
    },
    # R33 + R34: the requester's department manager signs, the level's approvers approve,
    # the general manager approves last. The custodian is told; ``release`` is there for an
    # office that wants the custodian to hand the file over as a last step.
    "approval_chain": {
        "company": _chain({"by": "marketing_director", "action": "approve"}),
        "department": _chain({"by": "department_manager", "action": "approve"},
                             {"by": "marketing_vp", "action": "approve",
                              "when": "other_department"}),
        "personal": _chain({"by": "department_manager", "action": "approve"}),
    },
    "max_grant_days": 30,
    # R20, R35: yuan per occurrence.
    "fines": {"late_update": 20, "unapproved_view": 50, "shared_account": 50,
              "currency": "CNY"},
    # R18: same day (0 days); R19: an incomplete file is improved at least monthly.
    "deadlines": {"contact_record_days": 0, "incomplete_file_days": 30},
    # R24
    # R24's standard: the first grade whose min_sales the last full year's sales reach, with
    # receivables no more than max_overdue_days overdue (no such criterion when absent).
    "grades": [
        {"code": "A", "min_sales": 10_000_000, "max_overdue_days": 30,
         "description": "重點客戶：銷售額大、信用佳，優先服務與資源"},
        {"code": "B", "min_sales": 3_000_000, "max_overdue_days": 60,
         "description": "主要客戶：交易穩定，具成長潛力"},
        {"code": "C", "min_sales": 500_000, "description": "一般客戶：交易量小或不定期"},
        {"code": "D", "min_sales": 0, "description": "觀察客戶：交易少或有信用疑慮，審慎往來"},
    ],
    # R28: limits in the fines' currency; None means no credit. ``days`` is the payment term
    # in days (overdue days are counted from the oldest due date); ``handling`` is the
    # grade's 交易業務信用處理辦法 (how credit problems are handled).
    "credit_grades": [
        {"code": "A", "limit": 1_000_000, "terms": "月結 60 天", "days": 60,
         "description": "信用優良",
         "handling": "逾期 30 天以上暫停出貨，由業務主管催收；逾期 60 天以上降級並重新評估額度"},
        {"code": "B", "limit": 500_000, "terms": "月結 30 天", "days": 30,
         "description": "信用良好",
         "handling": "逾期即電話催收；逾期 30 天以上暫停出貨，由業務主管與客戶協商還款"},
        {"code": "C", "limit": 100_000, "terms": "貨到付款", "days": 0,
         "description": "信用普通，需留意",
         "handling": "未付款不再出貨；超過額度須先收款，由營銷總監核准例外"},
        {"code": "D", "limit": 0, "terms": "款到發貨", "days": 0,
         "description": "信用不良：停止賒銷，追收欠款",
         "handling": "停止賒銷，款到發貨；欠款移交業務主管追收，必要時法律途徑"},
    ],
    # R33: the levels a file's department manager may move it between on the custody page
    # (the marketing director, the company level's custodian, may set any level).
    "custody_changes": {"manager_levels": ["personal", "department"]},
    # Who may open any file at once in an emergency, with the read audited.
    "break_glass_roles": ["general_manager", "marketing_director"],
    # R35: a break-glass read is approved after the fact through the level's chain within
    # this many working days (Mon-Fri, company time zone), or it is an unapproved read.
    "break_glass_approval_days": BREAK_GLASS_APPROVAL_DAYS,
    # R3: the roles that approve a proposed policy change before it takes effect.
    "policy_approvers": ["general_manager"],
    # R36: roles that read no customer file's contents, whatever the levels say.
    "no_contents_roles": ["hr"],
    # Reader tokens that name a relation to the file rather than a role.
    "relative_roles": {"department_manager": "file_department_manager",
                       "salesperson": "file_owner"},
    # R20, R35: roles that see the monthly audit reports (besides the company custodian).
    "hr_roles": ["hr"],
    # R20: entries from one address less than this apart are one window of activity.
    "shared_account_window_minutes": 30,
    # One company time zone (IANA name) for every date, month and deadline.
    "timezone": DEFAULT_ZONE,
    # R20: the roles a late record or a neglected file is fined on (銷售人員違反每次罰款20元);
    # a file received in a hand-over is not fined for this many days after it.
    "late_update_roles": ["salesperson"],
    "handover_grace_days": 30,
    # R16: the sales-power analysis table (客戶綜合銷售力分析表): each criterion is scored
    # from 0 to ``scale``; the weighted total is a percentage.
    "sales_power": {"scale": 5, "criteria": [
        {"key": "sales_capacity", "name": "銷售能力", "weight": 25},
        {"key": "development_potential", "name": "發展潛力", "weight": 20},
        {"key": "credit", "name": "信用狀況", "weight": 20},
        {"key": "cooperation", "name": "合作態度", "weight": 15},
        {"key": "management", "name": "經營管理", "weight": 10},
        {"key": "reputation", "name": "商譽形象", "weight": 10},
    ],
                    # R16 (issue 12): a file opened more than this many days ago with no
                    # assessment is a task for its custodian and shows in the discipline
                    # lists (listed, not fined).
                    "deadline_days": 30},
    # R4, R19: the fields a complete file fills in, per card (a list counts when it has an entry).
    "completeness": {
        "distributor": [
            "basic.name", "basic.legal_representative", "basic.address", "basic.postcode",
            "basic.phone", "basic.business_scope", "basic.registered_capital", "basic.founded",
            "basic.first_deal", "basic.organisation_form", "classification.industry",
            "classification.region", "grade", "credit.grade", "people",
            "characteristics.service_area", "characteristics.sales_capacity",
            "characteristics.development_potential", "business.sales_performance",
            "business.cooperation_attitude", "transactions.credit_status",
            "transactions.trade_terms", "yearly", "contacts"],
        "terminal": [
            "basic.name", "basic.legal_representative", "basic.address", "basic.phone",
            "basic.business_scope", "basic.organisation_form", "classification.industry",
            "classification.region", "classification.customer_type", "grade", "credit.grade",
            "people", "characteristics.employees", "characteristics.annual_sales",
            "characteristics.management_style", "business.cooperation_attitude",
            "transactions.future_plans", "transactions.credit_status", "contacts"],
    },
    # R31: an important (VIP or one of these grades) or promising (a prospect scoring at
    # least prospect_score in the sales-power table) customer needs this many staff contacts.
    # report_days: each of them files a contact report (聯系報告) at least this often.
    # viewers: roles that see the list for every department (managers see their own).
    "two_contacts": {"minimum": 2, "vip": True, "grades": ["A", "B"], "prospect_score": 70,
                     "report_days": 90,
                     "viewers": ["marketing_director", "marketing_vp", "general_manager"]},
    # R32: after a hand-over the customer is told within notify_days and the successor's first
    # contact is on the log within first_contact_days; overdue steps go to escalate_roles (the
    # department managers' manager) and HR. HR sees a leaver's reads and exports of the last
    # watch_days before they left.
    "departures": {"notify_days": 7, "first_contact_days": 14, "watch_days": 28,
                   "escalate_roles": ["marketing_vp"]},
    # R10: the customer's own data form: how long a link lasts and which fields it asks for.
    "customer_form": {"link_days": 14, "fields": [
        "basic.name", "basic.short_name", "basic.tax_id", "basic.legal_representative",
        "basic.address", "basic.postcode", "basic.phone", "basic.fax", "basic.email",
        "basic.website", "basic.business_scope", "basic.registered_capital", "basic.founded",
        "basic.organisation_form", "characteristics.employees",
        "characteristics.annual_sales", "characteristics.service_area"]},
    # R4 (issue 11): who may bring customers in from a spreadsheet: ``roles`` for every
    # department, ``department_roles`` only files kept in their own department.
    "imports": {"roles": ["marketing_director", "marketing_staff"],
                "department_roles": ["department_manager"]},
    # R4: who finds duplicate files and merges two files of one customer into one (they must
    # also be allowed to edit both files).
    "duplicates": {"roles": ["marketing_director", "marketing_staff"]},
    # R2, R23-R27 (issue 12): who sees the classification, grades, credit and yearly figures
    # of files they may not otherwise read, for the analyses (each such read is journalled):
    # ``company_roles`` every file, ``department_roles`` the files of their own department.
    # ``classify_roles`` edit classes and grades of every file (never contacts or people).
    "analysis": {"company_roles": ["general_manager", "marketing_vp", "marketing_director",
                                   "marketing_staff"],
                 "department_roles": ["department_manager"],
                 "classify_roles": ["marketing_director", "marketing_staff"]},
    # R28: a file's credit limit above its credit grade's, or terms other than the grade's,
    # is an exception: ``approval`` needs one of ``approvers`` (recorded in the file's
    # credit.approved_by/approved_on), ``refuse`` refuses it for everyone.
    "credit_exceptions": {"mode": "approval", "approvers": ["marketing_director"]},
    # R28: a file goes on the credit review list when its oldest receivable is more than
    # ``overdue_days`` past its due date, its receivables reach ``exposure_percent`` of its
    # limit, or they exceed the limit; any overdue day is a warning on the card.
    "credit_review": {"overdue_days": 30, "exposure_percent": 80},
    # R28: who brings in open receivables from the accounting package's sheet: ``roles`` for
    # every file they may edit, ``department_roles`` only their own department's files.
    "receivables_import": {"roles": ["marketing_director", "marketing_staff"],
                           "department_roles": ["department_manager"]},
    # R38 (每月1日對數據進行備份): the server backs the archive up at 00:00 company time on
    # ``day`` of every month and on ISO ``weekday`` (1 Monday … 7 Sunday; 0: no weekly
    # backup); it keeps ``keep_monthly`` monthly and ``keep_weekly`` weekly bundles, and the
    # administrator sees a banner when the newest verified backup is older than
    # ``max_age_days``.
    "backups": {"day": 1, "weekday": 7, "keep_monthly": 12, "keep_weekly": 8,
                "max_age_days": 8},
    # Issue 14: a contact entry's next_contact date becomes a reminder on the home page and
    # in the inbox ``notice_days`` before that day (the policy text sets no such notice: 0).
    "followups": {"notice_days": 0},
}

POLICY_ORDER: dict[str, Any] = {
    "levels": {level: {"custodian": None, "readers": None} for level in LEVELS},
    "approval_chain": {level: {"by": None, "action": None, "when": None} for level in LEVELS},
    "max_grant_days": None,
    "fines": {"late_update": None, "unapproved_view": None, "shared_account": None,
              "currency": None},
    "deadlines": {"contact_record_days": None, "incomplete_file_days": None},
    "grades": {"code": None, "min_sales": None, "max_overdue_days": None, "description": None},
    "credit_grades": {"code": None, "limit": None, "terms": None, "days": None,
                      "description": None, "handling": None},
    "custody_changes": {"manager_levels": None},
    "break_glass_roles": None,
    "break_glass_approval_days": None,
    "policy_approvers": None,
    "no_contents_roles": None,
    "relative_roles": None,
    "hr_roles": None,
    "shared_account_window_minutes": None,
    "timezone": None,
    "late_update_roles": None,
    "handover_grace_days": None,
    "sales_power": {"scale": None, "criteria": {"key": None, "name": None, "weight": None},
                    "deadline_days": None},
    "completeness": {"distributor": None, "terminal": None},
    "two_contacts": {"minimum": None, "vip": None, "grades": None, "prospect_score": None,
                     "report_days": None, "viewers": None},
    "departures": {"notify_days": None, "first_contact_days": None, "watch_days": None,
                   "escalate_roles": None},
    "customer_form": {"link_days": None, "fields": None},
    "imports": {"roles": None, "department_roles": None},
    "duplicates": {"roles": None},
    "analysis": {"company_roles": None, "department_roles": None, "classify_roles": None},
    "credit_exceptions": {"mode": None, "approvers": None},
    "credit_review": {"overdue_days": None, "exposure_percent": None},
    "receivables_import": {"roles": None, "department_roles": None},
    "backups": {"day": None, "weekday": None, "keep_monthly": None, "keep_weekly": None,
                "max_age_days": None},
    "followups": {"notice_days": None},
}


def with_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Return data with missing keys (recursively in mappings) taken from the defaults."""
    result = copy.deepcopy(data)
    for key, default in defaults.items():
        if key not in result or result[key] is None:
            result[key] = copy.deepcopy(default)
        elif isinstance(default, dict) and isinstance(result[key], dict):
            result[key] = with_defaults(result[key], default)
    return result


def is_number(value: Any) -> bool:
    """Tell whether a value is a finite int or float (not a bool)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
