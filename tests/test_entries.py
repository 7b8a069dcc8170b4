"""Contact log, events and yearly figures in the domain: entries checked before anything is
written, one commit per entry (author, message and Source: trailer read back with plain git),
no lost update against a concurrent edit, hand-over tasks closed by the successor's contact,
and the CSV import of yearly figures."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.records.files import entries, yamlio
from intranet.records.files.customers import CustomerFiles, InvalidRecord, customer_path
from intranet.records.files.entries import EntryError

from .conftest import git
from .test_customers import sample

TODAY = date(2026, 11, 26)


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


@pytest.fixture
def customer(files):
    return files.create(sample(), "wang.li")[0]


def contact(**overrides):
    values = {"when": "2026-11-25", "channel": "visit", "staff": "wang.li",
              "summary": "拜訪採購經理", "report": "下季追加訂單", "source": "visit",
              "today": TODAY, **overrides}
    return entries.contact_entry(**values)


def head_record(files, customer_id):
    return files.load(customer_id).record


def paths(error: EntryError) -> dict[str, str]:
    return {e.path: str(e) for e in error.errors}


# --- building entries ----------------------------------------------------------------------

def test_contact_entry_is_complete_and_tidied():
    entry = contact(when="２０２６/11/5", summary="  電話確認報價 \r\n", confidential=True)
    assert entry == {"date": "2026-11-05", "channel": "visit", "staff": "wang.li",
                     "summary": "電話確認報價", "report": "下季追加訂單", "source": "visit",
                     "confidential": True, "recorded_on": "2026-11-26"}


@pytest.mark.parametrize(("overrides", "path", "words"), [
    ({"when": "2026-11-27"}, "date", "future"),
    ({"when": "2026-02-30"}, "date", "real date"),
    ({"when": ""}, "date", "Required"),
    ({"when": "2026-11"}, "date", "real date"),  # a contact has a day
    ({"channel": "pigeon"}, "channel", "one of"),
    ({"summary": "  "}, "summary", "Required"),
    ({"summary": "bad\x00text"}, "summary", "control character"),
    ({"source": "rumour"}, "source", "one of"),
    ({"report": "x" * 10_001}, "report", "at most"),
])
def test_contact_entry_refuses_bad_input(overrides, path, words):
    with pytest.raises(EntryError) as caught:
        contact(**overrides)
    assert words in paths(caught.value)[path]


def test_today_is_not_the_future():
    assert contact(when="2026-11-26")["date"] == "2026-11-26"


def test_event_entry_takes_partial_dates_but_not_future_ones():
    event = entries.event_entry(when="2026-3", kind="move", summary="遷址至新竹", today=TODAY,
                                source="agency")
    assert event == {"date": "2026-03", "kind": "move", "summary": "遷址至新竹",
                     "source": "agency"}
    assert entries.event_entry(when="2026-11", kind="order", summary="訂單",
                               today=TODAY)["date"] == "2026-11"
    for when, words in [("2026-12", "future"), ("2027", "future"), ("26-1", "YYYY-MM"),
                        ("2026-13", "YYYY-MM")]:
        with pytest.raises(EntryError) as caught:
            entries.event_entry(when=when, kind="move", summary="x", today=TODAY)
        assert words in paths(caught.value)["date"], when
    with pytest.raises(EntryError) as caught:
        entries.event_entry(when="2025", kind="wedding", summary="", today=TODAY)
    assert set(paths(caught.value)) == {"kind", "summary"}


def test_year_entry_reads_rows_and_refuses_nonsense():
    year = entries.year_entry(
        year="2025", sales=[("A-100", "1,200,000"), ("B-200", "３５０000"), ("", "")],
        financials={"revenue": "5000000", "profit": "-120000", "assets": "",
                    "liabilities": "2500000.5", "notes": "虧損\r\n來自匯損"}, today=TODAY)
    assert year == {"year": 2025, "sales": {"A-100": 1200000, "B-200": 350000},
                    "financials": {"revenue": 5000000, "profit": -120000, "assets": None,
                                   "liabilities": 2500000.5, "notes": "虧損\n來自匯損"}}
    with pytest.raises(EntryError) as caught:
        entries.year_entry(year="2027", sales=[("A", "-5"), ("", "100"), ("A", "1"),
                                               ("B", "")],
                           financials={"revenue": "lots", "profit": "-1"}, today=TODAY)
    found = paths(caught.value)
    assert "1900 to 2026" in found["year"]
    assert "zero or more" in found["sales[0].amount"]
    assert "Name the product" in found["sales[1].product"]
    assert "listed twice" in found["sales[2].product"]
    assert found["sales[3].amount"] == "Required"
    assert "financials.revenue" in found and "financials.profit" not in found


# --- writing: one commit per entry ------------------------------------------------------------

def test_a_contact_is_one_commit_by_its_author_with_a_source(files, archive, customer):
    before = git(archive.path, "rev-parse", "main").strip()
    commit = entries.add_contact(files, customer, contact(source="agency"), "chen.yu")
    assert git(archive.path, "rev-parse", f"{commit}^").strip() == before
    shown = git(archive.path, "show", "-s", "--format=%an <%ae>%n%B", commit)
    assert shown.startswith("陳宇 <chen.yu@example.com>\n")
    assert f"更新 {customer} 東方貿易股份有限公司：聯絡記錄 +1" in shown
    assert "Action: contact\n" in shown and "Source: agency\n" in shown
    changed = git(archive.path, "show", "--name-only", "--format=", commit).split()
    assert changed == [customer_path(customer)]
    raw = git(archive.path, "show", f"{commit}:{customer_path(customer)}")
    record = yamlio.load(raw.encode(), "x.yaml")
    assert record["contacts"] == [contact(source="agency")]
    assert "summary: 拜訪採購經理\n" in raw  # Chinese as is


def test_entries_accumulate_and_list_newest_first(files, customer):
    entries.add_contact(files, customer, contact(when="2026-10-01", summary="舊"), "wang.li")
    entries.add_contact(files, customer, contact(when="2026-11-20", summary="新"), "wang.li")
    entries.add_contact(files, customer, contact(when="2026-11-01", summary="中",
                                                 confidential=True), "wang.li")
    record = head_record(files, customer)
    assert [e["summary"] for e in record["contacts"]] == ["舊", "新", "中"]  # as entered
    assert [e["summary"] for e in entries.newest_first(record["contacts"])] == ["新", "中", "舊"]
    assert [e["summary"] for e in entries.department_reports(record)] == ["新", "舊"]


def test_the_whole_record_is_checked_in_the_commit(files, archive, customer):
    before = git(archive.path, "rev-parse", "main")
    with pytest.raises(InvalidRecord) as caught:
        entries.add_contact(files, customer, contact(staff="nobody.here"), "wang.li")
    assert "contacts[0].staff" in str(caught.value)
    assert git(archive.path, "rev-parse", "main") == before


def test_a_stale_edit_and_a_contact_lose_nothing(files, customer):
    base = files.load(customer)
    entries.add_contact(files, customer, contact(), "chen.yu")  # while the form is open
    edited = base.record | {"basic": {**base.record["basic"], "fax": "(02)2531-7000"}}
    files.save(customer, edited, base.commit, "wang.li")
    record = head_record(files, customer)
    assert record["basic"]["fax"] == "(02)2531-7000"
    assert [e["summary"] for e in record["contacts"]] == ["拜訪採購經理"]
    # And the other way round: a contact after the edit is added at the head.
    stale = files.load(customer)
    files.save(customer, stale.record | {"notes": "年底盤點"}, stale.commit, "wang.li")
    entries.add_contact(files, customer, contact(summary="第二次"), "chen.yu")
    record = head_record(files, customer)
    assert record["notes"] == "年底盤點" and len(record["contacts"]) == 2


def test_events_are_one_commit_each(files, archive, customer):
    event = entries.event_entry(when="2025-06", kind="capital", summary="增資至五千萬",
                                today=TODAY, source="agency")
    commit = entries.add_event(files, customer, event, "wang.li")
    message = git(archive.path, "show", "-s", "--format=%an%n%B", commit)
    assert message.startswith("王立\n") and "重大事項 +1" in message
    assert "Action: event\n" in message and "Source: agency\n" in message
    assert head_record(files, customer)["events"] == [{**event, "recorded_by": "wang.li"}]


# --- hand-over tasks --------------------------------------------------------------------------

def _with_tasks(files, customer, tasks):
    loaded = files.load(customer)
    files.save(customer, loaded.record | {"tasks": tasks}, loaded.commit, "director")


def task(assignee="chen.yu", created="2026-11-10", kind="introduce_successor", done=""):
    return {"kind": kind, "assignee": assignee, "summary": "通知客戶並介紹新的負責人",
            "from_staff": "lin.sales2", "created_on": created, "due_on": "2026-11-17",
            "done_on": done}


def test_a_successors_contact_closes_their_introduction_task(files, archive, customer):
    _with_tasks(files, customer, [
        task(), task(assignee="wang.li"), task(kind="other"),
        task(created="2026-11-24"), task(done="2026-11-12")])
    commit = entries.add_contact(files, customer, contact(staff="chen.yu", when="2026-11-20"),
                                 "chen.yu")
    done = [t["done_on"] for t in head_record(files, customer)["tasks"]]
    # Only chen.yu's open introductions made before the contact; the same commit.
    assert done == ["2026-11-20", "", "", "", "2026-11-12"]
    assert git(archive.path, "show", "--name-only", "--format=", commit).split() == \
        [customer_path(customer)]
    subject = git(archive.path, "show", "-s", "--format=%s", commit)
    assert "聯絡記錄 +1" in subject and "待辦事項" in subject


def test_someone_elses_contact_leaves_the_task_open(files, customer):
    _with_tasks(files, customer, [task()])
    entries.add_contact(files, customer, contact(staff="wang.li"), "wang.li")
    assert head_record(files, customer)["tasks"][0]["done_on"] == ""


# --- yearly figures ---------------------------------------------------------------------------

def year(number, **sales):
    return entries.year_entry(year=str(number), sales=list(sales.items()),
                              financials={"revenue": "900"}, today=TODAY)


def test_a_year_is_entered_then_replaced_and_kept_in_order(files, archive, customer):
    entries.put_year(files, customer, year(2025, A=100, B=200), "wang.li")
    entries.put_year(files, customer, year(2023, A=50), "wang.li")
    commit = entries.put_year(files, customer, year(2025, A=120), "wang.li", source="agency")
    yearly = head_record(files, customer)["yearly"]
    assert [(y["year"], y["sales"]) for y in yearly] == [(2023, {"A": 50}), (2025, {"A": 120})]
    message = git(archive.path, "show", "-s", "--format=%B", commit)
    assert "Action: yearly\n" in message and "Source: agency\n" in message
    assert entries.put_year(files, customer, year(2025, A=120), "wang.li") is None


CSV = ("\ufeffyear,product,amount,revenue,profit,assets,liabilities\r\n"
       "2024,A-100,\"1,200,000\",,,,\r\n"
       "2024,B-200,350000,,,,\r\n"
       "2024,,,5000000,-42000,8000000,2500000\r\n"
       "\r\n"
       "2025,A-100,1300000,,,,\r\n")


def test_csv_import_is_one_commit_with_source_import(files, archive, customer):
    entries.put_year(files, customer, year(2024, A_100=1, C=7), "wang.li")
    imported = entries.parse_yearly_csv(CSV.encode(), TODAY)
    assert imported.errors == [] and imported.rows == 7
    before = git(archive.path, "rev-parse", "main").strip()
    commit = entries.import_years(files, customer, imported, "wang.li")
    assert git(archive.path, "rev-parse", f"{commit}^").strip() == before
    message = git(archive.path, "show", "-s", "--format=%an%n%B", commit)
    assert message.startswith("王立\n")
    assert "Action: import\n" in message and "Source: import\n" in message
    yearly = head_record(files, customer)["yearly"]
    assert yearly[0]["year"] == 2024
    # What the file names is replaced; what it does not mention (product C) is kept.
    assert yearly[0]["sales"] == {"A_100": 1, "C": 7, "A-100": 1200000, "B-200": 350000}
    assert yearly[0]["financials"] == {"revenue": 5000000, "profit": -42000,
                                       "assets": 8000000, "liabilities": 2500000, "notes": ""}
    assert yearly[1] == {"year": 2025, "sales": {"A-100": 1300000},
                         "financials": {"revenue": None, "profit": None, "assets": None,
                                        "liabilities": None, "notes": ""}}


def test_csv_with_chinese_headers_and_only_sales():
    imported = entries.parse_yearly_csv("年度,產品,金額\n2023,甲,10\n2023,乙,20\n".encode(),
                                        TODAY)
    assert imported.errors == []
    assert imported.years == {2023: {"year": 2023, "sales": {"甲": 10, "乙": 20},
                                     "financials": {}}}


@pytest.mark.parametrize(("data", "expected"), [
    (b"year,product,amount\n2024,A,ten\n2031,B,5\n2024,,5\n2024,A,1\n2024,A,2\n",
     [(2, "zero or more"), (3, "1900 to 2026"), (4, "Name the product"),
      (6, "listed twice")]),
    (b"year,revenue\n2024,1\n2024,2\n2024,\n",
     [(3, "two different values"), (4, "no figures")]),
    (b"name,amount\nA,1\n", [(1, "first line must name the columns")]),
    ("year,product,amount\n2024,甲,1\n".encode("big5"), [(0, "not UTF-8")]),
    (b"", [(1, "first line")]),
    (b"year,product,amount\n\n", [(0, "no figures")]),
])
def test_csv_errors_name_their_lines(data, expected):
    imported = entries.parse_yearly_csv(data, TODAY)
    found = [(line, message.format(**params)) for line, message, params in imported.errors]
    assert len(found) == len(expected), found
    for (line, text), (want_line, words) in zip(found, expected, strict=True):
        assert line == want_line and words in text, found
