"""Contact log, events and yearly figures through the web: the quick-add forms on the customer
page (read from the served HTML and posted back), refused input (400 and the message), the CSV
import, R15's reports page for the custodian's department, and the source of every change."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from intranet.records.files import entries
from intranet.records.files.customers import customer_path

from .conftest import git, sign_in
from .html_forms import read_form
from .test_web_customers import make, send

TODAY = "2026-11-26"


@pytest.fixture
def web_today(app, web):
    app.config["TODAY"] = TODAY
    return web


def client_as(web, username: str):
    web.delete_cookie("session")
    assert sign_in(web, username).status_code == 302
    web.set_cookie("lang", "en")
    return web


def get(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response.get_data(as_text=True)


def post_form(client, page_url: str, action: str, changes: dict, status: int = 302,
              button: str = "submit"):
    html = get(client, page_url)
    response = send(client, html, action, changes, button=button)
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def journal(app) -> list[dict]:
    path = Path(app.config["AUDIT_JOURNAL"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def head(repo) -> str:
    return git(repo, "rev-parse", "main").strip()


def record(svc, customer_id):
    return svc.files.load(customer_id).record


# --- the contact log ---------------------------------------------------------------------------

def test_quick_add_a_contact_from_the_customer_page(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    page = f"/customers/{customer}"
    action = f"/customers/{customer}/contacts"
    html = get(client, page)
    assert f'action="{action}"' in html and f'value="{TODAY}"' in html  # today by default
    before = head(app.config["ARCHIVE_REPO"])
    response = post_form(client, page, action, {
        "date": "2026-11-25", "channel": "call", "summary": "確認報價",
        "report": "客戶要求十二月交貨", "source": "visit", "confidential": "y"})
    assert response.headers["Location"].endswith(f"/customers/{customer}#contact-log")
    repo = app.config["ARCHIVE_REPO"]
    commit = head(repo)
    assert git(repo, "rev-parse", f"{commit}^").strip() == before  # exactly one commit
    message = git(repo, "show", "-s", "--format=%an <%ae>%n%B", commit)
    assert message.startswith("王立 <wang.li@example.com>\n")
    assert "Action: contact\n" in message and "Source: visit\n" in message
    assert record(svc, customer)["contacts"] == [{
        "date": "2026-11-25", "channel": "call", "staff": "wang.li", "summary": "確認報價",
        "report": "客戶要求十二月交貨", "source": "visit", "confidential": True,
        "recorded_on": TODAY}]
    shown = get(client, page)
    assert "Added to the file." in shown
    log = shown[shown.index('id="contact-log"'):]
    assert all(x in log for x in ("確認報價", "客戶要求十二月交貨", "Call", "王立", "Sales visit",
                                  ">Confidential</span>"))


def test_contacts_are_listed_newest_first(app, web_today, svc):
    customer = make(svc)
    for when, text in [("2026-01-05", "最早"), ("2026-11-20", "最新"), ("2026-06-01", "中間")]:
        entries.add_contact(svc.files, customer, entries.contact_entry(
            when=when, channel="visit", staff="wang.li", summary=text,
            today=entries.date(2026, 11, 26)), "wang.li")
    html = get(client_as(web_today, "wang.li"), f"/customers/{customer}")
    assert html.index("最新") < html.index("中間") < html.index("最早")


@pytest.mark.parametrize(("changes", "message"), [
    ({"date": "2026-11-27"}, "This date is in the future"),
    ({"date": "2026-02-30"}, "Enter a real date as YYYY-MM-DD"),
    ({"summary": ""}, "Required"),
    ({"channel": "pigeon"}, "Choose a value from the list"),
])
def test_a_refused_contact_comes_back_with_its_message(app, web_today, svc, changes, message):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    before = head(app.config["ARCHIVE_REPO"])
    response = post_form(client, f"/customers/{customer}", f"/customers/{customer}/contacts",
                         {"date": "2026-11-20", "summary": "拜訪", **changes}, status=400)
    html = response.get_data(as_text=True)
    assert message in html and "Nothing was saved" in html
    assert 'class="invalid-feedback">' in html  # on the field itself
    assert "拜訪" in html or not changes.get("summary", "x")  # what was typed comes back
    assert head(app.config["ARCHIVE_REPO"]) == before


def test_without_csrf_nothing_is_written(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    before = head(app.config["ARCHIVE_REPO"])
    response = client.post(f"/customers/{customer}/contacts",
                           data={"date": "2026-11-20", "channel": "visit", "summary": "x",
                                 "source": "visit"})
    assert response.status_code == 400
    assert head(app.config["ARCHIVE_REPO"]) == before


def test_who_may_not_edit_sees_no_form_and_cannot_post(app, web_today, svc):
    customer = make(svc, **{"custody.level": "department"})
    client = client_as(web_today, "lee.mgr")  # reads the department's files, edits none
    html = get(client, f"/customers/{customer}")
    assert 'id="contact-log"' in html
    assert f'action="/customers/{customer}/contacts"' not in html
    assert f'action="/customers/{customer}/events"' not in html
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    before = head(app.config["ARCHIVE_REPO"])
    response = client.post(f"/customers/{customer}/contacts", data={
        "csrf_token": token, "date": "2026-11-20", "channel": "visit", "summary": "x",
        "source": "visit"})
    assert response.status_code == 403
    assert head(app.config["ARCHIVE_REPO"]) == before


def test_an_open_form_and_a_contact_lose_nothing(app, web_today, svc):
    """Someone edits the fax while a colleague records a contact: both are kept."""
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    editor = client_as(web_today, "wang.li")
    form_page = get(editor, f"/customers/{customer}/edit")
    other = app.test_client()
    assert sign_in(other, "chen.yu").status_code == 302
    post_form(other, f"/customers/{customer}", f"/customers/{customer}/contacts",
              {"date": "2026-11-24", "summary": "陳宇的拜訪"})
    response = send(editor, form_page, f"/customers/{customer}/edit",
                    {"basic.fax": "(02)2531-7000"})
    assert response.status_code == 302
    saved = record(svc, customer)
    assert saved["basic"]["fax"] == "(02)2531-7000"
    assert [(c["staff"], c["summary"]) for c in saved["contacts"]] == [("chen.yu", "陳宇的拜訪")]


def test_a_successors_contact_closes_their_task(app, web_today, svc):
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    loaded = svc.files.load(customer)
    svc.files.save(customer, loaded.record | {"tasks": [{
        "kind": "introduce_successor", "assignee": "chen.yu", "summary": "介紹新負責人",
        "from_staff": "lin.sales2", "created_on": "2026-11-20", "due_on": "2026-11-27",
        "done_on": ""}]}, loaded.commit, "director")
    client = client_as(web_today, "chen.yu")
    post_form(client, f"/customers/{customer}", f"/customers/{customer}/contacts",
              {"date": "2026-11-25", "summary": "電話介紹自己"})
    assert record(svc, customer)["tasks"][0]["done_on"] == "2026-11-25"


# --- R15: the department reads the reports that are not confidential ---------------------------

@pytest.fixture
def reported(svc):
    """A personal file of wang.li (department sales) with an open and a confidential report."""
    customer = make(svc, **{"basic.phone": "(02)8765-4321", "notes": "內部備註不外流"})
    for text, secret in [("季度拜訪報告公開", False), ("價格底線機密", True)]:
        entries.add_contact(svc.files, customer, entries.contact_entry(
            when="2026-11-20", channel="visit", staff="wang.li", summary=text,
            report=text + "內容", confidential=secret, today=entries.date(2026, 11, 26)),
            "wang.li")
    return customer


def test_file_readers_see_every_entry(web_today, reported):
    for username in ("wang.li", "lee.mgr"):
        html = get(client_as(web_today, username), f"/customers/{reported}")
        assert "季度拜訪報告公開" in html and "價格底線機密" in html, username


def test_the_department_reads_only_open_reports(app, web_today, reported):
    client = client_as(web_today, "chen.yu")  # same department, may not read the file
    get(client, f"/customers/{reported}", status=403)
    before = len(journal(app))
    html = get(client, f"/customers/{reported}/reports")
    assert reported in html and "東方貿易" in html  # the catalogue card
    assert "季度拜訪報告公開" in html and "季度拜訪報告公開內容" in html
    for secret in ("價格底線機密", "8765", "內部備註不外流", "南京東路", "北區"):
        assert secret not in html, secret
    new = journal(app)[before:]
    assert [(e["user"], e["customer"], e["action"], e["allowed"], e["basis"]) for e in new] == \
        [("chen.yu", reported, "reports", True, "department")]
    get(client, f"/customers/{reported}/reports")
    assert [e["action"] for e in journal(app)[before:]] == ["reports", "reports"]


def test_the_hidden_page_offers_the_reports_to_the_department_only(web_today, reported):
    html = get(client_as(web_today, "chen.yu"), f"/customers/{reported}", status=403)
    assert f'href="/customers/{reported}/reports"' in html
    missing = get(web_today, "/customers/C999999", status=403)
    assert 'href="/customers/C999999/reports"' not in missing


def normalised(html: str, customer_id: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", html)
    return html.replace(customer_id, "ID")


def test_another_department_gets_the_page_of_a_missing_file(app, web_today, reported):
    client = client_as(web_today, "lin.sales2")
    before = len(journal(app))
    for path in ("", "/reports"):
        refused = get(client, f"/customers/{reported}{path}", status=403)
        missing = get(client, f"/customers/C999999{path}", status=403)
        assert normalised(refused, reported) == normalised(missing, "C999999")
        assert "季度拜訪報告公開" not in refused
        assert f'href="/customers/{reported}/reports"' not in refused
    refusals = [(e["customer"], e["action"], e["allowed"]) for e in journal(app)[before:]]
    assert (reported, "reports", False) in refusals


def test_hr_reads_no_reports(web_today, reported):
    get(client_as(web_today, "hr.chen"), f"/customers/{reported}/reports", status=403)


# --- events ------------------------------------------------------------------------------------

def test_add_an_event(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    html = get(client, f"/customers/{customer}")
    assert "New legal representative" in html  # kinds offered with their labels
    post_form(client, f"/customers/{customer}", f"/customers/{customer}/events",
              {"date": "2026-03", "kind": "capital", "summary": "增資至五千萬",
               "source": "agency"})
    message = git(app.config["ARCHIVE_REPO"], "show", "-s", "--format=%B", "main")
    assert "Action: event\n" in message and "Source: agency\n" in message
    assert record(svc, customer)["events"] == [
        {"date": "2026-03", "kind": "capital", "summary": "增資至五千萬", "source": "agency",
         "recorded_by": "wang.li"}]
    shown = get(client, f"/customers/{customer}")
    events = shown[shown.index('id="events"'):]
    assert "Capital change" in events and "增資至五千萬" in events and "Research agency" in events


def test_the_event_kind_starts_at_please_choose(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    html = get(client, f"/customers/{customer}")
    select = re.search(r'<select[^>]*name="kind"[^>]*>(.*?)</select>', html, re.S).group(1)
    first = re.search(r"<option([^>]*)>([^<]*)</option>", select)
    assert 'value=""' in first.group(1) and "selected" in first.group(1)
    assert first.group(2) == "Please choose…"
    assert "selected" not in select[first.end():]  # not 法定代表人變更 or any other kind
    before = head(app.config["ARCHIVE_REPO"])
    response = post_form(client, f"/customers/{customer}", f"/customers/{customer}/events",
                         {"date": "2025", "summary": "搬遷"}, status=400)
    assert "Choose the kind of event" in response.get_data(as_text=True)
    assert head(app.config["ARCHIVE_REPO"]) == before


@pytest.mark.parametrize(("changes", "message"), [
    ({"date": "2026-13"}, "Enter a year, a month or a date"),
    ({"date": "2027"}, "This date is in the future"),
    ({"summary": " "}, "Required"),
    ({"kind": "wedding"}, "Choose a value from the list"),
])
def test_a_refused_event(app, web_today, svc, changes, message):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    before = head(app.config["ARCHIVE_REPO"])
    response = post_form(client, f"/customers/{customer}", f"/customers/{customer}/events",
                         {"date": "2025", "summary": "搬遷", **changes}, status=400)
    assert message in response.get_data(as_text=True)
    assert head(app.config["ARCHIVE_REPO"]) == before


# --- yearly figures ----------------------------------------------------------------------------

def test_enter_a_year_with_several_products(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    url = f"/customers/{customer}/yearly"
    html = get(client, url)
    # No JavaScript: "add a row" brings the page back one row longer.
    response = send(client, html, url, {"year": "2025"}, button="add_row")
    assert response.status_code == 200
    longer = response.get_data(as_text=True)
    assert 'name="sales-3-product"' in longer and 'value="2025"' in longer
    response = send(client, longer, url, {
        "sales-0-product": "A-100", "sales-0-amount": "1,200,000",
        "sales-1-product": "B-200", "sales-1-amount": "350000",
        "sales-3-product": "C-300", "sales-3-amount": "50",
        "revenue": "5000000", "profit": "-42000", "source": "agency"}, button="submit")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = record(svc, customer)["yearly"]
    assert saved == [{"year": 2025, "sales": {"A-100": 1200000, "B-200": 350000, "C-300": 50},
                      "financials": {"revenue": 5000000, "profit": -42000, "assets": None,
                                     "liabilities": None, "notes": ""}}]
    message = git(app.config["ARCHIVE_REPO"], "show", "-s", "--format=%an%n%B", "main")
    assert message.startswith("王立\n") and "Source: agency\n" in message
    # The same form, opened for 2025, holds what the file has, to change it.
    again = get(client, f"{url}?year=2025")
    assert 'value="A-100"' in again and 'value="1200000"' in again


def test_the_panel_shows_a_table_totals_and_a_chart(app, web_today, svc):
    customer = make(svc)
    for number, sales in [(2024, {"A": 100, "B": 50}), (2025, {"A": 300})]:
        entries.put_year(svc.files, customer, {"year": number, "sales": sales,
                                               "financials": {}}, "wang.li")
    html = get(client_as(web_today, "wang.li"), f"/customers/{customer}")
    panel = html[html.index('id="yearly-figures"'):]
    table = panel[: panel.index("</table>")]
    assert [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table)] == [
        "Year", "A", "B", "Total", "2024", "100", "50", "150", "2025", "300", "", "300",
        "Total", "400", "50", "450"]
    svg = panel[panel.index("<svg"): panel.index("</svg>")]
    bars = re.findall(r'<rect class="chart-bar"[^>]*height="([\d.]+)"', svg)
    assert len(bars) == 2 and float(bars[1]) == pytest.approx(2 * float(bars[0]))
    assert "style=" not in svg and "<script" not in svg  # nothing the CSP would block
    assert "Total sales per year" in svg


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"year": "2027"}, "year", "Enter a year from 1900 to 2026"),
    ({"year": ""}, "year", "Required"),
    ({"sales-0-amount": "lots"}, "sales-0-amount", "Enter an amount of zero or more"),
    ({"sales-0-product": ""}, "sales-0-product", "Name the product"),
    ({"revenue": "-5"}, "revenue", "Enter an amount of zero or more"),
])
def test_a_refused_year(app, web_today, svc, changes, field, message):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    url = f"/customers/{customer}/yearly"
    before = head(app.config["ARCHIVE_REPO"])
    response = send(client, get(client, url), url,
                    {"year": "2025", "sales-0-product": "A", "sales-0-amount": "1", **changes},
                    button="submit")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    after_field = html[html.index(f'name="{field}"'):]
    assert message in after_field[: after_field.index("</div>") + 200]
    assert head(app.config["ARCHIVE_REPO"]) == before


def upload(client, customer: str, data: bytes, status: int):
    url = f"/customers/{customer}/yearly/import"
    fields = dict(read_form(get(client, url), url))
    response = client.post(url, data={**fields, "file": (io.BytesIO(data), "figures.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def test_csv_import_through_the_web(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    before = head(app.config["ARCHIVE_REPO"])
    upload(client, customer, "\ufeffyear,product,amount,revenue\n2024,甲,10,\n2024,乙,20,\n"
           "2024,,,99\n2025,甲,30,\n".encode(), 302)
    repo = app.config["ARCHIVE_REPO"]
    assert git(repo, "rev-parse", "main^").strip() == before  # the whole file, one commit
    message = git(repo, "show", "-s", "--format=%an%n%B", "main")
    assert message.startswith("王立\n") and "Source: import\n" in message
    assert [(y["year"], y["sales"], y["financials"]["revenue"])
            for y in record(svc, customer)["yearly"]] == \
        [(2024, {"甲": 10, "乙": 20}, 99), (2025, {"甲": 30}, None)]
    history = get(client, f"/customers/{customer}/history")
    assert "Figures imported" in history and "Imported" in history


def test_a_bad_csv_names_its_lines_and_writes_nothing(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    before = head(app.config["ARCHIVE_REPO"])
    html = upload(client, customer, b"year,product,amount\n2024,A,1\n2024,B,x\n3000,C,1\n",
                  400).get_data(as_text=True)
    assert "Line 3: Enter an amount of zero or more" in html
    assert "Line 4: Enter a year from 1900 to 2026" in html
    assert "Line 2" not in html
    wrong = upload(client, customer, "year,product,amount\n2024,甲,1\n".encode("big5"), 400)
    assert "not UTF-8" in wrong.get_data(as_text=True)
    assert head(app.config["ARCHIVE_REPO"]) == before
    missing = client.post(f"/customers/{customer}/yearly/import", data=MultiDict(
        read_form(get(client, f"/customers/{customer}/yearly/import"),
                  f"/customers/{customer}/yearly/import")))
    assert missing.status_code == 400 and "Choose a file" in missing.get_data(as_text=True)


# --- the source of every change (R10) ----------------------------------------------------------

def test_the_edit_form_says_where_a_change_came_from(app, web_today, svc):
    customer = make(svc)
    client = client_as(web_today, "wang.li")
    url = f"/customers/{customer}/edit"
    html = get(client, url)
    assert re.search(r'<option selected value="visit">|<option value="visit" selected>', html) \
        or 'value="visit" selected' in html
    response = send(client, html, url, {"basic.fax": "(02)2531-7000",
                                        "change_source": "customer_form"})
    assert response.status_code == 302
    message = git(app.config["ARCHIVE_REPO"], "show", "-s", "--format=%B", "main")
    assert "Source: customer_form\n" in message and "Action: update\n" in message
    history = get(client, f"/customers/{customer}/history")
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)
    assert "Customer data form" in rows[1] and "Updated" in rows[1]  # newest first
    refused = send(client, get(client, url), url, {"change_source": "rumour"})
    assert refused.status_code == 200 and "Choose a value from the list" in \
        refused.get_data(as_text=True)


def test_a_new_file_carries_its_source(app, web_today, svc):
    client = client_as(web_today, "wang.li")
    url = "/customers/new?card=terminal"
    response = send(client, get(client, url), "/customers/new", url=url, changes={
        "basic.name": "南方科技", "basic.phone": "02-2345-6789",
        "classification.industry": "電子", "change_source": "agency"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    message = git(app.config["ARCHIVE_REPO"], "show", "-s", "--format=%B", "main")
    assert "Action: create\n" in message and "Source: agency\n" in message
    assert customer_path("C000001") in git(app.config["ARCHIVE_REPO"], "show", "--name-only",
                                           "--format=", "main")
