"""Check a policy document before it is saved (R3): access, grades, credit, every section."""
from __future__ import annotations

import math
import re
from typing import Any

from intranet.records.files.messages import N_, FieldError
from intranet.records.files.schema import CARDS, field_at
from intranet.records.rulebook.policy_defaults import (
    DEFAULT_POLICY,
    LEVELS,
    STEP_ACTIONS,
    STEP_ACTORS,
    STEP_WHEN,
    is_number,
    with_defaults,
)
from intranet.records.rulebook.staff import ROLES
from intranet.records.rulebook.zone import is_zone

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _whole(value: Any, low: int, high: int) -> bool:
    """Tell whether a value is an int (not a bool) within [low, high]."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _paths(value: Any, where: str) -> list[FieldError]:
    """Return an error unless value lists record fields by their dotted paths."""
    if not isinstance(value, list) or not value:
        return [FieldError(where, N_("List at least one field, e.g. basic.phone"), {})]
    return [FieldError(f"{where}[{i}]", N_("{path} is not a field of a customer file"),
                       {"path": str(p)})
            for i, p in enumerate(value) if not isinstance(p, str) or field_at(p) is None]


def _roles(value: Any, where: str, roles: tuple[str, ...]) -> list[FieldError]:
    if isinstance(value, list) and all(isinstance(r, str) and r in roles for r in value):
        return []
    return [FieldError(where, N_("List roles from: {choices}"), {"choices": ", ".join(roles)})]


def _sales_power(section: Any) -> list[FieldError]:
    if not isinstance(section, dict):
        return [FieldError("sales_power", N_("Expected a group of fields here"), {})]
    errors: list[FieldError] = []
    if not _whole(section.get("scale"), 1, 100):
        errors.append(FieldError("sales_power.scale", N_("Enter a whole number from 1 to 100"),
                                 {}))
    criteria = section.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        return [*errors, FieldError("sales_power.criteria", N_("List at least one criterion"),
                                    {})]
    seen: set[str] = set()
    for i, c in enumerate(criteria):
        where = f"sales_power.criteria[{i}]"
        if not isinstance(c, dict):
            errors.append(FieldError(where, N_("Expected a group of fields here"), {}))
            continue
        key = c.get("key")
        if not isinstance(key, str) or not _KEY.match(key) or key in seen:
            errors.append(FieldError(f"{where}.key", N_(
                "A criterion key is unique, lower-case letters, digits and _"), {}))
        seen.add(str(key))
        if not isinstance(c.get("name"), str) or not c["name"].strip():
            errors.append(FieldError(f"{where}.name", N_("Required"), {}))
        weight = c.get("weight")
        if not (isinstance(weight, (int, float)) and not isinstance(weight, bool)
                and math.isfinite(weight) and weight > 0):
            errors.append(FieldError(f"{where}.weight", N_("Enter a weight above 0"), {}))
    return errors


def _fines_and_zone(d: dict[str, Any], roles: tuple[str, ...]) -> list[FieldError]:
    """Return the problems of the time zone and of who late-update fines fall on (R20)."""
    errors = [] if is_zone(d.get("timezone")) else [FieldError("timezone", N_(
        "Enter a time zone by its IANA name, e.g. Asia/Taipei"), {})]
    errors += _roles(d.get("late_update_roles"), "late_update_roles", roles)
    if not _whole(d.get("handover_grace_days"), 0, 366):
        errors.append(FieldError("handover_grace_days", N_(
            "Enter a whole number of days from 0 to 366"), {}))
    return errors


def check_sections(d: dict[str, Any], roles: tuple[str, ...]) -> list[FieldError]:
    """Return the problems of the policy's non-access sections (defaults already filled in)."""
    errors = _sales_power(d.get("sales_power"))
    for key in ("no_contents_roles", "hr_roles"):
        errors += _roles(d.get(key), key, roles)
    duplicates = d.get("duplicates")
    errors += _roles(duplicates.get("roles") if isinstance(duplicates, dict) else None,
                     "duplicates.roles", roles)
    if not _whole(d.get("shared_account_window_minutes"), 1, 24 * 60):
        errors.append(FieldError("shared_account_window_minutes", N_(
            "Enter a whole number of minutes from 1 to 1440"), {}))
    errors += _fines_and_zone(d, roles)
    if "break_glass_hours" in d and not _whole(d["break_glass_hours"], 1, 72):
        errors.append(FieldError("break_glass_hours", N_(
            "Enter a whole number of hours from 1 to 72"), {}))
    if "handover_task_days" in d and not _whole(d["handover_task_days"], 1, 365):
        errors.append(FieldError("handover_task_days", N_(
            "Enter a whole number of days from 1 to 365"), {}))
    completeness = d.get("completeness")
    if not isinstance(completeness, dict):
        errors.append(FieldError("completeness", N_("Expected a group of fields here"), {}))
    else:
        for card in CARDS:
            errors += _paths(completeness.get(card), f"completeness.{card}")
    two = d.get("two_contacts")
    if not isinstance(two, dict):
        errors.append(FieldError("two_contacts", N_("Expected a group of fields here"), {}))
    else:
        if not _whole(two.get("minimum"), 1, 10):
            errors.append(FieldError("two_contacts.minimum", N_(
                "Enter a whole number from 1 to 10"), {}))
        if not isinstance(two.get("vip"), bool):
            errors.append(FieldError("two_contacts.vip", N_("Enter true or false"), {}))
        if not isinstance(two.get("grades"), list) \
                or not all(isinstance(g, str) for g in two["grades"]):
            errors.append(FieldError("two_contacts.grades", N_("List grade codes, e.g. [A]"),
                                     {}))
        if not _whole(two.get("prospect_score"), 0, 100):
            errors.append(FieldError("two_contacts.prospect_score", N_(
                "Enter a whole number from 0 to 100"), {}))
        if not _whole(two.get("report_days"), 1, 3650):
            errors.append(FieldError("two_contacts.report_days", N_(
                "Enter a whole number of days from 1 to 3650"), {}))
        errors += _roles(two.get("viewers"), "two_contacts.viewers", roles)
    errors += _departures(d.get("departures"), roles)
    followups = d.get("followups")
    if not isinstance(followups, dict) or not _whole(followups.get("notice_days"), 0, 90):
        errors.append(FieldError("followups.notice_days", N_(
            "Enter a whole number of days from 0 to 90"), {}))
    form = d.get("customer_form")
    if not isinstance(form, dict):
        errors.append(FieldError("customer_form", N_("Expected a group of fields here"), {}))
    else:
        if not _whole(form.get("link_days"), 1, 90):
            errors.append(FieldError("customer_form.link_days", N_(
                "Enter a whole number of days from 1 to 90"), {}))
        errors += _paths(form.get("fields"), "customer_form.fields")
    imports = d.get("imports")
    if not isinstance(imports, dict):
        errors.append(FieldError("imports", N_("Expected a group of fields here"), {}))
    else:
        for key in ("roles", "department_roles"):
            errors += _roles(imports.get(key), f"imports.{key}", roles)
    analysis = d.get("analysis")
    if not isinstance(analysis, dict):
        errors.append(FieldError("analysis", N_("Expected a group of fields here"), {}))
    else:
        for key in ("company_roles", "department_roles", "classify_roles"):
            errors += _roles(analysis.get(key), f"analysis.{key}", roles)
    errors += _credit(d, roles)
    errors += _sales_power_deadline(d.get("sales_power"))
    errors += _backups(d.get("backups"))
    return errors


def _backups(section: Any) -> list[FieldError]:
    """Return the problems of the backup schedule and retention (R38)."""
    if not isinstance(section, dict):
        return [FieldError("backups", N_("Expected a group of fields here"), {})]
    errors: list[FieldError] = []
    limits = {"day": (1, 28, N_("Enter a day of the month from 1 to 28")),
              "weekday": (0, 7, N_("Enter 1 (Monday) to 7 (Sunday), or 0 for no weekly "
                                   "backup")),
              "keep_monthly": (0, 1200, N_("Enter a whole number from 0 to 1200")),
              "keep_weekly": (0, 520, N_("Enter a whole number from 0 to 520")),
              "max_age_days": (1, 366, N_("Enter a whole number of days from 1 to 366"))}
    for key, (low, high, message) in limits.items():
        if not _whole(section.get(key), low, high):
            errors.append(FieldError(f"backups.{key}", message, {}))
    if errors:
        return errors
    # The banner must not cry wolf between two scheduled backups: a week (or a month, with
    # no weekly backup) plus the day the scheduled run may take to come round.
    gap = 7 if section["weekday"] else 31
    if section["max_age_days"] < gap + 1:
        errors.append(FieldError("backups.max_age_days", N_(
            "At least {days} days: the longest gap between two scheduled backups and a day"),
            {"days": gap + 1}))
    if section["keep_monthly"] + section["keep_weekly"] < 1:
        errors.append(FieldError("backups.keep_monthly", N_(
            "Keep at least one scheduled backup"), {}))
    return errors


def _departures(value: Any, roles: tuple[str, ...]) -> list[FieldError]:
    """Return the problems of the hand-over deadlines (R32)."""
    if not isinstance(value, dict):
        return [FieldError("departures", N_("Expected a group of fields here"), {})]
    errors = [FieldError(f"departures.{key}", N_("Enter a whole number of days from 1 to 365"),
                         {}) for key in ("notify_days", "first_contact_days", "watch_days")
              if not _whole(value.get(key), 1, 365)]
    return errors + _roles(value.get("escalate_roles"), "departures.escalate_roles", roles)


def _credit(d: dict[str, Any], roles: tuple[str, ...]) -> list[FieldError]:
    """Return the problems of the credit sections: exceptions, review, receivables (R28)."""
    errors: list[FieldError] = []
    section = d.get("credit_exceptions")
    if not isinstance(section, dict):
        errors.append(FieldError("credit_exceptions", N_("Expected a group of fields here"),
                                 {}))
    else:
        if section.get("mode") not in ("approval", "refuse"):
            errors.append(FieldError("credit_exceptions.mode", N_("Must be one of: {choices}"),
                                     {"choices": "approval, refuse"}))
        errors += _roles(section.get("approvers"), "credit_exceptions.approvers", roles)
    review = d.get("credit_review")
    if not isinstance(review, dict):
        errors.append(FieldError("credit_review", N_("Expected a group of fields here"), {}))
    else:
        if not _whole(review.get("overdue_days"), 0, 3650):
            errors.append(FieldError("credit_review.overdue_days", N_(
                "Enter a whole number of days from 0 to 3650"), {}))
        percent = review.get("exposure_percent")
        if not (isinstance(percent, (int, float)) and not isinstance(percent, bool)
                and math.isfinite(percent) and 0 < percent <= 1000):
            errors.append(FieldError("credit_review.exposure_percent", N_(
                "Enter a percentage from 1 to 1000"), {}))
    imports = d.get("receivables_import")
    if not isinstance(imports, dict):
        errors.append(FieldError("receivables_import", N_("Expected a group of fields here"),
                                 {}))
    else:
        for key in ("roles", "department_roles"):
            errors += _roles(imports.get(key), f"receivables_import.{key}", roles)
    return errors


def _sales_power_deadline(section: Any) -> list[FieldError]:
    """Return the problems of ``sales_power.deadline_days`` (R16, issue 12)."""
    if isinstance(section, dict) and not _whole(section.get("deadline_days"), 1, 366):
        return [FieldError("sales_power.deadline_days", N_(
            "Enter a whole number of days from 1 to 366"), {})]
    return []


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
            if limit is not None and (not is_number(limit) or limit < 0):
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
    if least is not None and (not is_number(least) or least < 0):
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
    d = with_defaults(data, DEFAULT_POLICY)
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
        if not is_number(fine) or fine < 0:
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
