"""Customer pages through the test client on a real archive: list, create, edit, conflicts,
history, restore, damaged files and refusals. Forms are read from the served HTML and sent back
the way a browser would, so the tests break when a page and its view disagree."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from intranet.archive.repository import Change
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import SYSTEM, git, sign_in
from .html_forms import read_form


def send(client, html: str, action: str, changes: dict | None = None, button: str = "save",
         drop: tuple[str, ...] = (), url: str | None = None):
    """Post the form of a page with some fields changed, pressing ``button``."""
    fields = [(k, v) for k, v in read_form(html, action) if k not in drop]
    changes = changes or {}
    fields = [(k, v) for k, v in fields if k not in changes]
    fields += [(k, v) for k, values in changes.items()
               for v in (values if isinstance(values, list) else [values])]
    if button:
        fields.append((button, "1"))
    return client.post(url or action, data=MultiDict(fields))


def make(svc, card: str = "distributor", author: str = "wang.li", **fields) -> str:
    """Create a customer through the domain and return its id."""
    defaults = {"basic.name": "東方貿易", "basic.phone": "02-2531-7099",
                "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
                "classification.industry": "電子", "custody.owner": author,
                "custody.department": "sales"}
    return svc.files.create(new_record(card, **{**defaults, **fields}), author)[0]


def file_bytes(svc, customer_id: str) -> str:
    return svc.archive.read(customer_path(customer_id)).decode()


@pytest.fixture
def client(signed_in):
    """The signed-in salesperson wang.li, reading English pages."""
    signed_in.set_cookie("lang", "en")
    return signed_in


@pytest.fixture
def repo(app) -> str:
    return app.config["ARCHIVE_REPO"]


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


# --- the list --------------------------------------------------------------------------------

def test_list_search_filters_sorting_and_paging(client, svc):
    a = make(svc, **{"basic.name": "東方貿易", "grade": "A", "vip": True})
    b = make(svc, card="terminal", author="chen.yu",
             **{"basic.name": "西山製造", "classification.region": "南區", "grade": "B"})
    c = make(svc, **{"basic.name": "北極星商行", "stage": "active"})
    html = page(client, "/customers/")
    assert "3 customers" in html and all(x in html for x in (a, b, c))
    assert "陳宇" in html  # custodian shown by name, from the directory
    assert 'class="badge badge-vip"' in html

    found = page(client, "/customers/?q=西山")
    assert "1 customer" in found and b in found and a not in found

    for query, expected in [("region=南區", b), ("vip=1", a), ("owner=chen.yu", b),
                            ("card=terminal", b), ("stage=active", c), ("grade=A", a)]:
        html = page(client, f"/customers/?{query}")
        assert "1 customer" in html and expected in html, query
        assert 'selected' in html

    asc = page(client, "/customers/?sort=name")
    assert asc.index("北極星商行") < asc.index("東方貿易") < asc.index("西山製造")
    assert 'aria-sort="ascending"' in asc and "sort=name&amp;desc=1" in asc
    desc = page(client, "/customers/?sort=id&desc=1")
    assert desc.index(c) < desc.index(b) < desc.index(a)
    assert 'aria-sort="descending"' in desc

    first = page(client, "/customers/?per_page=2&sort=id")
    assert a in first and b in first and c not in first.split("<tbody>")[1]
    assert "page=2" in first and "Next" in first
    assert "per_page=2" in first  # page links keep the whole state
    second = page(client, "/customers/?per_page=2&sort=id&page=2")
    assert c in second and a not in second.split("<tbody>")[1]


def test_empty_list_suggests_clearing_the_search(client, svc):
    make(svc)
    html = page(client, "/customers/?q=不存在的名字&region=北區")
    assert "0 customers" in html and "No customer matches" in html
    assert 'href="/customers/">Clear the search and filters' in html


def test_list_flags_a_damaged_file(client, svc):
    customer = make(svc)
    path = customer_path(customer)
    svc.archive.commit(lambda s: Change({path: b"basic: [x\n"}, "bad"), SYSTEM)
    html = page(client, "/customers/")
    assert "table-danger" in html and "Damaged file" in html


# --- new customers ---------------------------------------------------------------------------

def test_new_customer_first_asks_for_the_card(client):
    html = page(client, "/customers/new")
    assert "/customers/new?card=distributor" in html and "/customers/new?card=terminal" in html
    assert "Distributor card" in html and "Terminal customer card" in html


def test_create_distributor_and_terminal_through_the_form(client, svc, repo):
    action = "/customers/new"
    html = page(client, "/customers/new?card=distributor")
    assert 'name="basic.name"' in html and 'name="people-0.name"' in html
    # Custody is not on the form: a new file is kept by its creator at personal level.
    assert 'name="custody.' not in html
    response = send(client, html, action, {
        "basic.name": "東方貿易股份有限公司", "basic.phone": "02-2531-7099",
        "basic.address": "臺北市中山區", "classification.region": "北區",
        "credit.grade": "A", "credit.limit": "1,000,000", "people-0.name": "張大同",
        "people-0.role": "負責人",
    }, url="/customers/new?card=distributor")
    assert response.status_code == 302 and response.location.endswith("/customers/C000001")
    text = file_bytes(svc, "C000001")
    for value in ("東方貿易股份有限公司", "card: distributor", "北區", "limit: 1000000",
                  "張大同", "owner: wang.li", "department: sales", "level: personal"):
        assert value in text
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == "王立 <wang.li@example.com>"
    assert "created" in page(client, "/customers/C000001")

    html = page(client, "/customers/new?card=terminal")
    response = send(client, html, action, {
        "basic.name": "西山精密", "basic.phone": "04-2255-1234",
        "classification.industry": "精密機械",
    }, url="/customers/new?card=terminal")
    assert response.status_code == 302
    text = file_bytes(svc, "C000002")
    assert "card: terminal" in text and "精密機械" in text and "西山精密" in text
    assert "people: []" in text  # the unused person slot is not a person


def test_hostile_input_is_escaped_or_refused(client, svc):
    action, url = "/customers/new", "/customers/new?card=terminal"
    base = {"basic.phone": "04-2255-1234", "classification.industry": "電子"}
    html = page(client, url)
    head = svc.archive.head()
    for bad in ({"basic.name": "東方\x00公司"}, {"basic.name": "東方", "notes": "x" * 20_000},
                {"basic.name": "東方", "basic.email": "a@b@c"}):
        response = send(client, html, action, {**base, **bad}, url=url)
        assert response.status_code == 200 and "Nothing was saved" in response.get_data(True)
        assert svc.archive.head() == head
    script = '<script>alert("x")</script>東方'
    response = send(client, html, action, {**base, "basic.name": script,
                                           "notes": '"><img src=x onerror=alert(1)>'}, url=url)
    assert response.status_code == 302
    card = page(client, "/customers/C000001")
    assert "<script>alert" not in card and "<img src=x" not in card
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;東方" in card
    assert script in file_bytes(svc, "C000001")  # kept exactly as typed, escaped on the page


def test_invalid_form_shows_field_errors_and_writes_nothing(client, svc, repo):
    head = svc.archive.head()
    html = page(client, "/customers/new?card=distributor")
    response = send(client, html, "/customers/new", {
        "basic.name": "", "basic.phone": "abc", "credit.limit": "lots",
    }, url="/customers/new?card=distributor")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Enter a number" in body and "Nothing was saved" in body
    assert svc.archive.head() == head
    # The number is fine now: the domain's own errors come back on their fields.
    response = send(client, body, "/customers/new", {"credit.limit": "100"},
                    url="/customers/new?card=distributor")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and svc.archive.head() == head
    name_field = body[body.index('id="basic.name"') - 300: body.index('id="basic.name"') + 400]
    assert "is-invalid" in name_field and "Required" in name_field
    assert "phone number" in body  # the phone format message
    assert 'value="abc"' in body  # what was typed comes back


def test_add_a_person_without_javascript(client, svc):
    customer = make(svc)
    html = page(client, f"/customers/{customer}/edit")
    head = svc.archive.head()
    response = send(client, html, f"/customers/{customer}/edit",
                    {"people-0.name": "甲"}, button="add_person")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="people-1.name"' in body
    assert 'value="甲"' in body and svc.archive.head() == head
    send(client, body, f"/customers/{customer}/edit", {"people-1.name": "乙"})
    text = file_bytes(svc, customer)
    assert "name: 甲" in text and "name: 乙" in text
    html = page(client, f"/customers/{customer}/edit")
    send(client, html, f"/customers/{customer}/edit", {"people-0.remove": "y"})
    text = file_bytes(svc, customer)
    assert "name: 甲" not in text and "name: 乙" in text


# --- editing ---------------------------------------------------------------------------------

def test_edit_commits_with_the_field_in_the_message(client, svc, repo):
    # chen.yu keeps the file and lists wang.li among the staff in contact, who may edit it.
    customer = make(svc, author="chen.yu", **{"custody.contacts": ["wang.li"]})
    html = page(client, f"/customers/{customer}/edit")
    response = send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-8888-1234"})
    assert response.status_code == 302 and response.location.endswith(f"/customers/{customer}")
    assert "02-8888-1234" in file_bytes(svc, customer)
    log = git(repo, "log", "-1", "--format=%an%n%B")
    assert log.startswith("王立\n") and "電話" in log and "Action: update" in log
    # Saving the unchanged form commits nothing.
    head = svc.archive.head()
    html = page(client, f"/customers/{customer}/edit")
    response = send(client, html, f"/customers/{customer}/edit")
    assert response.status_code == 302 and svc.archive.head() == head
    assert "Nothing changed" in page(client, f"/customers/{customer}")


def test_edit_keeps_contacts_and_keys_the_form_does_not_show(client, svc):
    record = new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099", "basic.address": "臺北市",
        "classification.region": "北區", "custody.owner": "wang.li",
        "custody.department": "sales"})
    record["contacts"] = [{"date": "2024-03-01", "channel": "visit", "staff": "wang.li",
                           "summary": "拜訪討論新品", "report": "", "source": "visit",
                           "confidential": False, "recorded_on": "2024-03-01"}]
    record["people"] = [{"name": "張三", "role": "負責人", "nickname": "老張"}]
    record["legacy_code"] = "OLD-77"
    record["basic"]["fax_note"] = "傳真請註明部門"
    customer = svc.files.create(record, "wang.li")[0]
    html = page(client, f"/customers/{customer}/edit")
    response = send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-2531-0000"})
    assert response.status_code == 302
    text = file_bytes(svc, customer)
    for kept in ("拜訪討論新品", "legacy_code: OLD-77", "fax_note: 傳真請註明部門",
                 "nickname: 老張", "02-2531-0000"):
        assert kept in text


def test_stale_form_merges_changes_to_other_fields(client, svc):
    customer = make(svc)
    first = page(client, f"/customers/{customer}/edit")
    second = page(client, f"/customers/{customer}/edit")  # same base revision
    assert send(client, first, f"/customers/{customer}/edit",
                {"basic.phone": "02-1111-2222"}).status_code == 302
    assert send(client, second, f"/customers/{customer}/edit",
                {"basic.address": "新北市板橋區"}).status_code == 302
    text = file_bytes(svc, customer)
    assert "02-1111-2222" in text and "新北市板橋區" in text


def test_same_field_conflict_answers_409_and_resolves(web, svc, repo):
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    other = web.application.test_client()
    sign_in(other, "chen.yu")
    sign_in(web, "wang.li")
    web.set_cookie("lang", "en")
    edit = f"/customers/{customer}/edit"
    mine = page(web, edit)
    theirs = page(other, edit)
    assert send(other, theirs, edit, {"basic.phone": "02-3333-4444"}).status_code == 302
    head = svc.archive.head()

    response = send(web, mine, edit, {"basic.phone": "02-5555-6666", "basic.address": "高雄市"})
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "02-3333-4444" in body and "02-5555-6666" in body and "陳宇" in body
    assert 'name="choice-0"' in body and "checked" not in body.split('name="choice-0"')[1][:60]
    assert svc.archive.head() == head  # nothing written
    assert 'value="高雄市"' in body  # my other change is still in the form
    assert f'value="{head}"' in body  # the form is now based on the head

    # Sending it back without a choice asks again.
    again = send(web, body, edit)
    assert again.status_code == 409 and svc.archive.head() == head
    assert "Choose which value to keep" in again.get_data(as_text=True)

    done = send(web, body, edit, {"choice-0": "mine"})
    assert done.status_code == 302
    text = file_bytes(svc, customer)
    assert "02-5555-6666" in text and "高雄市" in text
    assert git(repo, "log", "-1", "--format=%an").strip() == "王立"


def test_conflict_resolved_with_their_value(web, svc):
    customer = make(svc, **{"custody.contacts": ["chen.yu"]})
    other = web.application.test_client()
    sign_in(other, "chen.yu")
    sign_in(web, "wang.li")
    edit = f"/customers/{customer}/edit"
    mine, theirs = page(web, edit), page(other, edit)
    send(other, theirs, edit, {"basic.phone": "02-3333-4444"})
    body = send(web, mine, edit, {"basic.phone": "02-5555-6666",
                                  "basic.postcode": "104"}).get_data(as_text=True)
    assert send(web, body, edit, {"choice-0": "theirs"}).status_code == 302
    text = file_bytes(svc, customer)
    assert "02-3333-4444" in text and "02-5555-6666" not in text and "postcode: '104'" in text


# --- the customer page -----------------------------------------------------------------------

def test_customer_page_shows_the_card(client, svc):
    customer = make(svc, **{"grade": "A", "vip": True, "characteristics.employees": 120,
                            "transactions.strengths": "通路廣"})
    html = page(client, f"/customers/{customer}")
    for text in ("東方貿易", "VIP", "Distributor card", "王立", "Personal level",
                 "Basic data", "Characteristics", "Business status", "Transactions",
                 "Classification", "Credit", "Custody", "通路廣", "120", "data-print",
                 f"/customers/{customer}/edit", f"/customers/{customer}/history"):
        assert text in html, text
    assert "重點客戶" in html  # the policy's description of grade A


def test_damaged_file_shows_a_clear_page(client, svc):
    customer = make(svc)
    path = customer_path(customer)
    svc.archive.commit(lambda s: Change({path: b"basic: [x\n"}, "bad"), SYSTEM)
    response = client.get(f"/customers/{customer}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "damaged" in body and f"/customers/{customer}/history" in body
    assert "basic: [x" in body  # the stored text, for whoever repairs it
    assert client.get(f"/customers/{customer}/edit").status_code == 200
    history = page(client, f"/customers/{customer}/history")
    bad = re.findall(rf"/customers/{customer}/history/([0-9a-f]{{40}})", history)[0]
    version = page(client, f"/customers/{customer}/history/{bad}")
    assert "This version is damaged" in version and "cannot be compared" in version
    assert "data-confirm" not in version  # a damaged version offers no restore


def test_unknown_malformed_and_foreign_ids(client, svc, repo):
    customer = make(svc)
    other = make(svc, **{"basic.name": "另一家"})
    foreign = git(repo, "log", "--format=%H", "--", "org/staff.yaml").split()[0]
    other_commit = git(repo, "log", "-1", "--format=%H").strip()
    # A file that does not exist answers like a hidden one (R36): 403, nothing of any file.
    for url in ("/customers/C999999", "/customers/nonsense", "/customers/C12",
                "/customers/C999999/edit", "/customers/C999999/history"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You may not see this file, or it does not exist." in response.get_data(True)
    # A file one may read: a commit that is not one of its versions is simply not found.
    for url in (f"/customers/{customer}/history/{foreign}",
                f"/customers/{customer}/history/{other_commit}",
                f"/customers/{customer}/history/zzzz",
                f"/customers/{customer}/history/{foreign}/restore"):
        assert client.get(url).status_code == 404, url
    assert other in page(client, f"/customers/{other}")


def test_post_without_csrf_token_is_refused(client, svc):
    customer = make(svc)
    head = svc.archive.head()
    html = page(client, f"/customers/{customer}/edit")
    response = send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-9999-0000"},
                    drop=("csrf_token",))
    assert response.status_code == 400 and svc.archive.head() == head
    response = client.post("/customers/new?card=distributor", data={"basic.name": "X"})
    assert response.status_code == 400 and svc.archive.head() == head


def test_pages_need_a_signed_in_user(web, svc):
    customer = make(svc)
    for url in ("/customers/", f"/customers/{customer}", f"/customers/{customer}/history"):
        response = web.get(url)
        assert response.status_code == 302 and "/login" in response.location


# --- history and restore ---------------------------------------------------------------------

def test_history_lists_versions_and_the_version_shows_its_diff(client, svc):
    customer = make(svc, author="chen.yu", **{"custody.contacts": ["wang.li"]})
    html = page(client, f"/customers/{customer}/edit")
    send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-8888-1234"})
    history = page(client, f"/customers/{customer}/history")
    assert "陳宇" in history and "王立" in history
    assert "Created" in history and "Updated" in history
    commits = re.findall(rf"/customers/{customer}/history/([0-9a-f]{{40}})", history)
    assert len(commits) == 2
    latest = page(client, f"/customers/{customer}/history/{commits[0]}")
    assert '<del class="diff-old">02-2531-7099</del>' in latest
    assert '<ins class="diff-new">02-8888-1234</ins>' in latest
    assert "Phone" in latest
    first = page(client, f"/customers/{customer}/history/{commits[1]}")
    assert "東方貿易" in first and "restore" in first


def test_restore_makes_a_restore_commit(client, svc, repo):
    customer = make(svc)
    html = page(client, f"/customers/{customer}/edit")
    send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-8888-1234"})
    first = git(repo, "log", "--format=%H", "--", customer_path(customer)).split()[-1]
    restore = f"/customers/{customer}/history/{first}/restore"

    confirm = page(client, restore)
    assert "I want to restore this version" in confirm
    head = svc.archive.head()
    response = send(client, confirm, restore, button="submit")  # box not ticked
    assert response.status_code == 200 and svc.archive.head() == head

    version = page(client, f"/customers/{customer}/history/{first}")
    assert "data-confirm" in version
    response = send(client, version, restore, {"confirm": "y"}, button="submit")
    assert response.status_code == 302
    assert "Action: restore" in git(repo, "log", "-1", "--format=%B")
    assert "02-2531-7099" in file_bytes(svc, customer)


def test_restore_refused_when_the_file_changed_since(client, svc):
    customer = make(svc)
    html = page(client, f"/customers/{customer}/edit")
    send(client, html, f"/customers/{customer}/edit", {"basic.phone": "02-8888-1234"})
    versions = svc.index.versions(customer)
    old = versions[-1]["sha"]
    version = page(client, f"/customers/{customer}/history/{old}")
    html = page(client, f"/customers/{customer}/edit")
    send(client, html, f"/customers/{customer}/edit", {"basic.address": "臺中市"})
    head = svc.archive.head()
    restore = f"/customers/{customer}/history/{old}/restore"
    response = send(client, version, restore, {"confirm": "y"}, button="submit")
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and svc.archive.head() == head
    assert f"/customers/{customer}/history/{old}" in body
