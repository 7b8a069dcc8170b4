"""Confidentiality through the test client (R33, R36): who sees which file on which route,
hidden and missing files answering alike, tampered ids, search and the list's catalogue cards."""

from __future__ import annotations

import re

import pytest

from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import PASSWORD, STAFF, app_in, sign_in
from .test_web_customers import send

# role in the matrix -> the test member of staff who plays it (files are in department sales)
ROLES = {
    "general_manager": "gm",
    "marketing_vp": "vp",
    "marketing_director": "director",
    "department_manager": "lee.mgr",
    "other_department_manager": "other.mgr",
    "owner_salesperson": "wang.li",
    "other_salesperson": "chen.yu",
    "hr": "hr.chen",
    "marketing_staff": "info.wu",
}
# level -> (custodian, the file's secret values: phone, address, person, notes)
FILES = {
    "company": ("director", ("02-7311-0001", "臺北市信義區機密路一號", "甄秘一", "總部專案備忘甲")),
    "department": ("lee.mgr", ("02-7322-0002", "新竹市東區機密路二號", "甄秘二",
                               "部門專案備忘乙")),
    "personal": ("wang.li", ("02-7333-0003", "高雄市苓雅區機密路三號", "甄秘三",
                             "個人專案備忘丙")),
}
READERS = {
    "company": {"gm", "vp", "director"},
    "department": {"lee.mgr"},  # R33: not the GM, the VP nor the director
    "personal": {"wang.li", "lee.mgr"},
}
EDITORS = {"company": {"director"}, "department": {"lee.mgr"}, "personal": {"wang.li"}}
ROUTES = {
    "view": "/customers/{id}",
    "edit": "/customers/{id}/edit",
    "history": "/customers/{id}/history",
    "version": "/customers/{id}/history/{sha}",
    "restore": "/customers/{id}/history/{sha}/restore",
}
WRITING = ("edit", "restore")
MISSING = "C999999"
# R15: the files' department (sales) reads their contact reports, and so does every reader of
# a file; the page that refuses them something else offers the reports (never for a missing id).
SALES = {"wang.li", "chen.yu", "lee.mgr"}
_REPORTS_LINK = re.compile(r'<a [^>]*href="/customers/ID/reports">[^<]*</a>')
_CSRF = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*"|(value=")[^"]*("[^>]*name="csrf_token")')


def record(level: str) -> dict:
    """Return a file of a level with its custodian and its secret values."""
    owner, (phone, address, person, notes) = FILES[level]
    data = new_record("distributor", **{
        "basic.name": f"{level}機密客戶", "basic.phone": phone, "basic.address": address,
        "classification.region": "北區", "classification.industry": "電子",
        "custody.owner": owner, "custody.department": "sales", "custody.level": level,
        "grade": "A", "notes": notes})
    data["people"] = [{"name": person, "role": "負責人"}]
    return data


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app for the module: a file of each level, two versions each, and signed-in clients."""
    root = tmp_path_factory.mktemp("access")
    app = app_in(root)
    svc = app.extensions["customer_archive"]
    svc.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
    ids, shas = {}, {}
    for level in FILES:
        data = record(level)
        customer, _commit = svc.files.create(data, FILES[level][0])[:2]
        loaded = svc.files.load(customer)
        changed = loaded.record
        changed["stage"] = "active"
        svc.files.save(customer, changed, loaded.commit, FILES[level][0])
        ids[level] = customer
        shas[level] = svc.index.versions(customer)[-1]["sha"]  # the first version
    clients = {}
    yield {"app": app, "svc": svc, "ids": ids, "shas": shas, "clients": clients}
    svc.close()


def client_for(world, username: str):
    """Return a client signed in as a member of staff, reading English pages."""
    if username not in world["clients"]:
        client = world["app"].test_client()
        client.set_cookie("lang", "en")
        assert sign_in(client, username).status_code == 302
        world["clients"][username] = client
    return world["clients"][username]


def url(route: str, customer: str, sha: str) -> str:
    """Return a route's address for a file and a version."""
    return ROUTES[route].format(id=customer, sha=sha)


def secrets(level: str) -> list[str]:
    """Return the values of a file that must never reach someone who may not read it."""
    phone, address, person, notes = FILES[level][1]
    return [phone, address, person, notes, phone.replace("-", ""), f"{level}機密客戶"]


def normalised(body: str, customer: str) -> str:
    """Return a page with the id, the form tokens and the reports link blanked out."""
    return _REPORTS_LINK.sub("", _CSRF.sub("CSRF", body.replace(customer, "ID")))


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("level", list(FILES))
@pytest.mark.parametrize("role", list(ROLES))
def test_matrix(world, role, level, route):
    username = ROLES[role]
    customer, sha = world["ids"][level], world["shas"][level]
    allowed = (EDITORS if route in WRITING else READERS)[level]
    response = client_for(world, username).get(url(route, customer, sha))
    body = response.get_data(as_text=True)
    if username in allowed:
        assert response.status_code == 200, body[:500]
        if route in ("view", "version"):
            assert FILES[level][1][0] in body
        return
    assert response.status_code == 403, body[:500]
    for value in secrets(level):
        assert value not in body, value
    assert "You may not see this file, or it does not exist." in body
    if role == "hr":
        # A role that reads no contents is told so, and who may: a request would not help.
        assert 'id="forbidden-never"' in body and "/request" not in body
    else:
        # The request button asks for the mode the refused route needs.
        mode = "?mode=edit" if route in WRITING else ""
        assert f'href="/customers/{customer}/request{mode}"' in body
    missing = client_for(world, username).get(url(route, MISSING, sha))
    assert missing.status_code == 403
    assert normalised(missing.get_data(as_text=True), MISSING) == normalised(body, customer)
    assert bool(_REPORTS_LINK.search(body.replace(customer, "ID"))) == \
        (username in SALES | READERS[level])
    assert not _REPORTS_LINK.search(missing.get_data(as_text=True).replace(MISSING, "ID"))


@pytest.mark.parametrize("username", sorted(set(ROLES.values())))
def test_tampered_ids_on_every_route(world, username):
    client = client_for(world, username)
    readable = [lv for lv in FILES if username in READERS[lv]]
    hidden = [lv for lv in FILES if username not in READERS[lv]]
    for level in hidden:
        customer = world["ids"][level]
        for other in FILES:  # a hidden file with any version id, its own or another's
            for route in ROUTES:
                response = client.get(url(route, customer, world["shas"][other]))
                assert response.status_code == 403, (route, other)
                assert all(v not in response.get_data(as_text=True) for v in secrets(level))
        for bad in (customer.lower(), customer + "0", f"{customer}%2F..", "../" + customer):
            response = client.get(f"/customers/{bad}")
            assert response.status_code in (403, 404)
            assert all(v not in response.get_data(as_text=True) for v in secrets(level))
        for readable_level in readable:  # a file one reads, with the hidden file's version
            response = client.get(url("version", world["ids"][readable_level],
                                      world["shas"][level]))
            assert response.status_code == 404
            assert all(v not in response.get_data(as_text=True) for v in secrets(level))


def test_hidden_file_cannot_be_written(world):
    svc, client = world["svc"], client_for(world, "chen.yu")
    customer, sha = world["ids"]["personal"], world["shas"]["personal"]
    head = svc.archive.head()
    owner = client_for(world, "wang.li")
    form = owner.get(f"/customers/{customer}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(
        "/customers/new?card=distributor").get_data(as_text=True)).group(1)
    response = send(client, form, f"/customers/{customer}/edit",
                    {"basic.phone": "02-0000-0000", "csrf_token": token})
    assert response.status_code == 403
    response = client.post(f"/customers/{customer}/history/{sha}/restore",
                           data={"csrf_token": token, "confirm": "y", "base": head})
    assert response.status_code == 403
    assert svc.archive.head() == head


def test_request_page_is_the_same_for_hidden_and_missing(world):
    client = client_for(world, "chen.yu")
    customer = world["ids"]["company"]
    hidden = client.get(f"/customers/{customer}/request", follow_redirects=True)
    missing = client.get(f"/customers/{MISSING}/request", follow_redirects=True)
    assert hidden.status_code == missing.status_code == 200
    body = hidden.get_data(as_text=True)
    assert 'action="/access/new"' in body  # the access request form, nothing of the file
    assert normalised(body, customer) == normalised(missing.get_data(as_text=True), MISSING)


@pytest.mark.parametrize("level", list(FILES))
def test_search_on_contents_only_finds_readable_files(world, level):
    customer = world["ids"][level]
    phone, address, person, notes = FILES[level][1]
    for username in sorted(set(ROLES.values())):
        client = client_for(world, username)
        for query in (phone, person, address[:6], notes[:4]):
            body = client.get(f"/customers/?q={query}").get_data(as_text=True)
            if username in READERS[level]:
                assert "1 customer" in body and customer in body, (username, query)
            else:
                assert "0 customers" in body and customer not in body, (username, query)
        by_name = client.get(f"/customers/?q={level}機密客戶").get_data(as_text=True)
        assert customer in by_name  # the catalogue is searchable by everyone
        by_id = client.get(f"/customers/?q={customer}").get_data(as_text=True)
        assert customer in by_id


def test_list_shows_catalogue_cards_of_hidden_files(world):
    client = client_for(world, "chen.yu")
    body = client.get("/customers/").get_data(as_text=True)
    for level, customer in world["ids"].items():
        row = body[body.index(f">{customer}<"):]
        row = row[:row.index("</tr>")]
        assert f"{level}機密客戶" in row and "北區" in row
        assert "Catalogue card only" in row
        assert "Active" not in row  # the stage is content
        assert all(v not in body for v in secrets(level)[:4])
    # Filtering on a content column does not reveal hidden files either.
    graded = client.get("/customers/?grade=A").get_data(as_text=True)
    assert "0 customers" in graded
    reader = client_for(world, "lee.mgr").get("/customers/?grade=A").get_data(as_text=True)
    assert "2 customers" in reader


def test_home_lists_only_readable_recent_changes(world):
    ids = world["ids"]
    home = client_for(world, "wang.li").get("/").get_data(as_text=True)
    assert ids["personal"] in home and ids["company"] not in home
    home = client_for(world, "chen.yu").get("/").get_data(as_text=True)
    assert all(customer not in home for customer in ids.values())
    home = client_for(world, "gm").get("/").get_data(as_text=True)
    assert ids["company"] in home  # R33: the GM reads company-level files only
    assert ids["department"] not in home and ids["personal"] not in home


def test_hr_may_not_create_files(world):
    assert client_for(world, "hr.chen").get("/customers/new").status_code == 403
    assert client_for(world, "info.wu").get("/customers/new").status_code == 200


def test_custody_never_changes_through_the_edit_form(world):
    # R33: custody has its own page (tests/test_web_custody.py); the edit form refuses
    # custody fields from anyone, the custodian and the administrator included.
    svc = world["svc"]
    data = record("personal")
    data["custody"]["contacts"] = ["chen.yu"]
    data["basic"]["phone"] = "02-7344-0004"
    customer = svc.files.create(data, "wang.li")[0]
    edit = f"/customers/{customer}/edit"
    for username in ("chen.yu", "wang.li"):
        client = client_for(world, username)
        html = client.get(edit).get_data(as_text=True)
        head = svc.archive.head()
        for change in ({"custody.level": "company"}, {"custody.owner": "chen.yu"},
                       {"custody.contacts": ["chen.yu", "info.wu"]}):
            assert send(client, html, edit, change).status_code == 403
            assert svc.archive.head() == head
    contact = client_for(world, "chen.yu")
    html = contact.get(edit).get_data(as_text=True)
    assert send(contact, html, edit, {"basic.phone": "02-7344-0005"}).status_code == 302
    assert "level: personal" in svc.archive.read(customer_path(customer)).decode()


def test_a_restore_keeps_the_current_custody(world):
    svc = world["svc"]
    data = record("personal")
    data["custody"]["contacts"] = ["chen.yu"]
    customer = svc.files.create(data, "wang.li")[0]
    first = svc.index.versions(customer)[-1]["sha"]
    from intranet.actions import custody

    custody.change(svc.files, "lee.mgr", customer, "department", "wang.li", "sales",
                   ["chen.yu"], "部門共管")
    head = svc.archive.head()
    restore = f"/customers/{customer}/history/{first}/restore"
    contact = client_for(world, "chen.yu")
    response = send(contact, contact.get(restore).get_data(as_text=True), restore,
                    {"confirm": "y"}, button="submit")
    # Nothing but custody changed since the first version: restoring it changes nothing.
    assert response.status_code == 302 and svc.archive.head() == head
    assert "level: department" in svc.archive.read(customer_path(customer)).decode()


def _documents(world) -> dict[str, str]:
    """Give each level's file one document (once per module); return level -> stored name."""
    if "documents" not in world:
        from datetime import date

        from intranet.records.files import documents

        from .doc_samples import PDF
        world["documents"] = {}
        for level, customer in world["ids"].items():
            upload = documents.Upload(PDF + level.encode(), f"{level}機密合約.pdf")
            entry = documents.add(world["svc"].files, customer, upload, FILES[level][0],
                                  date(2026, 11, 20))[1]
            world["documents"][level] = entry["file"].rpartition("/")[2]
    return world["documents"]


def _journalled(world, username: str, customer: str, action: str) -> list[bool]:
    """Return the answers the journal holds for a user, a file and an action."""
    import json

    with open(world["svc"].journal.path, encoding="utf-8") as handle:
        found = [json.loads(line) for line in handle if line.strip()]
    return [e["allowed"] for e in found
            if (e["user"], e["customer"], e["action"]) == (username, customer, action)]


@pytest.mark.parametrize("level", list(FILES))
@pytest.mark.parametrize("role", list(ROLES))
def test_matrix_document_download(world, role, level):
    username, customer = ROLES[role], world["ids"][level]
    name = _documents(world)[level]
    client = client_for(world, username)
    client.get("/customers/?q=-")  # show any message left from an earlier test's save
    before = _journalled(world, username, customer, "document")
    response = client.get(f"/customers/{customer}/documents/{name}")
    assert _journalled(world, username, customer, "document")[len(before):] == \
        [username in READERS[level]]
    if username in READERS[level]:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        return
    body = response.get_data(as_text=True)
    assert response.status_code == 403
    assert all(value not in body for value in secrets(level))
    assert f"{level}機密合約" not in body and "%PDF" not in body
    missing = client.get(f"/customers/{MISSING}/documents/{name}")
    assert missing.status_code == 403
    assert normalised(missing.get_data(as_text=True), MISSING) == normalised(body, customer)


@pytest.mark.parametrize("level", list(FILES))
@pytest.mark.parametrize("role", list(ROLES))
def test_matrix_export(world, role, level):
    username, customer = ROLES[role], world["ids"][level]
    client = client_for(world, username)
    before = _journalled(world, username, customer, "export")
    response = client.get(f"/customers/export.csv?q={customer}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    exported = _journalled(world, username, customer, "export")[len(before):]
    if username in READERS[level]:
        assert customer in body and FILES[level][1][0] in body
        assert exported == [True]
        return
    # A catalogue card in the list, but nothing of the file in the export, not even its name.
    assert f"{level}機密客戶" in client.get(f"/customers/?q={customer}").get_data(as_text=True)
    assert customer not in body
    assert all(value not in body for value in secrets(level))
    assert exported == []
