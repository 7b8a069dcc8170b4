"""Completeness, two contacts, sales power, prospects, and the late-update lists through the
web layer on a real archive (R4, R16, R18–R20, R29–R31, R36). "Today" is the app's TODAY."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_item, new_record

from .conftest import csrf_token, git, sign_in
from .html_forms import read_form
from .test_completeness import full

TAIPEI = timezone(timedelta(hours=8))
TODAY = "2026-03-31"
PHONE = "(07)8765-4321"
SECRET = "董事長私下透露明年擴廠"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T10:00:00").replace(tzinfo=TAIPEI)


def contact(day: str, recorded: str, staff: str) -> dict:
    return {**new_item("contacts"), "date": day, "channel": "visit", "staff": staff,
            "summary": SECRET, "recorded_on": recorded}


def make(svc, owner="wang.li", department="sales", when=None, contacts=(), **fields) -> str:
    values = {"basic.name": f"{owner}的客戶", "basic.phone": PHONE, "basic.address": "高雄市",
              "classification.region": "南區", "custody.owner": owner,
              "custody.department": department, **fields}
    record = new_record("distributor", **values)
    record["contacts"] = list(contacts)
    return svc.files.create(record, owner, when=when)[0]


def client_for(app, username):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def today(app, web):
    app.config["TODAY"] = TODAY
    return TODAY


def text(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:1500]
    return response.get_data(as_text=True)


# -- the customer page ------------------------------------------------------------------------


def test_page_shows_completeness_and_what_is_missing(app, svc, today):
    customer = make(svc)
    page = text(client_for(app, "wang.li"), f"/customers/{customer}")
    assert 'customer-completeness" aria-labelledby' in page
    assert '<progress class="completeness-bar" value="' in page
    assert "Postcode" in page and "Legal representative" in page  # missing, by label
    whole = svc.files.create(full("distributor"), "wang.li")[0]
    page = text(client_for(app, "wang.li"), f"/customers/{whole}")
    assert "completeness-full" in page and 'value="100"' in page and "Missing" not in page


def test_two_contacts_warning_shows_until_a_second_contact_is_named(app, svc, today):
    customer = make(svc, grade="A", stage="active")
    wang = client_for(app, "wang.li")
    assert "customer-two-contacts" in text(wang, f"/customers/{customer}")

    def add_contact(record, _snapshot):
        record["custody"]["contacts"] = ["chen.yu"]
        return record

    svc.files.amend(customer, add_contact, "wang.li")
    assert "customer-two-contacts" not in text(wang, f"/customers/{customer}")
    plain = make(svc, grade="C", stage="active")
    assert "customer-two-contacts" not in text(wang, f"/customers/{plain}")


def test_vip_is_flagged_in_the_list_header_and_home(app, svc, today):
    customer = make(svc, vip=True, stage="active")
    wang = client_for(app, "wang.li")
    for url in ("/customers/", f"/customers/{customer}", "/"):
        assert "badge-vip" in text(wang, url), url
    # The VIP flag is a reason for two contacts too (policy two_contacts.vip).
    assert "customer-two-contacts" in text(wang, f"/customers/{customer}")


# -- sales power ------------------------------------------------------------------------------


def scores_form(client, customer):
    html = text(client, f"/customers/{customer}")
    action = f"/customers/{customer}/sales-power"
    return dict(read_form(html, action)), action


def test_an_editor_scores_a_customer_in_one_commit(app, svc, today):
    customer = make(svc)
    wang = client_for(app, "wang.li")
    fields, action = scores_form(wang, customer)
    assert "csrf_token" in fields and "score_credit" in fields
    fields.update(score_sales_capacity="5", score_development_potential="4", score_credit="3",
                  score_cooperation="2", score_management="1", score_reputation="",
                  notes="初評")
    response = wang.post(action, data=fields)
    assert response.status_code == 302
    repo = app.config["ARCHIVE_REPO"]
    log = git(repo, "log", "-1", "--format=%an%n%B")
    assert log.startswith("王立\n") and "Action: sales_power" in log
    raw = svc.archive.read(customer_path(customer)).decode()
    assert "sales_capacity: 5" in raw and "assessed_by: wang.li" in raw
    assert f"assessed_on: '{TODAY}'" in raw
    assert "reputation" not in yaml.safe_load(raw)["sales_power"]["scores"]  # left blank
    page = text(wang, f"/customers/{customer}")
    # (25*5 + 20*4 + 20*3 + 15*2 + 10*1) / 5 = 61
    assert "Sales-power analysis: 61 / 100" in page and "Not scored" in page


def test_scores_above_the_scale_are_refused_and_nothing_is_written(app, svc, today):
    customer = make(svc)
    wang = client_for(app, "wang.li")
    fields, action = scores_form(wang, customer)
    head = svc.archive.head()
    fields.update(score_credit="6")
    response = wang.post(action, data=fields, follow_redirects=True)
    assert "Enter a score from 0 to 5." in response.get_data(as_text=True)
    assert svc.archive.head() == head
    fields.pop("csrf_token")
    fields.update(score_credit="4")
    assert wang.post(action, data=fields).status_code == 400
    assert svc.archive.head() == head


def test_a_reader_who_may_not_edit_sees_no_form_and_may_not_post(app, svc, today):
    customer = make(svc)
    manager = client_for(app, "lee.mgr")  # reads his department's personal files, edits none
    page = text(manager, f"/customers/{customer}")
    assert "Sales-power analysis" in page and f"/customers/{customer}/sales-power" not in page
    head = svc.archive.head()
    token = csrf_token(manager, f"/customers/{customer}")  # the session's token, valid
    response = manager.post(f"/customers/{customer}/sales-power",
                            data={"csrf_token": token, "score_credit": "5"})
    assert response.status_code == 403  # refused on access, not on the token
    assert svc.archive.head() == head


def test_prospects_ranked_and_hidden_files_leave_no_score(app, svc, today):
    low = make(svc, **{"basic.name": "低分潛在客戶"})
    high = make(svc, **{"basic.name": "高分潛在客戶"})
    hidden = make(svc, owner="lin.sales2", department="sales2",
                  **{"basic.name": "別部門的潛在客戶"})
    for customer, value in ((low, 1), (high, 5), (hidden, 4)):
        svc.files.amend(customer, lambda r, _s, v=value: {
            **r, "sales_power": {"scores": {k: v for k in (
                "sales_capacity", "development_potential", "credit", "cooperation",
                "management", "reputation")}, "assessed_on": TODAY, "assessed_by": "wang.li",
                "notes": ""}}, "wang.li" if customer != hidden else "lin.sales2")
    page = text(client_for(app, "wang.li"), "/customers/prospects")
    assert page.index("高分潛在客戶") < page.index("低分潛在客戶")
    assert ">100<" in page and ">20<" in page
    assert "別部門的潛在客戶" not in page and hidden not in page and ">80<" not in page
    other = text(client_for(app, "lin.sales2"), "/customers/prospects")
    assert "別部門的潛在客戶" in other and ">80<" in other and "高分潛在客戶" not in other
    filtered = text(client_for(app, "wang.li"), "/customers/prospects?region=北區")
    assert "高分潛在客戶" not in filtered


# -- late records and neglected files ---------------------------------------------------------


@pytest.fixture
def lateness(app, svc, today):
    """wang.li: a contact recorded 3 days late in March and a file untouched since Jan 20;
    lin.sales2 (sales2): a late contact; chen.yu: a complete, untouched file (not neglected)."""
    late = make(svc, when=at("2026-03-05"),
                contacts=[contact("2026-03-02", "2026-03-05", "wang.li")])
    neglected = make(svc, when=at("2026-01-20"), **{"basic.name": "荒廢檔案"})
    other = make(svc, owner="lin.sales2", department="sales2", when=at("2026-03-10"),
                 contacts=[contact("2026-03-08", "2026-03-10", "lin.sales2")])
    whole = full("distributor")
    whole["custody"]["owner"] = "chen.yu"
    svc.files.create(whole, "chen.yu", when=at("2026-01-02"))
    return {"late": late, "neglected": neglected, "other": other}


def test_hr_sees_late_records_and_neglect_fines_without_contents(app, lateness):
    hr = client_for(app, "hr.chen")
    page = text(hr, "/hr/?month=2026-03")
    # Jan 20 + 30 days: fines due Feb 20 and Mar 22; in March one. wang.li: 1 late + 1 = 40.
    assert "Late records and neglected files" in page
    assert lateness["late"] in page and lateness["neglected"] in page and "荒廢檔案" in page
    assert "40 CNY" in page and "60 CNY" in page  # wang.li, and everyone's total
    assert "chen.yu" not in page.split("Late records and neglected files", 1)[1]
    for body in (page, text(hr, "/hr/wang.li?month=2026-03"),
                 text(hr, "/hr/export.csv?month=2026-03")):
        assert SECRET not in body and PHONE not in body and "高雄市" not in body
    rows = list(csv.reader(io.StringIO(text(hr, "/hr/export.csv?month=2026-03"))))
    header = rows[0]
    by_user = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert (by_user["wang.li"]["Late records"], by_user["wang.li"]["Neglected files"],
            by_user["wang.li"]["Fines"]) == ("1", "1", "40")
    assert by_user["lin.sales2"]["Late records"] == "1" and "chen.yu" not in by_user
    february = {row[1]: row for row in csv.reader(io.StringIO(
        text(hr, "/hr/export.csv?month=2026-02")))}
    assert february["wang.li"][9:11] == ["1", "20"]  # the neglect fine of Feb 20
    person = text(hr, "/hr/wang.li?month=2026-03")
    assert lateness["late"] in person and "2026-03-02 → 2026-03-05" in person


def test_a_changed_policy_changes_the_fines(app, svc, lateness):
    from intranet.records.rulebook.organisation import save_policy
    from intranet.records.rulebook.policy import Policy

    from .conftest import SYSTEM
    data = Policy(svc.files.rules(svc.archive.snapshot()).policy.data).data
    data["fines"]["late_update"] = 25
    data["deadlines"]["contact_record_days"] = 3
    save_policy(svc.archive, Policy(data).dump().decode(), SYSTEM)
    rows = list(csv.reader(io.StringIO(text(client_for(app, "hr.chen"),
                                            "/hr/export.csv?month=2026-03"))))
    by_user = {row[1]: row for row in rows[1:]}
    # Three days are now allowed: wang.li's contact is not late; the neglect fine is 25.
    assert by_user["wang.li"][8:11] == ["0", "1", "25"]
    assert "lin.sales2" not in by_user


def test_a_manager_sees_only_their_department(app, lateness):
    mine = text(client_for(app, "lee.mgr"), "/discipline?month=2026-03")
    assert "wang.li" in mine and lateness["late"] in mine
    assert "lin.sales2" not in mine and lateness["other"] not in mine
    theirs = text(client_for(app, "other.mgr"), "/discipline?month=2026-03")
    assert "lin.sales2" in theirs and "wang.li" not in theirs
    everyone = text(client_for(app, "hr.chen"), "/discipline?month=2026-03")
    assert "lin.sales2" in everyone and "wang.li" in everyone
    assert SECRET not in mine + theirs + everyone
    for username in ("wang.li", "gm", "info.wu"):
        assert client_for(app, username).get("/discipline").status_code == 403


def test_home_page_shows_what_is_overdue_for_me(app, lateness):
    home = text(client_for(app, "wang.li"), "/")
    assert "Overdue for me" in home
    assert f'href="/customers/{lateness["neglected"]}"' in home
    assert "40 days overdue" in home  # Jan 20 -> Mar 31 is 70 days, 30 allowed
    assert f'href="/customers/{lateness["late"]}"' in home
    assert "/discipline" not in home  # a salesperson has no department list
    chen = text(client_for(app, "chen.yu"), "/")
    assert lateness["neglected"] not in chen and "Overdue for me" not in chen
    assert "/discipline" in text(client_for(app, "lee.mgr"), "/")


def test_improving_a_file_keeps_the_fines_already_due(app, svc, lateness):
    def improve(record, _snapshot):
        record["basic"]["postcode"] = "800"
        return record

    svc.files.amend(lateness["neglected"], improve, "wang.li", when=at("2026-03-10"))
    hr = client_for(app, "hr.chen")
    february = {row[1]: row for row in csv.reader(io.StringIO(
        text(hr, "/hr/export.csv?month=2026-02")))}
    assert february["wang.li"][9:11] == ["1", "20"]  # Feb 20 stays due
    march = {row[1]: row for row in csv.reader(io.StringIO(
        text(hr, "/hr/export.csv?month=2026-03")))}
    assert march["wang.li"][8:11] == ["1", "0", "20"]  # improved before Mar 22
    home = text(client_for(app, "wang.li"), "/")
    assert "Overdue for me" in home and "days overdue" not in home


def test_scoring_a_damaged_file_says_so_and_writes_nothing(app, svc, today):
    from intranet.archive.repository import Change

    from .conftest import SYSTEM
    customer = make(svc)
    wang = client_for(app, "wang.li")
    fields, action = scores_form(wang, customer)
    svc.archive.commit(lambda _s: Change({customer_path(customer): b"id: [broken\n"},
                                         "hand edit"), SYSTEM)
    head = svc.archive.head()
    fields.update(score_credit="4")
    response = wang.post(action, data=fields, follow_redirects=True)
    assert response.status_code == 200
    assert "The file in the archive is damaged" in response.get_data(as_text=True)
    assert svc.archive.head() == head
