"""Custody is its own action (R33): the custody page for the department manager and the
administrator only, and no other route (edit form, new file, restore, customer-form review,
grants) that changes it. Real archive, real forms with CSRF, each refusal 403 with nothing
written."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from intranet.actions import customer_form as form_actions
from intranet.archive.objects import Identity
from intranet.records.files import customer_form
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record
from intranet.records.files.yamlio import load
from intranet.records.rights import requests

from .conftest import PASSWORD, STAFF, app_in, csrf_token, git
from .test_web_access import client_for
from .test_web_customers import send

LEVELS = ("personal", "department", "company")
# Every file here: kept by the salesperson wang.li in sales, chen.yu listed as a contact,
# lin.sales2 (another department) holding an edit grant on it.
ACTORS = {
    "director": "director",
    "own_department_manager": "lee.mgr",
    "other_department_manager": "other.mgr",
    "salesperson_owner": "wang.li",
    "listed_contact": "chen.yu",
    "edit_grantee": "lin.sales2",
    "hr": "hr.chen",
    "general_manager": "gm",
    "vice_president": "vp",
}
ALLOWED = {("director", level) for level in LEVELS} | {
    ("lee.mgr", "personal"), ("lee.mgr", "department")}
# The change each level's file gets on the custody page.
TARGET = {"personal": "department", "department": "personal", "company": "department"}
REASON = "業務調整：改由部門共同維護"


def record(level: str, name: str = "保管測試客戶") -> dict:
    """Return a file of a level kept by wang.li with chen.yu as a contact."""
    data = new_record("distributor", **{
        "basic.name": name, "basic.phone": "02-2531-7099", "basic.address": "臺北市中山區",
        "classification.region": "北區", "custody.owner": "wang.li",
        "custody.department": "sales", "custody.level": level,
        "custody.contacts": ["chen.yu"]})
    return data


def grant_edit(archive, username: str, customers: list[str]) -> str:
    """Ask for and approve an edit grant through the real chain; return the request id."""
    rid = requests.create(archive, username, customers, "代管客戶", "edit", 5)
    for _round in range(10):
        req = requests.get(archive.snapshot(), rid)
        if req["status"] != "waiting":
            break
        for member in STAFF:
            try:
                requests.act(archive, rid, member["username"], True, "ok")
                break
            except requests.RequestError:
                continue
    assert requests.get(archive.snapshot(), rid)["status"] == "approved"
    return rid


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app: a file of each level with a contact and an edit grant; signed-in clients."""
    root = tmp_path_factory.mktemp("custody")
    app = app_in(root)
    svc = app.extensions["customer_archive"]
    svc.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
    ids = {level: svc.files.create(record(level), "wang.li")[0] for level in LEVELS}
    grant_edit(svc.archive, "lin.sales2", list(ids.values()))
    yield {"app": app, "svc": svc, "ids": ids, "clients": {}, "root": root}
    svc.close()


def fresh(world, level: str, name: str = "保管測試客戶") -> str:
    """Create a new file of a level (for a test that changes it)."""
    return world["svc"].files.create(record(level, name), "wang.li")[0]


def custody_of(world, customer: str) -> dict:
    """Return the custody section of a file at the head."""
    return load(world["svc"].archive.read(customer_path(customer)))["custody"]


def post_custody(client, customer: str, level: str, owner: str = "wang.li",
                 department: str = "sales", contacts: tuple[str, ...] = ("chen.yu",),
                 reason: str = REASON):
    """Post the custody page's form (the CSRF token from the navigation's sign-out form)."""
    data = [("csrf_token", csrf_token(client, "/")), ("level", level), ("owner", owner),
            ("department", department), ("reason", reason), ("submit", "1")]
    data += [("contacts", c) for c in contacts]
    return client.post(f"/customers/{customer}/custody", data=MultiDict(data))


@pytest.mark.parametrize(("role", "level"), [(r, lv) for r in ACTORS for lv in LEVELS
                                             if (ACTORS[r], lv) not in ALLOWED])
def test_the_custody_page_refuses_everyone_but_the_manager_and_the_director(world, role,
                                                                             level):
    username = ACTORS[role]
    customer, svc = world["ids"][level], world["svc"]
    client = client_for(world, username)
    head = svc.archive.head()
    assert client.get(f"/customers/{customer}/custody").status_code == 403
    response = post_custody(client, customer, TARGET[level],
                            contacts=("chen.yu", username))
    assert response.status_code == 403
    assert svc.archive.head() == head
    assert custody_of(world, customer)["level"] == level


@pytest.mark.parametrize(("username", "level"), sorted(ALLOWED))
def test_an_allowed_custody_change_is_one_commit_with_its_reason(world, username, level):
    svc, repo = world["svc"], world["root"] / "archive.git"
    customer = fresh(world, level)
    client = client_for(world, username)
    page = client.get(f"/customers/{customer}/custody")
    assert page.status_code == 200 and 'name="reason"' in page.get_data(as_text=True)
    head = svc.archive.head()
    response = post_custody(client, customer, TARGET[level], contacts=("chen.yu", "lee.mgr"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert git(repo, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    member = next(m for m in STAFF if m["username"] == username)
    author = git(repo, "log", "-1", "--format=%an <%ae>").strip()
    assert author == f"{member['name']} <{username}@example.com>"
    message = git(repo, "log", "-1", "--format=%B")
    assert REASON in message.split("\n\n")[1]
    assert "Action: custody" in message and f"Reason: {REASON}" in message
    assert f"Customer: {customer}" in message
    kept = custody_of(world, customer)
    assert kept["level"] == TARGET[level] and kept["contacts"] == ["chen.yu", "lee.mgr"]
    assert response.location.endswith(f"/customers/{customer}/custody")
    assert "Custody changed." in client.get(response.location).get_data(as_text=True)
    # The history shows the change and its reason (to the custodian, who reads the file).
    history = client_for(world, "wang.li").get(f"/customers/{customer}/history")
    assert "Custody changed" in history.get_data(as_text=True)
    assert REASON in history.get_data(as_text=True)


def test_a_department_manager_stays_within_the_department_and_below_company(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    manager = client_for(world, "lee.mgr")
    head = svc.archive.head()
    for change in ({"level": "company"}, {"level": "personal", "department": "sales2"},
                   {"level": "personal", "owner": "lin.sales2"},
                   {"level": "personal", "contacts": ("chen.yu", "vp")}):
        response = post_custody(manager, customer, **change)
        assert response.status_code == 403, change
        assert svc.archive.head() == head
    # Within the department: a new custodian among its staff, as one commit.
    assert post_custody(manager, customer, "personal", owner="chen.yu",
                        contacts=("wang.li",)).status_code == 302
    assert custody_of(world, customer)["owner"] == "chen.yu"


def test_the_director_sets_company_level_and_moves_departments(world):
    customer = fresh(world, "personal")
    director = client_for(world, "director")
    response = post_custody(director, customer, "company", owner="other.mgr",
                            department="sales2", contacts=())
    assert response.status_code == 302
    assert custody_of(world, customer) == {"level": "company", "owner": "other.mgr",
                                           "department": "sales2", "contacts": []}


def test_a_reason_is_required(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    head = svc.archive.head()
    response = post_custody(client_for(world, "lee.mgr"), customer, "department", reason="  ")
    assert response.status_code == 200 and svc.archive.head() == head
    assert "Give a reason for the change." in response.get_data(as_text=True)


HOSTILE = ({"custody.level": "company"}, {"custody.owner": "chen.yu"},
           {"custody.contacts": ["chen.yu", "info.wu"]}, {"custody.department": "sales2"})


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", list(ACTORS))
def test_custody_fields_posted_to_the_edit_form_are_refused(world, role, level):
    username = ACTORS[role]
    customer, svc = world["ids"][level], world["svc"]
    client = client_for(world, username)
    edit = f"/customers/{customer}/edit"
    form = client.get(edit)
    head = svc.archive.head()
    for change in HOSTILE:
        if form.status_code == 200:
            html = form.get_data(as_text=True)
            assert 'name="custody.' not in html  # custody is shown, not editable
            response = send(client, html, edit, {**change, "basic.phone": "02-2531-7100"})
        else:
            data = [("csrf_token", csrf_token(client, "/")), ("basic.name", "改名"),
                    ("save", "1"), *((k, v) for k, vs in change.items()
                                     for v in (vs if isinstance(vs, list) else [vs]))]
            response = client.post(edit, data=MultiDict(data))
        assert response.status_code == 403, (username, level, change)
        assert svc.archive.head() == head


def test_editors_still_edit_other_fields_and_see_custody_read_only(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    for username in ("wang.li", "chen.yu"):
        client = client_for(world, username)
        edit = f"/customers/{customer}/edit"
        html = client.get(edit).get_data(as_text=True)
        assert "Custody is not changed here." in html
        assert f'href="/customers/{customer}/custody"' not in html  # none of them may
        phone = f"02-2531-71{len(username):02d}"
        assert send(client, html, edit, {"basic.phone": phone}).status_code == 302
        assert phone in svc.archive.read(customer_path(customer)).decode()
    manager = client_for(world, "lee.mgr").get(f"/customers/{customer}/edit")
    # The manager reads the file by its level but edits it only with a grant: 403 here.
    assert manager.status_code == 403
    page = client_for(world, "lee.mgr").get(f"/customers/{customer}")
    assert f'href="/customers/{customer}/custody"' in page.get_data(as_text=True)
    assert custody_of(world, customer) == record("personal")["custody"]


def test_a_new_file_is_kept_by_its_creator_and_custody_fields_are_refused(world):
    svc = world["svc"]
    client = client_for(world, "chen.yu")
    url = "/customers/new?card=distributor"
    html = client.get(url).get_data(as_text=True)
    fields = {"basic.name": "新開客戶", "basic.phone": "02-2531-7000",
              "basic.address": "臺北市", "classification.region": "北區"}
    head = svc.archive.head()
    for change in HOSTILE:
        response = send(client, html, "/customers/new", {**fields, **change}, url=url)
        assert response.status_code == 403 and svc.archive.head() == head
    response = send(client, html, "/customers/new", fields, url=url)
    assert response.status_code == 302
    customer = response.location.rsplit("/", 1)[1]
    assert custody_of(world, customer) == {"level": "personal", "owner": "chen.yu",
                                           "department": "sales", "contacts": []}


def test_a_restore_keeps_the_current_custody_and_refuses_custody_fields(world):
    svc = world["svc"]
    customer = fresh(world, "personal", "還原前")
    first = svc.index.versions(customer)[-1]["sha"]
    owner = client_for(world, "wang.li")
    edit = f"/customers/{customer}/edit"
    assert send(owner, owner.get(edit).get_data(as_text=True), edit,
                {"basic.name": "還原後"}).status_code == 302
    assert post_custody(client_for(world, "lee.mgr"), customer, "department",
                        contacts=("chen.yu", "lee.mgr")).status_code == 302
    restore = f"/customers/{customer}/history/{first}/restore"
    html = owner.get(restore).get_data(as_text=True)
    head = svc.archive.head()
    for change in HOSTILE:
        response = send(owner, html, restore, {"confirm": "y", **change}, button="submit")
        assert response.status_code == 403 and svc.archive.head() == head
    response = send(owner, html, restore, {"confirm": "y"}, button="submit")
    assert response.status_code == 302 and svc.archive.head() != head
    text = svc.archive.read(customer_path(customer)).decode()
    assert "還原前" in text  # the fields are the old version's …
    assert custody_of(world, customer)["level"] == "department"  # … the custody today's
    assert custody_of(world, customer)["contacts"] == ["chen.yu", "lee.mgr"]


def test_the_customer_form_review_never_touches_custody(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    proposal = customer_form.new_proposal("P000001", {"basic.fax": "02-2531-7001"},
                                          "客戶王先生", "wang.li", date(2026, 11, 2))
    form_actions.submit(svc.files, customer, proposal, Identity("客戶王先生（客戶填表）",
                                                               "customer-form@intranet.invalid"))
    owner = client_for(world, "wang.li")
    url = f"/customers/{customer}/proposals/P000001"
    html = owner.get(url).get_data(as_text=True)
    head = svc.archive.head()
    for change in HOSTILE:
        response = send(owner, html, "", change, button="accept_all", url=url)
        assert response.status_code == 403 and svc.archive.head() == head
    assert send(owner, html, "", {}, button="accept_all", url=url).status_code == 302
    assert "02-2531-7001" in svc.archive.read(customer_path(customer)).decode()
    assert custody_of(world, customer) == record("personal")["custody"]


def test_a_revoked_grant_ends_everything_it_gave(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    rid = grant_edit(svc.archive, "info.wu", [customer])
    holder = client_for(world, "info.wu")
    edit = f"/customers/{customer}/edit"
    html = holder.get(edit).get_data(as_text=True)
    head = svc.archive.head()
    # An edit grant gives editing, never custody: not themselves, not anyone else.
    for contacts in (["chen.yu", "info.wu"], ["chen.yu", "vp"]):
        assert send(holder, html, edit, {"custody.contacts": contacts}).status_code == 403
        assert svc.archive.head() == head
    assert holder.get(f"/customers/{customer}/custody").status_code == 403
    assert send(holder, html, edit, {"basic.fax": "02-2531-7002"}).status_code == 302
    requests.revoke(svc.archive, rid, "info.wu")
    # After revocation: nothing to read, and a form loaded before cannot be saved.
    assert holder.get(f"/customers/{customer}").status_code == 403
    assert holder.get(edit).status_code == 403
    head = svc.archive.head()
    assert send(holder, html, edit, {"basic.fax": "02-2531-7003"}).status_code == 403
    assert svc.archive.head() == head


def test_a_stale_edit_keeps_the_custody_changed_meanwhile(world):
    svc = world["svc"]
    customer = fresh(world, "personal")
    contact = client_for(world, "chen.yu")
    edit = f"/customers/{customer}/edit"
    html = contact.get(edit).get_data(as_text=True)
    assert post_custody(client_for(world, "lee.mgr"), customer, "department",
                        contacts=("chen.yu", "lee.mgr")).status_code == 302
    assert send(contact, html, edit, {"basic.fax": "02-2531-7004"}).status_code == 302
    kept = custody_of(world, customer)
    assert kept["level"] == "department" and kept["contacts"] == ["chen.yu", "lee.mgr"]
    # Taken off the contacts meanwhile: the save is refused where it is made.
    assert post_custody(client_for(world, "lee.mgr"), customer, "department",
                        contacts=()).status_code == 302
    head = svc.archive.head()
    assert send(contact, html, edit, {"basic.fax": "02-2531-7005"}).status_code == 403
    assert svc.archive.head() == head
