"""Keep the policy's numbers and chains as data (R3): a read-only view with its defaults.

The defaults are in ``policy_defaults.py``, the checks of a policy document in
``policy_checks.py``; both are re-exported here, where the rest of the product looks.
"""
from __future__ import annotations

import copy
from typing import Any

from intranet.records.files import yamlio
from intranet.records.rulebook.policy_checks import validate_policy  # noqa: F401 - re-exported
from intranet.records.rulebook.policy_defaults import (  # noqa: F401 - re-exported
    BREAK_GLASS_APPROVAL_DAYS,
    DEFAULT_POLICY,
    LEVELS,
    POLICY_ORDER,
    STEP_ACTIONS,
    STEP_ACTORS,
    STEP_WHEN,
    is_number,
    with_defaults,
)
from intranet.records.rulebook.zone import zone_name


class Policy:
    """Read-only view of policy.yaml with the policy text's defaults filling any gap."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        """Merge the given policy document over the defaults."""
        self.data = with_defaults(data or {}, DEFAULT_POLICY)

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
                and is_number(g.get("min_sales"))]

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
        return (int(days) if is_number(days) else 30,
                float(percent) if is_number(percent) else 80.0)

    @property
    def receivables_import_roles(self) -> tuple[list[str], list[str]]:
        """Return who imports receivables: (roles for every file, roles for their department)."""
        section = self.data.get("receivables_import") or {}
        return (list(section.get("roles") or []), list(section.get("department_roles") or []))

    @property
    def sales_power_deadline_days(self) -> int:
        """Return the days a new file has to get its sales-power analysis (R16)."""
        return int(self.data["sales_power"].get("deadline_days", 30))

    @property
    def backups(self) -> dict[str, int]:
        """Return the backup schedule and retention: day, weekday, keep_*, max_age_days (R38)."""
        section = self.data.get("backups")
        section = section if isinstance(section, dict) else {}
        defaults = DEFAULT_POLICY["backups"]
        return {key: int(section[key]) if is_number(section.get(key)) else int(default)
                for key, default in defaults.items()}


    @property
    def followup_notice_days(self) -> int:
        """Return how many days before a planned next contact its reminder shows."""
        section = self.data.get("followups")
        value = section.get("notice_days") if isinstance(section, dict) else None
        return int(value) if is_number(value) and value >= 0 else \
            int(DEFAULT_POLICY["followups"]["notice_days"])


def dump_policy(data: dict[str, Any]) -> bytes:
    """Return the canonical bytes of a policy document."""
    return yamlio.dump(data, POLICY_ORDER)
