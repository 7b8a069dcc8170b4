"""Keep the policy's numbers and chains as data (R3): defaults, accessors, validation."""
from __future__ import annotations

import copy
import math
import re
from typing import Any

from intranet.records import yamlio
from intranet.records.policy_checks import check_sections
from intranet.records.schema import N_
from intranet.records.staff import ROLES
from intranet.records.validate import FieldError
from intranet.records.zone import DEFAULT_ZONE, zone_name

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
}


def _with_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Return data with missing keys (recursively in mappings) taken from the defaults."""
    result = copy.deepcopy(data)
    for key, default in defaults.items():
        if key not in result or result[key] is None:
            result[key] = copy.deepcopy(default)
        elif isinstance(default, dict) and isinstance(result[key], dict):
            result[key] = _with_defaults(result[key], default)
    return result


class Policy:
    """Read-only view of policy.yaml with the policy text's defaults filling any gap."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        """Merge the given policy document over the defaults."""
        self.data = _with_defaults(data or {}, DEFAULT_POLICY)

    @classmethod
    def load(cls, raw: bytes | str, path: str = "policy.yaml") -> Policy:
        """Parse policy.yaml (CorruptRecord if unreadable)."""
        return cls(yamlio.load(raw, path))

    def dump(self) -> bytes:
        """Return the canonical bytes of this policy."""
        return dump_policy(self.data)

    @property
    def grades(self) -> list[str]:
        """Return the customer grade codes in order (R24)."""
        return [str(g["code"]) for g in self.data["grades"]]

    def grade_description(self, code: str) -> str:
        """Return the description of a customer grade, or ""."""
        return next((g.get("description", "") for g in self.data["grades"]
                     if g["code"] == code), "")

    @property
    def credit_grades(self) -> list[str]:
        """Return the credit grade codes in order (R28)."""
        return [str(g["code"]) for g in self.data["credit_grades"]]

    def credit_grade(self, code: str) -> dict[str, Any] | None:
        """Return a credit grade's entry (limit, terms, description), or None."""
        return next((dict(g) for g in self.data["credit_grades"] if g["code"] == code), None)

    @property
    def levels(self) -> dict[str, dict[str, Any]]:
        """Return the confidentiality levels (R33)."""
        return dict(self.data["levels"])

    def custodian_role(self, level: str) -> str:
        """Return the role that keeps files of a level."""
        return str(self.data["levels"][level]["custodian"])

    def readers(self, level: str) -> list[str]:
        """Return the roles that read files of a level without asking."""
        return list(self.data["levels"][level]["readers"])

    def approval_chain(self, level: str) -> list[dict[str, str]]:
        """Return the steps of an access request for a file of a level (R34)."""
        return copy.deepcopy(self.data["approval_chain"][level])

    @property
    def max_grant_days(self) -> int:
        """Return the longest an access grant may last."""
        return int(self.data["max_grant_days"])

    def fine(self, kind: str) -> float:
        """Return the fine for late_update, unapproved_view or shared_account."""
        return self.data["fines"][kind]

    @property
    def currency(self) -> str:
        """Return the currency the fines are in."""
        return str(self.data["fines"]["currency"])

    @property
    def contact_record_days(self) -> int:
        """Return the days allowed to record a contact (0 = the same day, R18)."""
        return int(self.data["deadlines"]["contact_record_days"])

    @property
    def incomplete_file_days(self) -> int:
        """Return the days within which an incomplete file must be improved (R19)."""
        return int(self.data["deadlines"]["incomplete_file_days"])

    @property
    def custody_manager_levels(self) -> list[str]:
        """Return the levels a department manager may set on the custody page (R33)."""
        levels = (self.data.get("custody_changes") or {}).get("manager_levels") or []
        return [str(level) for level in levels if level in LEVELS]

    @property
    def break_glass_roles(self) -> list[str]:
        """Return the roles that may open any file in an emergency."""
        return list(self.data["break_glass_roles"])

    @property
    def break_glass_approval_days(self) -> int:
        """Return the working days within which a break-glass read must be approved (R35)."""
        return int(self.data["break_glass_approval_days"])

    @property
    def policy_approvers(self) -> list[str]:
        """Return the roles that approve a proposed policy change (R3)."""
        return list(self.data["policy_approvers"])

    @property
    def timezone(self) -> str:
        """Return the company's time zone name (policy key ``timezone``)."""
        return zone_name(self.data)

    @property
    def sales_power_scale(self) -> int:
        """Return the highest score of one sales-power criterion (R16)."""
        return int(self.data["sales_power"]["scale"])

    @property
    def sales_power_criteria(self) -> list[dict[str, Any]]:
        """Return the sales-power criteria: key, name, weight (R16)."""
        return copy.deepcopy(self.data["sales_power"]["criteria"])

    def completeness_fields(self, card: str) -> list[str]:
        """Return the dotted paths a complete file of a card fills in (R4, R19)."""
        return list(self.data["completeness"].get(card) or [])

    @property
    def two_contacts(self) -> dict[str, Any]:
        """Return when a customer needs several staff contacts and how many (R31)."""
        return copy.deepcopy(self.data["two_contacts"])

    @property
    def customer_form_days(self) -> int:
        """Return how many days a customer-form link stays valid (R10)."""
        return int(self.data["customer_form"]["link_days"])

    @property
    def import_roles(self) -> tuple[list[str], list[str]]:
        """Return who may import: (roles for every department, roles for their own only)."""
        section = self.data.get("imports") or {}
        return (list(section.get("roles") or []), list(section.get("department_roles") or []))

    @property
    def duplicate_roles(self) -> list[str]:
        """Return the roles that see the duplicate finder and merge files (R4)."""
        section = self.data.get("duplicates")
        roles = section.get("roles") if isinstance(section, dict) else None
        return [str(r) for r in roles] if isinstance(roles, list) else []

    def _analysis_roles(self, key: str) -> frozenset[str]:
        section = self.data.get("analysis")
        roles = section.get(key) if isinstance(section, dict) else None
        return frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset()

    @property
    def analysis_company_roles(self) -> frozenset[str]:
        """Return the roles that see every file's figures for the analyses (R2, R25-R27)."""
        return self._analysis_roles("company_roles")

    @property
    def analysis_department_roles(self) -> frozenset[str]:
        """Return the roles that see the figures of their own department's files."""
        return self._analysis_roles("department_roles")

    @property
    def classify_roles(self) -> frozenset[str]:
        """Return the roles that edit every file's classes and grades (R2, R23, R24)."""
        return self._analysis_roles("classify_roles")

    def grade_standards(self) -> list[dict[str, Any]]:
        """Return the grades that have a standard (min_sales), in policy order (R24)."""
        return [dict(g) for g in self.data["grades"] if isinstance(g, dict)
                and _is_number(g.get("min_sales"))]

    @property
    def customer_form_fields(self) -> list[str]:
        """Return the dotted paths the customer's own data form asks for (R10)."""
        return list(self.data["customer_form"]["fields"])

    @property
    def credit_exception_mode(self) -> str:
        """Return how a credit exception is treated: "approval" or "refuse" (R28)."""
        section = self.data.get("credit_exceptions")
        mode = section.get("mode") if isinstance(section, dict) else None
        return "refuse" if mode == "refuse" else "approval"

    @property
    def credit_approvers(self) -> frozenset[str]:
        """Return the roles that approve a credit exception in approval mode (R28)."""
        section = self.data.get("credit_exceptions")
        roles = section.get("approvers") if isinstance(section, dict) else None
        return frozenset(str(r) for r in roles) if isinstance(roles, list) else frozenset()

    @property
    def credit_review(self) -> tuple[int, float]:
        """Return the review thresholds: (overdue days, exposure percent) (R28)."""
        section = self.data.get("credit_review")
        section = section if isinstance(section, dict) else {}
        days, percent = section.get("overdue_days"), section.get("exposure_percent")
        return (int(days) if _is_number(days) else 30,
                float(percent) if _is_number(percent) else 80.0)

    @property
    def receivables_import_roles(self) -> tuple[list[str], list[str]]:
        """Return who imports receivables: (roles for every file, roles for their department)."""
        section = self.data.get("receivables_import") or {}
        return (list(section.get("roles") or []), list(section.get("department_roles") or []))

    @property
    def sales_power_deadline_days(self) -> int:
        """Return the days a new file has to get its sales-power analysis (R16)."""
        return int(self.data["sales_power"].get("deadline_days", 30))


def dump_policy(data: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a policy document."""
    return yamlio.dump(data, POLICY_ORDER)


def _is_number(value: Any) -> bool:
    """Tell whether a value is a finite int or float (not a bool)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _check_grades(data: Any, path: str, credit: bool) -> list[FieldError]:
    """Return the problems of a grade table."""
    if not isinstance(data, list) or not data:
        return [FieldError(path, N_("List at least one grade"), {})]
    errors: list[FieldError] = []
    seen: set[str] = set()
    for i, g in enumerate(data):
        where = f"{path}[{i}]"
        if not isinstance(g, dict):
            errors.append(FieldError(where, N_("Expected a group of fields here"), {}))
            continue
        code = g.get("code")
        if not isinstance(code, str) or not re.match(r"^[A-Za-z0-9+-]{1,3}$", code):
            errors.append(FieldError(f"{where}.code", N_(
                "A grade code is 1 to 3 letters or digits, e.g. A"), {}))
        elif code in seen:
            errors.append(FieldError(f"{where}.code", N_("The grade {code} is listed twice"),
                                     {"code": code}))
        seen.add(str(code))
        if not isinstance(g.get("description", ""), str):
            errors.append(FieldError(f"{where}.description", N_("Expected text here"), {}))
        if not credit:
            errors += _check_standard(g, where)
        if credit:
            limit = g.get("limit")
            if limit is not None and (not _is_number(limit) or limit < 0):
                errors.append(FieldError(f"{where}.limit", N_(
                    "Enter an amount as a number, e.g. 1500000"), {}))
            if not isinstance(g.get("terms", ""), str):
                errors.append(FieldError(f"{where}.terms", N_("Expected text here"), {}))
            days = g.get("days")
            if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                                     or not 0 <= days <= 3650):
                errors.append(FieldError(f"{where}.days", N_(
                    "Enter a whole number of days from 0 to 3650"), {}))
            if not isinstance(g.get("handling", ""), str):
                errors.append(FieldError(f"{where}.handling", N_("Expected text here"), {}))
    return errors


def _check_standard(g: dict[str, Any], where: str) -> list[FieldError]:
    """Return the problems of a grade's standard: min_sales and max_overdue_days (R24)."""
    errors: list[FieldError] = []
    least = g.get("min_sales")
    if least is not None and (not _is_number(least) or least < 0):
        errors.append(FieldError(f"{where}.min_sales", N_(
            "Enter an amount as a number, e.g. 1500000"), {}))
    days = g.get("max_overdue_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
        errors.append(FieldError(f"{where}.max_overdue_days", N_(
            "Enter a whole number of days, 0 or more"), {}))
    return errors


def _check_roles(value: Any, path: str, allowed: tuple[str, ...]) -> list[FieldError]:
    """Return an error unless value is a list of allowed role names."""
    if isinstance(value, list) and all(isinstance(r, str) and r in allowed for r in value):
        return []
    return [FieldError(path, N_("List roles from: {choices}"), {"choices": ", ".join(allowed)})]


def _check_chain(chain: list[Any], where: str) -> list[FieldError]:
    """Return the problems of one level's approval chain (by, action, when)."""
    errors: list[FieldError] = []
    for i, step in enumerate(chain):
        if not isinstance(step, dict) or step.get("by") not in STEP_ACTORS:
            errors.append(FieldError(f"{where}[{i}].by", N_("Must be one of: {choices}"),
                                     {"choices": ", ".join(STEP_ACTORS)}))
            continue
        if step.get("action") not in STEP_ACTIONS:
            errors.append(FieldError(f"{where}[{i}].action", N_(
                "Must be one of: {choices}"), {"choices": ", ".join(STEP_ACTIONS)}))
        if step.get("when", "always") not in STEP_WHEN:
            errors.append(FieldError(f"{where}[{i}].when", N_(
                "Must be one of: {choices}"), {"choices": ", ".join(STEP_WHEN)}))
        unknown = sorted(set(step) - {"by", "action", "when"}, key=str)
        if unknown:
            errors.append(FieldError(f"{where}[{i}].{unknown[0]}", N_(
                "Must be one of: {choices}"), {"choices": "by, action, when"}))
    # R34: an access request is decided by someone's approval, not by signatures alone.
    if chain and all(isinstance(s, dict) for s in chain) \
            and not any(s.get("action") in ("approve", "release") for s in chain):
        errors.append(FieldError(where, N_("List at least one approval step"), {}))
    return errors


def validate_policy(data: dict[str, Any]) -> list[FieldError]:
    """Return every problem of a policy document (missing keys fall back to defaults)."""
    if not isinstance(data, dict):
        return [FieldError("", N_("The policy must be a mapping of settings"), {})]
    d = _with_defaults(data, DEFAULT_POLICY)
    errors: list[FieldError] = []
    roles = tuple(ROLES)
    for level in LEVELS:
        entry = d["levels"].get(level)
        if not isinstance(entry, dict):
            errors.append(FieldError(f"levels.{level}", N_("Expected a group of fields here"),
                                     {}))
            continue
        if entry.get("custodian") not in roles:
            errors.append(FieldError(f"levels.{level}.custodian", N_(
                "Must be one of: {choices}"), {"choices": ", ".join(roles)}))
        errors += _check_roles(entry.get("readers"), f"levels.{level}.readers", roles)
        chain = d["approval_chain"].get(level)
        where = f"approval_chain.{level}"
        if not isinstance(chain, list) or not chain:
            errors.append(FieldError(where, N_("List at least one approval step"), {}))
            continue
        errors += _check_chain(chain, where)
    days = d["max_grant_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
        errors.append(FieldError("max_grant_days", N_("Enter a whole number of days from 1 "
                                                      "to 366"), {}))
    for kind in ("late_update", "unapproved_view", "shared_account"):
        fine = d["fines"].get(kind)
        if not _is_number(fine) or fine < 0:
            errors.append(FieldError(f"fines.{kind}", N_(
                "Enter an amount as a number, e.g. 1500000"), {}))
    currency = d["fines"].get("currency")
    if not isinstance(currency, str) or not re.match(r"^[A-Z]{3}$", currency):
        errors.append(FieldError("fines.currency", N_(
            "Enter a three-letter currency code, e.g. CNY or TWD"), {}))
    for key in ("contact_record_days", "incomplete_file_days"):
        value = d["deadlines"].get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append(FieldError(f"deadlines.{key}", N_(
                "Enter a whole number of days, 0 or more"), {}))
    errors += _check_grades(d["grades"], "grades", credit=False)
    errors += _check_grades(d["credit_grades"], "credit_grades", credit=True)
    errors += _check_roles(d["break_glass_roles"], "break_glass_roles", roles)
    days = d["break_glass_approval_days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
        errors.append(FieldError("break_glass_approval_days", N_(
            "Enter a whole number of days from 1 to 30"), {}))
    approvers = d["policy_approvers"]
    errors += _check_roles(approvers, "policy_approvers", roles)
    if approvers == []:
        errors.append(FieldError("policy_approvers", N_("List roles from: {choices}"),
                                 {"choices": ", ".join(roles)}))
    manager_levels = (d.get("custody_changes") or {}).get("manager_levels") \
        if isinstance(d.get("custody_changes"), dict) else None
    if not isinstance(manager_levels, list) or any(lv not in LEVELS for lv in manager_levels):
        errors.append(FieldError("custody_changes.manager_levels", N_(
            "Must be one of: {choices}"), {"choices": ", ".join(LEVELS)}))
    return errors + check_sections(d, roles)
