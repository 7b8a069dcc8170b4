"""The first sales-power analysis every customer gets (R16, policy sales_power.deadline_days):
the policy key, the rule, the custodian's home page, the notice on the file and the discipline
list, on a real archive. "Today" is 2026-03-31 (the discipline tests' TODAY)."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.records.conduct import sales_power_due
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy, dump_policy, validate_policy

from .test_liable import set_policy
from .test_web_discipline import SECRET, TODAY, at, client_for, contact, make, text

CRITERIA = ("sales_capacity", "development_potential", "credit", "cooperation", "management",
            "reputation")


def test_the_policy_key_defaults_to_30_days_and_is_checked():
    assert DEFAULT_POLICY["sales_power"]["deadline_days"] == 30
    assert Policy().sales_power_deadline_days == 30
    assert Policy({"sales_power": {"deadline_days": 10}}).sales_power_deadline_days == 10
    for bad in (0, -1, "30", 1.5, True, 400):
        errors = validate_policy({"sales_power": {**DEFAULT_POLICY["sales_power"],
                                                  "deadline_days": bad}})
        assert [e.path for e in errors] == ["sales_power.deadline_days"], bad
    assert validate_policy(DEFAULT_POLICY) == []
    text_ = dump_policy(DEFAULT_POLICY).decode()
    assert text_.index("criteria:") < text_.index("deadline_days: 30")


def test_due_and_overdue_days_count_from_the_day_the_file_was_opened():
    policy = Policy()
    opened = date(2026, 2, 10)
    assert sales_power_due.due_on(opened, policy) == date(2026, 3, 12)
    assert sales_power_due.days_overdue(opened, date(2026, 3, 12), policy) == 0
    assert sales_power_due.days_overdue(opened, date(2026, 3, 13), policy) == 1
    rows = [{"customer": "C1", "opened_on": date(2026, 3, 20)},
            {"customer": "C2", "opened_on": opened}, {"customer": "C3", "opened_on": None}]
    found = sales_power_due.tasks(rows, date(2026, 3, 31), policy)
    assert [(r["customer"], r["overdue"]) for r in found] == [("C2", 19), ("C1", 0)]
    assert [r["customer"] for r in sales_power_due.tasks(rows, date(2026, 3, 31), policy,
                                                         overdue_only=True)] == ["C2"]


@pytest.fixture
def today(app, web):
    app.config["TODAY"] = TODAY
    return TODAY


def score(svc, customer: str, by: str = "wang.li") -> None:
    svc.files.amend(customer, lambda r, _s: {**r, "sales_power": {
        "scores": dict.fromkeys(CRITERIA, 3), "assessed_on": TODAY, "assessed_by": by,
        "notes": ""}}, by)


@pytest.fixture
def files(app, svc, today):
    """wang.li: one file opened 2026-02-10 (overdue), one opened 2026-03-20 (due 04-19), one
    scored; lin.sales2 (sales2): one overdue file."""
    old = make(svc, when=at("2026-02-10"), **{"basic.name": "老檔案未評"},
               contacts=[contact("2026-02-10", "2026-02-10", "wang.li")])
    new = make(svc, when=at("2026-03-20"), **{"basic.name": "新檔案未評"})
    done = make(svc, when=at("2026-01-05"), **{"basic.name": "已評檔案"})
    score(svc, done)
    other = make(svc, owner="lin.sales2", department="sales2", when=at("2026-02-01"),
                 **{"basic.name": "二部未評"})
    return {"old": old, "new": new, "done": done, "other": other}


def test_the_custodian_sees_the_analyses_to_make_on_the_home_page(app, files):
    page = text(client_for(app, "wang.li"), "/")
    home = page.split("Sales-power analyses to make")[1].split("</section>")[0]
    assert home.index(files["old"]) < home.index(files["new"])  # the most overdue first
    assert "Due on <time datetime=\"2026-03-12\">" in home and "19 days late" in home
    assert "2026-04-19" in home
    assert files["done"] not in home
    assert f'/customers/{files["old"]}#sales-power' in home
    chen = text(client_for(app, "chen.yu"), "/")
    assert "Sales-power analyses to make" not in chen


def test_the_file_asks_for_its_analysis_until_it_has_one(app, svc, files):
    wang = client_for(app, "wang.li")
    page = text(wang, f"/customers/{files['old']}")
    assert "No sales-power analysis yet: it was due on 2026-03-12, 19 days ago." in page
    assert 'href="#sales-power"' in page
    fresh = text(wang, f"/customers/{files['new']}")
    assert "This file needs its sales-power analysis by 2026-04-19." in fresh
    score(svc, files["old"])
    assert "No sales-power analysis yet" not in text(wang, f"/customers/{files['old']}")


def test_a_file_just_created_through_the_form_asks_for_it(app, svc, today):
    new = make(svc, when=at("2026-03-31"), **{"basic.name": "今天建立"})
    page = text(client_for(app, "wang.li"), f"/customers/{new}")
    assert "This file needs its sales-power analysis by 2026-04-30." in page


def test_the_discipline_lists_show_files_past_the_deadline_without_fines(app, svc, files):
    hr = text(client_for(app, "hr.chen"), "/discipline")
    section = hr.split('id="no-sales-power"')[1]
    assert files["old"] in section and files["other"] in section
    assert files["new"] not in section and files["done"] not in section
    assert "王立" in section and "2026-02-10" in section and ">19<" in section
    assert "Listed, not fined." in section and SECRET not in hr
    manager = text(client_for(app, "lee.mgr"), "/discipline").split('id="no-sales-power"')[1]
    assert files["old"] in manager and files["other"] not in manager
    other = text(client_for(app, "other.mgr"), "/discipline").split('id="no-sales-power"')[1]
    assert files["other"] in other and files["old"] not in other


def test_the_deadline_is_the_policys(app, svc, files):
    set_policy(svc.archive, **{"sales_power.deadline_days": 60})
    hr = text(client_for(app, "hr.chen"), "/discipline").split('id="no-sales-power"')[1]
    assert files["old"] not in hr and files["other"] not in hr
    home = text(client_for(app, "wang.li"), "/").split("Sales-power analyses to make")[1]
    home = home.split("</section>")[0]
    assert "Due on <time datetime=\"2026-04-11\">" in home and "days late" not in home
