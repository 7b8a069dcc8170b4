"""The credit pages (R28) through the real app: the card's credit box and receivables form, the
approval, the credit page against the YAML files, access per role, home panels, history."""

from __future__ import annotations

import io
import json
import re
import zipfile

from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path, id_from_path
from intranet.records.files.schema import new_record
from intranet.records.rulebook.policy import Policy
from intranet.records.sales.credit import standing
from intranet.records.trail.audit import read_lines

from .conftest import git, sign_in
from .html_forms import read_form
from .test_web_customers import send

TODAY = "2026-12-07"


def make(svc, owner: str = "wang.li", department: str = "sales", level: str = "personal",
         **fields) -> str:
    """Create a file through the domain (no credit rule: files as they were) and return it."""
    record = new_record("distributor", **{
        "basic.name": fields.pop("name", "東方貿易"), "basic.phone": "02-2531-7099",
        "basic.address": "臺北市", "classification.region": "北區", "custody.owner": owner,
        "custody.department": department, "custody.level": level, **fields})
    return svc.files.create(record, owner)[0]


def company(svc) -> dict[str, str]:
    """A small company: exceptions, receivables, files in two departments."""
    return {
        "over": make(svc, name="超額公司", **{"credit.grade": "B", "credit.limit": 800_000,
                                          "receivables.amount": 850_000,
                                          "receivables.oldest_due": "2026-10-01"}),
        "terms": make(svc, "chen.yu", name="條件公司", **{"credit.grade": "C",
                                                       "credit.terms": "月結 90 天"}),
        "fine": make(svc, name="正常公司", **{"credit.grade": "A", "credit.limit": 900_000,
                                          "receivables.amount": 100_000,
                                          "receivables.oldest_due": "2026-12-01"}),
        "high": make(svc, name="高額公司", **{"credit.grade": "B", "credit.limit": 500_000,
                                          "receivables.amount": 450_000}),
        "other": make(svc, "lin.sales2", "sales2", name="二部公司",
                      **{"credit.grade": "D", "credit.limit": 10_000}),
    }


def exceptions_in_yaml(svc) -> set[str]:
    """Compute the exceptions independently: every customer file at the head, parsed."""
    policy = Policy(yamlio.load(svc.archive.read("policy.yaml")))
    found = set()
    for path in git(svc.archive.path, "ls-tree", "-r", "--name-only", "HEAD").split():
        if id_from_path(path):
            record = yamlio.load(svc.archive.read(path))
            credit = record.get("credit") or {}
            grade = policy.credit_grade(credit.get("grade") or "") or {}
            over = credit.get("limit") is not None and credit["limit"] > (grade.get("limit")
                                                                          or 0)
            terms = bool(credit.get("terms")) and credit["terms"] != grade.get("terms")
            assert standing(record, policy).exception == (over or terms)
            if over or terms:
                found.add(record["id"])
    return found


def switch(web, username: str) -> None:
    """Sign out whoever is signed in, then sign in as ``username``."""
    page = web.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token:
        web.post("/logout", data={"csrf_token": token.group(1)})
    assert sign_in(web, username).status_code == 302


def listed(page: str) -> set[str]:
    return set(re.findall(r'<tr data-customer="(C\d{6})"', page))


def test_the_credit_page_lists_exactly_the_exceptions_each_role_may_see(app, svc, web):
    app.config["TODAY"] = TODAY
    files = company(svc)
    every = exceptions_in_yaml(svc)
    assert every == {files["over"], files["terms"], files["other"]}
    expected = {"director": every, "gm": every, "info.wu": every,
                "lee.mgr": {files["over"], files["terms"]},
                "other.mgr": {files["other"]},
                "wang.li": {files["over"]}, "chen.yu": {files["terms"]}}
    for user, ids in expected.items():
        switch(web, user)
        response = web.get("/analysis/credit/?show=exceptions")
        assert response.status_code == 200, user
        assert listed(response.get_data(as_text=True)) == ids, user
    # HR sees no figures (R36): every credit page is refused, nothing journalled as a read.
    switch(web, "hr.chen")
    for url in ("/analysis/credit/", "/analysis/credit/credit.xlsx",
                "/analysis/credit/receivables"):
        assert web.get(url).status_code == 403, url
    # Each file shown was journalled as a read of its figures, for each user who saw it.
    entries = [json.loads(line) for line in read_lines(svc.journal.path)]
    seen = {(e["user"], e["customer"]) for e in entries
            if e["action"] == "figures" and e["allowed"]}
    assert seen == {(user, c) for user, ids in expected.items() for c in ids}


def test_the_review_list_and_the_workbook(app, svc, web):
    app.config["TODAY"] = TODAY
    files = company(svc)
    switch(web, "director")
    page = web.get("/analysis/credit/?show=review").get_data(as_text=True)
    # over: owed above its limit and 67 days overdue; high: 90% of its limit.
    assert listed(page) == {files["over"], files["high"]}
    body = web.get("/analysis/credit/credit.xlsx?show=exceptions")
    assert body.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body.data)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = sheet + (book.read("xl/sharedStrings.xml").decode()
                           if "xl/sharedStrings.xml" in book.namelist() else "")
    for customer in (files["over"], files["terms"], files["other"]):
        assert customer in strings
    assert files["fine"] not in strings


def test_the_card_shows_the_credit_box_and_saves_receivables(app, svc, web):
    app.config["TODAY"] = TODAY
    files = company(svc)
    switch(web, "wang.li")
    page = web.get(f"/customers/{files['over']}").get_data(as_text=True)
    assert 'id="credit"' in page and "800,000" in page and "500,000" in page
    assert 'id="credit-overdue">67<' in page and 'id="credit-warning"' in page
    assert "林美華 (director)" in page  # who may approve the exception
    customer = files["fine"]
    url = f"/customers/{customer}/receivables"
    html = web.get(f"/customers/{customer}").get_data(as_text=True)
    fields = dict(read_form(html, url))
    assert fields["amount"] == "100000"
    response = send(web, html, url, {"amount": "250000", "oldest_due": "2026-11-30",
                                     "as_of": "2026-12-06", "notes": "會計月報"}, button="")
    assert response.status_code == 302
    log = git(svc.archive.path, "log", "-1", "--format=%an|%s")
    assert log.strip() == f"王立|應收帳款 {customer} 正常公司：未收金額、最早到期日、資料日期、備註"
    raw = svc.archive.read(customer_path(customer)).decode()
    assert ("receivables:\n  amount: 250000\n  oldest_due: '2026-11-30'\n"
            "  as_of: '2026-12-06'\n  notes: 會計月報\n") in raw
    # Someone who may not edit the file cannot post receivables: 403, nothing written.
    head = svc.archive.head()
    switch(web, "chen.yu")
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/").get_data(as_text=True))
    assert web.post(url, data={"amount": "1", "csrf_token": token.group(1)}).status_code == 403
    assert svc.archive.head() == head


def test_the_director_approves_an_exception_with_a_reason(app, svc, web):
    app.config["TODAY"] = TODAY
    customer = make(svc, "director", "marketing", "company", name="例外公司",
                    **{"credit.grade": "C", "credit.limit": 300_000})
    switch(web, "director")
    url = f"/customers/{customer}/credit-approval"
    html = web.get(f"/customers/{customer}").get_data(as_text=True)
    assert send(web, html, url, {"reason": "擔保品足額"}, button="").status_code == 302
    body = git(svc.archive.path, "log", "-1", "--format=%an|%s|%b")
    assert body.startswith(f"林美華|信用例外核准 {customer} 例外公司")
    assert "Reason: 擔保品足額" in body
    credit = yamlio.load(svc.archive.read(customer_path(customer)))["credit"]
    assert (credit["approved_by"], credit["approved_on"]) == ("director", TODAY)
    page = web.get("/analysis/credit/?show=exceptions").get_data(as_text=True)
    assert "Approved by" in page or "核准" in page
    # A salesperson's file over its grade: the salesperson has no approval form and a forged
    # post is refused with nothing written.
    theirs = make(svc, name="業務公司", **{"credit.grade": "D", "credit.limit": 5})
    switch(web, "wang.li")
    html = web.get(f"/customers/{theirs}").get_data(as_text=True)
    assert "credit-approval" not in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    head = svc.archive.head()
    response = web.post(f"/customers/{theirs}/credit-approval",
                        data={"csrf_token": token, "reason": "自己核准"})
    assert response.status_code == 403 and svc.archive.head() == head


def test_the_edit_form_refuses_a_limit_above_the_grade_with_the_reason(app, svc, web):
    customer = make(svc, **{"credit.grade": "B", "credit.limit": 100_000,
                            "classification.industry": "電子"})
    switch(web, "wang.li")
    web.set_cookie("lang", "en")
    edit = f"/customers/{customer}/edit"
    html = web.get(edit).get_data(as_text=True)
    head = svc.archive.head()
    response = send(web, html, edit, {"credit.limit": "900000"})
    text = response.get_data(as_text=True)
    assert svc.archive.head() == head
    assert "900,000" in text and "500,000" in text and "director" in text


def test_home_panels(app, svc, web):
    app.config["TODAY"] = TODAY
    files = company(svc)
    switch(web, "wang.li")
    home = web.get("/").get_data(as_text=True)
    assert 'id="my-credit-warnings"' in home
    assert files["over"] in home and files["high"] in home and files["fine"] in home
    assert 'id="credit-dashboard"' not in home
    switch(web, "director")
    home = web.get("/").get_data(as_text=True)
    assert 'id="credit-dashboard"' in home
    assert re.search(r'data-count="exceptions">3<', home)
    assert re.search(r'data-count="review">2<', home)
    switch(web, "other.mgr")
    home = web.get("/").get_data(as_text=True)
    assert re.search(r'data-count="exceptions">1<', home)


def test_credit_history_shows_each_change_with_its_author(app, svc, web):
    from intranet.actions import credit as credit_actions
    from intranet.actions import customers as customer_actions

    customer = make(svc, "director", "marketing", "company", name="歷史公司",
                    **{"credit.grade": "B", "credit.limit": 300_000})
    loaded = svc.files.load(customer)
    record = yamlio.load(loaded.raw)
    record["credit"]["limit"] = 700_000
    customer_actions.save(svc.files, "director", customer, record, loaded.commit)
    credit_actions.enter_receivables(svc.files, "director", customer,
                                     {"amount": 5000, "oldest_due": "", "as_of": "",
                                      "notes": ""})
    switch(web, "director")
    page = web.get(f"/customers/{customer}/credit-history").get_data(as_text=True)
    rows = re.findall(r'<tr data-commit="([0-9a-f]{40})"', page)
    assert len(set(rows)) == 3  # created, limit raised (and approved), receivables
    assert "700000" in page and "300000" in page and "林美華" in page
    switch(web, "chen.yu")
    assert web.get(f"/customers/{customer}/credit-history").status_code == 403


def test_the_director_approves_from_the_credit_page_a_file_they_may_not_open(app, svc, web):
    app.config["TODAY"] = TODAY
    files = company(svc)
    switch(web, "director")
    assert web.get(f"/customers/{files['over']}").status_code == 403  # personal file
    page = web.get("/analysis/credit/?show=exceptions").get_data(as_text=True)
    fields = dict(read_form(page.replace('action="/analysis/credit/approve"',
                                         'action="/analysis/credit/approve" id="x"', 1),
                            "/analysis/credit/approve"))
    response = web.post("/analysis/credit/approve", data={
        **fields, "customer": files["over"], "reason": "大客戶，擔保足額"})
    assert response.status_code == 302
    credit = yamlio.load(svc.archive.read(customer_path(files["over"])))["credit"]
    assert (credit["approved_by"], credit["approved_on"]) == ("director", TODAY)
    assert "Reason: 大客戶，擔保足額" in git(svc.archive.path, "log", "-1", "--format=%b")
    # Marketing staff see the list but may not approve: no form, and a post is refused.
    switch(web, "info.wu")
    page = web.get("/analysis/credit/?show=exceptions").get_data(as_text=True)
    assert "/analysis/credit/approve" not in page
    head = svc.archive.head()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = web.post("/analysis/credit/approve", data={
        "csrf_token": token, "customer": files["terms"], "reason": "x"})
    assert response.status_code == 403 and svc.archive.head() == head
