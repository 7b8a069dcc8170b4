"""Classes and grades on the web (R2, R23, R24): the marketing staff's figures page, the
classification lists page, the grade review list and its one-commit regrade, flags and the
standard grade on the card, a new file ungraded (real app, real archive, real YAML)."""

from __future__ import annotations

import re

from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.rulebook.classes import CLASSES_PATH, load_classes

from .conftest import csrf_token, git, sign_in
from .test_web_customers import make, send
from .test_web_export import journal

# The app's today is the real one: figures for "last full year" are written for it.
PERSONAL = {"basic.legal_representative": "王大明", "people": [
    {"role": "負責人", "name": "王大明", "hobbies": "高爾夫"}],
    "contacts": [{"date": "2026-01-05", "channel": "visit", "staff": "wang.li",
                  "summary": "拜訪洽談秘密報價"}]}


def client(web, username: str):
    web.set_cookie("lang", "en")
    assert sign_in(web, username).status_code == 302
    return web


def last_year(svc) -> int:
    from intranet.records.rulebook.rules import load_rules
    from intranet.records.rulebook.zone import company_zone, today
    return today(company_zone(load_rules(svc.archive.snapshot()).policy)).year - 1


def with_sales(svc, amount: float, grade: str = "", **fields) -> str:
    """Create a file of wang.li with last year's sales and a grade."""
    customer = make(svc, grade=grade, **fields)
    record = yamlio.load(svc.archive.read(customer_path(customer)))
    record["yearly"] = [{"year": last_year(svc), "sales": {"變頻器": amount}}]
    svc.files.save(customer, record, svc.archive.head(), "wang.li")
    return customer


def head_of(svc) -> str:
    return svc.archive.head()


# -- the figures page --------------------------------------------------------------------

def test_marketing_staff_see_figures_of_a_personal_file_but_not_the_file(web, svc):
    customer = with_sales(svc, 12_000_000, grade="B", **PERSONAL)
    wu = client(web, "info.wu")
    before = len(journal(svc))
    response = wu.get(f"/customers/{customer}/figures")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "北區" in html and "12,000,000" in html and "Standard grade" in html
    for secret in ("王大明", "高爾夫", "秘密報價", "02-2531-7099", "南京東路"):
        assert secret not in html, secret
    fresh = journal(svc)[before:]
    assert [(e["customer"], e["action"], e["allowed"]) for e in fresh] == [
        (customer, "figures", True)]
    assert wu.get(f"/customers/{customer}").status_code == 403
    # The list links the file they may not read to its figures.
    listing = wu.get("/customers/").get_data(as_text=True)
    assert f'href="/customers/{customer}/figures"' in listing


def test_others_without_the_right_cannot_see_figures(web, svc):
    customer = with_sales(svc, 1_000)
    for username in ("lin.sales2", "hr.chen"):
        web.set_cookie("lang", "en")
        assert sign_in(web, username).status_code == 302
        assert web.get(f"/customers/{customer}/figures").status_code == 403, username
        web.post("/logout", data={"csrf_token": csrf_token(web, "/")})


def test_a_crafted_post_cannot_change_name_or_contacts(web, svc):
    customer = with_sales(svc, 1_000, **PERSONAL)
    wu = client(web, "info.wu")
    url = f"/customers/{customer}/figures"
    head = head_of(svc)
    for crafted in ({"basic.name": "改名"}, {"contacts": "x"}, {"people": "x"},
                    {"grade": "A", "basic.phone": "0900"}):
        response = wu.post(url, data={"csrf_token": csrf_token(wu, url), **crafted})
        assert response.status_code == 403, crafted
    assert head_of(svc) == head
    response = wu.post(url, data={"csrf_token": csrf_token(wu, url), "grade": "C",
                                  "classification.region": "中區", "market": "domestic"})
    assert response.status_code == 302
    saved = yamlio.load(svc.archive.read(customer_path(customer)))
    assert saved["grade"] == "C" and saved["classification"]["region"] == "中區"
    assert saved["basic"]["name"] == "東方貿易" and saved["people"][0]["name"] == "王大明"
    author = git(svc.archive.path, "log", "-1", "--format=%an|%B")
    assert author.startswith("吳資訊|") and "Action: classify" in author


def test_a_salesperson_cannot_classify_another_departments_file(web, svc):
    customer = with_sales(svc, 1_000)
    lin = client(web, "lin.sales2")
    head = head_of(svc)
    response = lin.post(f"/customers/{customer}/figures",
                        data={"csrf_token": csrf_token(lin, "/customers/"), "grade": "A"})
    assert response.status_code == 403 and head_of(svc) == head


# -- flags and the standard grade on the card ------------------------------------------

def test_the_card_flags_values_outside_the_lists_and_shows_the_standard(web, svc):
    customer = with_sales(svc, 600_000, grade="A")  # industry 電子 is not in the list
    html = client(web, "wang.li").get(f"/customers/{customer}").get_data(as_text=True)
    assert re.search(r"電子\s*<span class=\"badge text-bg-warning class-flag\"", html)
    assert "Standard grade: C" in html
    assert html.count("class-flag") == 1  # 北區 is in the list


def test_verify_warns_of_values_outside_the_lists_without_failing(app, svc):
    make(svc)
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "classification.industry: 電子 is not in the industry list" in result.output
    assert "values outside the classification lists" in result.output


# -- the classification lists page -------------------------------------------------------

def test_marketing_staff_keep_the_lists_others_may_not(web, svc):
    url = "/analysis/classes"
    wu = client(web, "info.wu")
    assert wu.get(url).status_code == 200
    data = {"csrf_token": csrf_token(wu, url), "reason": "新增行業",
            **{n: "\n".join(load_classes(svc.archive.snapshot()).values(n))
               for n in ("nature", "region", "customer_type", "product")},
            "industry": "電子\n貿易\n"}
    assert wu.post(url, data=data).status_code == 302
    assert load_classes(svc.archive.snapshot()).values("industry") == ("電子", "貿易")
    log = git(svc.archive.path, "log", "-1", "--format=%an|%B")
    assert log.startswith("吳資訊|更新分類清單：新增行業") and "Reason: 新增行業" in log
    wu.post("/logout", data={"csrf_token": csrf_token(wu, "/")})
    for username in ("wang.li", "lee.mgr", "hr.chen"):
        other = client(web, username)
        assert other.get(url).status_code == 403, username
        other.post("/logout", data={"csrf_token": csrf_token(other, "/")})


def test_a_rename_changes_every_file_using_the_value_in_one_commit(web, svc):
    north = make(svc)
    wu = client(web, "info.wu")
    url = "/analysis/classes"
    lists = load_classes(svc.archive.snapshot())
    data = {"csrf_token": csrf_token(wu, url), "reason": "統一名稱",
            **{n: "\n".join(lists.values(n)) for n in lists.lists},
            "rename_list": "region", "rename_from": "北區", "rename_to": "北部"}
    head = head_of(svc)
    assert wu.post(url, data=data).status_code == 302
    assert git(svc.archive.path, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    changed = git(svc.archive.path, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(changed) == sorted([CLASSES_PATH, customer_path(north)])
    assert "北部" in load_classes(svc.archive.snapshot()).values("region")
    saved = yamlio.load(svc.archive.read(customer_path(north)))
    assert saved["classification"]["region"] == "北部"


# -- the grade review list ---------------------------------------------------------------

def test_the_review_list_regrades_the_chosen_files_in_one_commit(web, svc):
    low = with_sales(svc, 600_000, grade="A")       # standard C
    high = with_sales(svc, 12_000_000, grade="C")   # standard A
    fine = with_sales(svc, 3_500_000, grade="B")    # already B
    wu = client(web, "info.wu")
    before = len(journal(svc))
    html = wu.get("/analysis/grades").get_data(as_text=True)
    shown = set(re.findall(r'name="id" value="(C\d+)"', html))
    assert shown == {low, high} and fine not in html
    assert {(e["customer"], e["action"]) for e in journal(svc)[before:]} == {
        (low, "figures"), (high, "figures")}
    filtered = wu.get("/analysis/grades?standard=A").get_data(as_text=True)
    assert set(re.findall(r'name="id" value="(C\d+)"', filtered)) == {high}
    head = head_of(svc)
    token = csrf_token(wu, "/analysis/grades")
    refused = wu.post("/analysis/grades", data={"csrf_token": token, "id": [low, high]})
    assert head_of(svc) == head and refused.status_code == 200  # no reason given
    response = wu.post("/analysis/grades", data={"csrf_token": token, "id": [low, high],
                                                 "reason": "年度檢討"})
    assert response.status_code == 302
    assert git(svc.archive.path, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    log = git(svc.archive.path, "log", "-1", "--format=%an|%s")
    assert log.strip() == "吳資訊|重新分級 2 個客戶：年度檢討"
    assert yamlio.load(svc.archive.read(customer_path(low)))["grade"] == "C"
    assert yamlio.load(svc.archive.read(customer_path(high)))["grade"] == "A"
    assert 'name="id"' not in wu.get("/analysis/grades").get_data(as_text=True)


def test_a_department_manager_sees_only_what_they_may_classify_and_cannot_regrade_more(
        web, svc):
    mine = make(svc, author="lee.mgr", grade="A")
    record = yamlio.load(svc.archive.read(customer_path(mine)))
    record["yearly"] = [{"year": last_year(svc), "sales": {"變頻器": 100}}]
    svc.files.save(mine, record, svc.archive.head(), "lee.mgr")
    theirs = with_sales(svc, 600_000, grade="A")  # wang.li's, same department
    lee = client(web, "lee.mgr")
    html = lee.get("/analysis/grades").get_data(as_text=True)
    assert set(re.findall(r'name="id" value="(C\d+)"', html)) == {mine}
    head = head_of(svc)
    response = lee.post("/analysis/grades", data={
        "csrf_token": csrf_token(lee, "/analysis/grades"), "id": [mine, theirs],
        "reason": "試試"})
    assert response.status_code == 403 and head_of(svc) == head
    lee.post("/logout", data={"csrf_token": csrf_token(lee, "/")})
    for username in ("wang.li", "hr.chen"):
        other = client(web, username)
        assert other.get("/analysis/grades").status_code == 403, username
        other.post("/logout", data={"csrf_token": csrf_token(other, "/")})


# -- a new file ------------------------------------------------------------------------

def test_the_new_form_offers_no_grade_and_a_new_file_is_ungraded(web, svc):
    wang = client(web, "wang.li")
    url = "/customers/new?card=distributor"
    html = wang.get(url).get_data(as_text=True)
    assert 'id="grade"' not in html and '<datalist id="classes-region">' in html
    # Even a posted grade is not taken: the file gets its standard's (none, without sales).
    response = send(wang, html, "/customers/new", {
        "basic.name": "新開發貿易", "basic.phone": "02-2222-3333", "basic.address": "臺北市",
        "classification.region": "北區", "grade": "A"}, url=url)
    assert response.status_code == 302
    created = response.headers["Location"].rsplit("/", 1)[-1]
    assert yamlio.load(svc.archive.read(customer_path(created)))["grade"] == ""


def test_the_list_filters_offer_the_lists_and_flag_values_outside_them(web, svc):
    make(svc)  # industry 電子, outside the default list
    html = client(web, "wang.li").get("/customers/").get_data(as_text=True)
    region = html[html.index('id="filter-region"'):html.index("</select>",
                                                               html.index('id="filter-region"'))]
    assert region.index("北區") < region.index("中區") < region.index("海外")
    assert "電子 (not in the list)" in html and "貿易" in html


def test_the_hidden_page_offers_figures_to_the_analysis_roles_alike_for_any_id(web, svc):
    customer = make(svc)
    wu = client(web, "info.wu")
    for asked in (customer, "C999999"):
        page = wu.get(f"/customers/{asked}").get_data(as_text=True)
        assert f'href="/customers/{asked}/figures"' in page
    assert wu.get("/customers/C999999/figures").status_code == 403
