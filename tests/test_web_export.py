"""The customer list as CSV (R17, R35): the list's search and filters, readable files only, each
exported row journalled once as an export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from intranet.records.trail.audit import verify_file

from .conftest import sign_in
from .test_web_customers import make


def journal(svc) -> list[dict]:
    try:
        with open(svc.journal.path, encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def table(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def files(svc):
    """Two files of wang.li, one of another department's salesperson, one company file."""
    return {
        "east": make(svc, **{"basic.name": "東方貿易", "basic.phone": "02-2531-7099"}),
        "west": make(svc, **{"basic.name": "西方電子", "basic.phone": "07-3311-2233",
                             "stage": "active"}),
        "other": make(svc, author="lin.sales2", **{"basic.name": "東方精密",
                                                   "custody.department": "sales2",
                                                   "basic.phone": "04-2222-3333"}),
        "company": make(svc, author="director", **{"basic.name": "東方總公司",
                                                   "custody.department": "marketing",
                                                   "custody.level": "company",
                                                   "basic.phone": "02-8888-9999"}),
    }


def export(web, username: str, query: str = ""):
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web.get(f"/customers/export.csv{query}")


def test_export_holds_only_readable_files_each_journalled(web, svc, files):
    before = len(journal(svc))
    response = export(web, "wang.li")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    rows = table(response)
    assert rows[0][:3] == ["Customer number", "Name", "Short name"]
    assert [r[0] for r in rows[1:]] == [files["east"], files["west"]]
    assert "02-2531-7099" in rows[1] and "王立" in rows[1] and "Active customer" in rows[2]
    body = response.data.decode("utf-8")
    for hidden in ("other", "company"):
        assert files[hidden] not in body  # catalogue cards in the list, not in the export
    assert "東方精密" not in body and "04-2222-3333" not in body
    fresh = [e for e in journal(svc)[before:] if e["action"] == "export"]
    assert sorted((e["user"], e["customer"], e["allowed"]) for e in fresh) == \
        [("wang.li", files["east"], True), ("wang.li", files["west"], True)]
    assert all(e["route"] == "customers.export" for e in fresh)


def test_export_follows_the_lists_search_and_filters(web, svc, files):
    rows = table(export(web, "gm", "?q=東方"))
    assert [r[0] for r in rows[1:]] == [files["company"]]  # gm reads company files only
    rows = table(web.get("/customers/export.csv?q=東方&sort=name&desc=1"))
    assert [r[0] for r in rows[1:]] == [files["company"]]
    body = web.get("/customers/?q=東方&stage=prospect").get_data(as_text=True)
    assert 'href="/customers/export.csv?q=%E6%9D%B1%E6%96%B9&amp;stage=prospect"' in body
    lee = web.application.test_client()
    lee.set_cookie("lang", "en")
    sign_in(lee, "lee.mgr")
    rows = table(lee.get("/customers/export.csv?stage=active"))
    assert [r[0] for r in rows[1:]] == [files["west"]]
    rows = table(lee.get("/customers/export.csv?q=東方"))
    assert [r[0] for r in rows[1:]] == [files["east"]]


def test_hr_exports_nothing_and_nothing_is_journalled(web, svc, files):
    before = len(journal(svc))
    rows = table(export(web, "hr.chen"))
    assert len(rows) == 1  # the heading only
    assert not [e for e in journal(svc)[before:] if e["action"] == "export"]


def test_cells_a_spreadsheet_would_run_are_defused(web, svc):
    formula = make(svc, **{"basic.name": "=HYPERLINK(\"http://x\",\"點我\")",
                           "basic.address": "@SUM(1+1)", "basic.phone": "+886 2 2531 7099"})
    rows = table(export(web, "wang.li"))
    row = next(r for r in rows if r[0] == formula)
    assert row[1] == "'=HYPERLINK(\"http://x\",\"點我\")"
    assert "'@SUM(1+1)" in row
    # Excel would run "+886 2 2531 7099" as a formula too (and show #NAME?); the XLSX keeps
    # it as it is written, in a string cell.
    assert "'+886 2 2531 7099" in row


def test_export_needs_a_signed_in_user(web, files):
    response = web.get("/customers/export.csv")
    assert response.status_code == 302 and "/login" in response.location


def test_exported_rows_extend_the_hash_chain(web, svc, files):
    export(web, "wang.li")
    export(web.application.test_client(), "director")
    result = verify_file(svc.journal.path)
    assert result.ok, result.describe()
    exported = [e for e in journal(svc) if e["action"] == "export"]
    assert [(e["user"], e["customer"]) for e in exported] == [
        ("wang.li", files["east"]), ("wang.li", files["west"]), ("director", files["company"])]
    first, second = exported[0], exported[1]
    assert second["seq"] == first["seq"] + 1 and second["prev"] == first["hash"]


def test_no_journal_no_export(web, svc, files):
    web.set_cookie("lang", "en")
    assert sign_in(web, "wang.li").status_code == 302
    # /proc refuses new files even to root: the journal cannot be written.
    svc.journal.path = "/proc/customer-archive-audit.jsonl"
    svc.journal.lock_path = svc.journal.path + ".lock"
    response = web.get("/customers/export.csv")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert "02-2531-7099" not in body and files["east"] not in body
