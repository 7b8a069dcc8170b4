"""Describe every policy key for the labelled policy form (R3): label, unit, help, input kind.

One ``Setting`` per key of ``DEFAULT_POLICY`` (a mapping's keys one by one; a list is one
setting, a list of mappings a small table). The form's inputs are named by the dotted path of
their key (a table's cells ``grades[1].min_sales``), which is also the path ``validate_policy``
reports a problem at, so each problem lands next to its input. Labels and help are English
msgids (translated in the views); ``quote`` is the policy text's own sentence, kept as written.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from intranet.records.files.schema import N_
from intranet.records.rulebook.policy_defaults import (
    DEFAULT_POLICY,
    LEVELS,
    STEP_ACTIONS,
    STEP_ACTORS,
    STEP_WHEN,
    with_defaults,
)
from intranet.records.rulebook.staff import ROLES

# Input kinds: int/number/text (one input), choice (a select), roles/levels/grades (a list
# of checkboxes), bool (one checkbox), paths (one field path a line), table (rows of
# columns), fixed (shown, not edited: only the expert view changes it).
KINDS = ("int", "number", "text", "choice", "roles", "levels", "grades", "bool", "paths",
         "table", "fixed")


@dataclass(frozen=True)
class Column:
    """One column of a table setting: its key, label and kind (blank ``optional`` drops it)."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[Any, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class Setting:
    """One policy key as the form shows it."""

    path: str
    kind: str
    label: str
    section: str
    unit: str = ""
    help: str = ""
    rule: str = ""
    quote: str = ""
    low: int | None = None
    high: int | None = None
    choices: tuple[Any, ...] = ()
    columns: tuple[Column, ...] = ()


SECTIONS = (
    ("access", N_("Access to the files")),
    ("discipline", N_("Deadlines and fines")),
    ("grades", N_("Grades and credit")),
    ("files", N_("Customer files")),
    ("system", N_("System")),
)
DAYS, MINUTES, PERCENT = N_("days"), N_("minutes"), "%"  # "%" is no msgid: gettext formats it
_LEVEL = {"company": N_("Company level"), "department": N_("Department level"),
          "personal": N_("Personal level")}
_CHAIN = (Column("by", N_("Who"), "choice", STEP_ACTORS),
          Column("action", N_("Does"), "choice", STEP_ACTIONS),
          Column("when", N_("When"), "choice", STEP_WHEN, optional=True))


def _level_settings() -> list[Setting]:
    out: list[Setting] = []
    for level in LEVELS:
        out += [
            Setting(f"levels.{level}.custodian", "choice", N_("Custodian"), "access",
                    help=_LEVEL[level], rule="R33", choices=tuple(ROLES)),
            Setting(f"levels.{level}.readers", "roles", N_("Readers without asking"), "access",
                    help=_LEVEL[level], rule="R33"),
            Setting(f"approval_chain.{level}", "table", N_("Approval chain"), "access",
                    help=_LEVEL[level], rule="R34", columns=_CHAIN,
                    quote="經本部門經理簽字，總經理批準后，檔案管理負責人才可以讓其查閱"),
        ]
    return out


def _s(path: str, kind: str, label: str, section: str, **kw: Any) -> Setting:
    return Setting(path, kind, label, section, **kw)


SETTINGS: tuple[Setting, ...] = (
    *_level_settings(),
    _s("max_grant_days", "int", N_("Longest access grant"), "access", unit=DAYS, low=1,
       high=366, rule="R34"),
    _s("custody_changes.manager_levels", "levels", N_("Levels a department manager may set"),
       "access", rule="R33"),
    _s("break_glass_roles", "roles", N_("Who may open any file in an emergency"), "access",
       rule="R35"),
    _s("break_glass_approval_days", "int", N_("Approve an emergency read within"), "access",
       unit=N_("working days"), low=1, high=30, rule="R35"),
    _s("policy_approvers", "roles", N_("Who approves a policy change"), "access", rule="R3",
       quote="經總經理批準頒行"),
    _s("no_contents_roles", "roles", N_("Roles that read no file's contents"), "access",
       rule="R36"),
    _s("relative_roles", "fixed", N_("Reader words that mean a relation to the file"),
       "access", rule="R33", help=N_("Changed only in the expert view.")),
    _s("fines.late_update", "number", N_("Fine for a late update"), "discipline",
       unit="fines.currency", rule="R20", quote="客戶檔案不及時更新，銷售人員違反每次罰款20元"),
    _s("fines.unapproved_view", "number", N_("Fine for a read without approval"),
       "discipline", unit="fines.currency", rule="R35",
       quote="未經審批私自查看客戶檔案，每次處50元罰款"),
    _s("fines.shared_account", "number", N_("Fine for sharing an account"), "discipline",
       unit="fines.currency", rule="R35",
       quote="擅自將客戶檔案賬號提供給人查閱，每次處50元罰款"),
    _s("fines.currency", "text", N_("Currency of the fines"), "discipline", rule="R20",
       help=N_("Three letters, e.g. CNY or TWD")),
    _s("deadlines.contact_record_days", "int", N_("Record a contact within"), "discipline",
       unit=DAYS, low=0, rule="R18", help=N_("0 means the same day"),
       quote="銷售人員接待或拜訪客戶后，當天登陸客戶管理系統填寫或完善客戶檔案"),
    _s("deadlines.incomplete_file_days", "int", N_("Improve an incomplete file every"),
       "discipline", unit=DAYS, low=0, rule="R19", quote="每月最少完善一次"),
    _s("late_update_roles", "roles", N_("Roles fined for late updates"), "discipline",
       rule="R20"),
    _s("handover_grace_days", "int", N_("No late fine after a hand-over for"), "discipline",
       unit=DAYS, low=0, high=366, rule="R20"),
    _s("hr_roles", "roles", N_("Roles that see the audit reports"), "discipline", rule="R20",
       quote="人力資源部為本制度的監督、處罰部門"),
    _s("shared_account_window_minutes", "int", N_("One window of activity"), "discipline",
       unit=MINUTES, low=1, high=1440, rule="R20"),
    _s("departures.notify_days", "int", N_("Tell the customer of a hand-over within"),
       "discipline", unit=DAYS, low=1, high=365, rule="R32"),
    _s("departures.first_contact_days", "int", N_("Successor's first contact within"),
       "discipline", unit=DAYS, low=1, high=365, rule="R32"),
    _s("departures.watch_days", "int", N_("HR watches a leaver's last"), "discipline",
       unit=DAYS, low=1, high=365, rule="R32"),
    _s("departures.escalate_roles", "roles", N_("Overdue hand-over steps go to"),
       "discipline", rule="R32"),
    _s("grades", "table", N_("Customer grades"), "grades", rule="R24",
       help=N_("The first grade whose minimum sales the last full year reaches."),
       columns=(Column("code", N_("Code")), Column("min_sales", N_("Minimum sales"), "number"),
                Column("max_overdue_days", N_("Most days overdue"), "int", optional=True),
                Column("description", N_("Description")))),
    _s("credit_grades", "table", N_("Credit grades"), "grades", rule="R28",
       help=N_("A blank limit means no credit."),
       quote="確定對不同客戶的交易條件、信用限度額和交易業務信用處理辦法",
       columns=(Column("code", N_("Code")),
                Column("limit", N_("Credit limit"), "number", optional=True),
                Column("terms", N_("Terms")), Column("days", N_("Payment days"), "int"),
                Column("description", N_("Description")),
                Column("handling", N_("Handling of credit problems")))),
    _s("credit_exceptions.mode", "choice", N_("A credit exception"), "grades", rule="R28",
       choices=("approval", "refuse")),
    _s("credit_exceptions.approvers", "roles", N_("Who approves a credit exception"),
       "grades", rule="R28"),
    _s("credit_review.overdue_days", "int", N_("Review credit when overdue more than"),
       "grades", unit=DAYS, low=0, rule="R28"),
    _s("credit_review.exposure_percent", "number", N_("Review credit when receivables reach"),
       "grades", unit=PERCENT, low=0, rule="R28", help=N_("of the credit limit")),
    _s("receivables_import.roles", "roles", N_("Who imports receivables for every file"),
       "grades", rule="R28"),
    _s("receivables_import.department_roles", "roles",
       N_("Who imports receivables for their own department"), "grades", rule="R28"),
    _s("completeness.distributor", "paths", N_("Fields of a complete distributor file"),
       "files", rule="R19", help=N_("One field path a line, e.g. basic.phone")),
    _s("completeness.terminal", "paths", N_("Fields of a complete terminal-customer file"),
       "files", rule="R19", help=N_("One field path a line, e.g. basic.phone")),
    _s("sales_power.scale", "int", N_("Highest score of a criterion"), "files", low=1,
       high=100, rule="R16"),
    _s("sales_power.criteria", "table", N_("Sales-power criteria"), "files", rule="R16",
       columns=(Column("key", N_("Key")), Column("name", N_("Name")),
                Column("weight", N_("Weight"), "number"))),
    _s("sales_power.deadline_days", "int", N_("Assess a new file within"), "files",
       unit=DAYS, low=1, rule="R16"),
    _s("two_contacts.minimum", "int", N_("Staff contacts of an important customer"),
       "files", low=1, high=10, rule="R31"),
    _s("two_contacts.vip", "bool", N_("A VIP customer is important"), "files", rule="R31"),
    _s("two_contacts.grades", "grades", N_("Grades that make a customer important"), "files",
       rule="R31"),
    _s("two_contacts.prospect_score", "int", N_("A prospect is promising from"), "files",
       unit=PERCENT, low=0, high=100, rule="R31"),
    _s("two_contacts.report_days", "int", N_("Each contact reports at least every"),
       "files", unit=DAYS, low=1, high=3650, rule="R31"),
    _s("two_contacts.viewers", "roles", N_("Who sees every department's list"), "files",
       rule="R31"),
    _s("followups.notice_days", "int", N_("Show a planned contact in the inbox before its day"),
       "files", unit=DAYS, low=0, high=90, rule="R14",
       help=N_("0: from the planned day itself")),
    _s("customer_form.link_days", "int", N_("A customer-form link lasts"), "files",
       unit=DAYS, low=1, high=90, rule="R10"),
    _s("customer_form.fields", "paths", N_("Fields the customer's own form asks for"),
       "files", rule="R10", help=N_("One field path a line, e.g. basic.phone")),
    _s("imports.roles", "roles", N_("Who imports customers for every department"), "files",
       rule="R4"),
    _s("imports.department_roles", "roles", N_("Who imports customers for their department"),
       "files", rule="R4"),
    _s("duplicates.roles", "roles", N_("Who finds and merges duplicate files"), "files",
       rule="R4"),
    _s("analysis.company_roles", "roles", N_("Who sees every file's figures"), "files",
       rule="R2"),
    _s("analysis.department_roles", "roles", N_("Who sees their department's figures"),
       "files", rule="R2"),
    _s("analysis.classify_roles", "roles", N_("Who edits every file's classes and grades"),
       "files", rule="R23"),
    _s("timezone", "text", N_("Company time zone"), "system",
       help=N_("Enter a time zone by its IANA name, e.g. Asia/Taipei")),
    _s("backups.day", "int", N_("Monthly backup on day"), "system", low=1, high=28,
       rule="R38", quote="每月1日對數據進行備份"),
    _s("backups.weekday", "choice", N_("Weekly backup on"), "system", rule="R38",
       choices=tuple(range(8))),
    _s("backups.keep_monthly", "int", N_("Monthly backups kept"), "system", low=0,
       high=1200, rule="R38"),
    _s("backups.keep_weekly", "int", N_("Weekly backups kept"), "system", low=0, high=520,
       rule="R38"),
    _s("backups.max_age_days", "int", N_("Warn when the newest backup is older than"),
       "system", unit=DAYS, low=1, high=366, rule="R38"),
)
BY_PATH = {s.path: s for s in SETTINGS}
_INDEX = re.compile(r"\[(\d+)\]$")
_CELL = re.compile(r"^(?P<table>[a-z_.]+)\[(?P<row>\d+)\]\.(?P<column>[a-z_]+)$")


def leaf_paths(data: dict[str, Any], prefix: str = "") -> list[str]:
    """Return the dotted paths of a policy's settings: a mapping's keys, a list as one."""
    paths: list[str] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in BY_PATH:
            paths += leaf_paths(value, f"{path}.")
        else:
            paths.append(path)
    return paths


def get(data: dict[str, Any], path: str) -> Any:
    """Return the value at a dotted path, or None."""
    value: Any = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}
        data = data[part]
    data[parts[-1]] = value


def _scalar(text: str, kind: str) -> Any:
    """Return a typed value, or the text itself for validate_policy to refuse in its words."""
    text = text.strip()
    if kind in ("int", "number") and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def _choice(text: str, choices: tuple[Any, ...]) -> Any:
    return next((c for c in choices if str(c) == text), text)


def _rows(setting: Setting, form: Callable[[str], str], count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(count):
        cells = {c.key: form(f"{setting.path}[{i}].{c.key}").strip() for c in setting.columns}
        if not any(cells.values()):
            continue  # a blank row: the spare row left empty, or a row the user cleared
        row: dict[str, Any] = {}
        for column in setting.columns:
            text = cells[column.key]
            if column.optional and not text:
                if column.kind == "number" and setting.path == "credit_grades":
                    row[column.key] = None  # R28: a blank limit is "no credit"
                continue
            row[column.key] = _choice(text, column.choices) if column.choices \
                else _scalar(text, column.kind)
        rows.append(row)
    return rows


def row_count(setting: Setting, names: Iterable[str]) -> int:
    """Return how many rows of a table the form sent (the highest row index plus one)."""
    prefix = f"{setting.path}["
    found = [int(n[len(prefix):].split("]", 1)[0]) for n in names
             if n.startswith(prefix) and n[len(prefix):].split("]", 1)[0].isdigit()]
    return max(found, default=-1) + 1


def read_form(current: dict[str, Any], form: Callable[[str], str],
              form_list: Callable[[str], list[str]], names: Iterable[str]) -> dict[str, Any]:
    """Return the policy document the form asks for, from the document in force.

    Only settings whose value differs from the one in force (defaults filled in) are written,
    so a key the file leaves to the policy text's default stays out of it. A check-box group
    sends a blank hidden input, so an empty group is told from one the form did not show.
    """
    names = set(names)
    effective = with_defaults(current, DEFAULT_POLICY)
    data = copy.deepcopy(current)
    for setting in SETTINGS:
        value: Any
        rows = row_count(setting, names) if setting.kind == "table" else 0
        if setting.kind == "fixed" or (setting.path not in names and not rows):
            continue  # not on the form that was sent (an older page): keep the value in force
        if setting.kind == "table":
            value = _rows(setting, form, rows)
        elif setting.kind in ("roles", "levels", "grades"):
            value = [v for v in form_list(setting.path) if v]
        elif setting.kind == "bool":
            value = any(form_list(setting.path))
        elif setting.kind == "paths":
            value = [p for p in re.split(r"[\s,，、]+", form(setting.path)) if p]
        elif setting.kind == "choice":
            value = _choice(form(setting.path).strip(), setting.choices)
        else:
            value = _scalar(form(setting.path), setting.kind)
        if value != get(effective, setting.path):
            _put(data, setting.path, value)
    return data


def field_of(path: str) -> str:
    """Return the form input (or table, or "") a problem reported at ``path`` belongs next to."""
    cell = _CELL.match(path)
    if cell and cell["table"] in BY_PATH and any(
            c.key == cell["column"] for c in BY_PATH[cell["table"]].columns):
        return path
    while path:
        if path in BY_PATH:
            return path
        stripped = _INDEX.sub("", path)
        path = stripped if stripped != path else path.rpartition(".")[0]
    return ""


def sections() -> list[tuple[str, str, list[Setting]]]:
    """Return the form's sections in order: key, label msgid, settings."""
    return [(key, label, [s for s in SETTINGS if s.section == key]) for key, label in SECTIONS]
