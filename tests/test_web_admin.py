"""The administrator's pages (R2, R3, R37): staff, departments and the policy, through the
test client on a real archive."""

from __future__ import annotations

import copy
import json

import pytest

from intranet import create_app
from intranet.records.files import yamlio
from intranet.records.rulebook.policy import dump_policy

from .conftest import PASSWORD, STAFF, csrf_token, git, make_archive, sign_in
from .test_web_access import record

ADMIN_ROUTES = ["/admin/staff", "/admin/staff/wang.li", "/admin/departments",
                "/admin/departments/sales", "/admin/policy", "/admin/policy/yaml",
                "/admin/policy/history"]
POSTS = {"/admin/staff": {"username": "x.new"}, "/admin/staff/wang.li": {"name": "X"},
         "/admin/staff/wang.li/disable": {"left_on": "2026-01-01"},
         "/admin/departments": {"id": "new"}, "/admin/departments/sales": {"name": "X"},
         "/admin/policy/yaml": {"text": "max_grant_days: 3\n", "reason": "x"}}


def propose_and_approve(admin, approver, text: str, reason: str = "依營銷部建議修訂"):
    """Propose a policy text as the administrator and approve it as the general manager."""
    response = post(admin, "/admin/policy/yaml", {"text": text, "reason": reason})
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.location
    proposal_id = url.rsplit("/", 1)[1]
    decided = post(approver, f"/policy/proposals/{proposal_id}/decide", {"approve": "1"},
                   form_url=url)
    assert decided.status_code == 302
    return proposal_id


def admin_client(web):
    web.set_cookie("lang", "en")
    assert sign_in(web, "director").status_code == 302
    return web


@pytest.fixture
def admin(web):
    return admin_client(web)


def head(svc) -> str:
    return svc.archive.head()


def post(client, url: str, data: dict, form_url: str | None = None):
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


def staff_yaml(svc) -> dict:
    return yamlio.load(svc.archive.read("org/staff.yaml"), "org/staff.yaml")


def member(svc, username: str) -> dict | None:
    return next((m for m in staff_yaml(svc)["staff"] if m["username"] == username), None)


NEW = {"username": "new.person", "name": "新同事", "email": "new.person@example.com",
       "role": "salesperson", "department": "sales", "password": "initial pass 9",
       "confirm": "initial pass 9"}


@pytest.mark.parametrize("username", sorted({m["username"] for m in STAFF} - {"director"}))
def test_only_the_administrator(web, username):
    assert sign_in(web, username).status_code == 302
    for url in ADMIN_ROUTES:
        assert web.get(url).status_code == 403, url
    token = csrf_token(web, "/")
    for url, data in POSTS.items():
        assert web.post(url, data={**data, "csrf_token": token}).status_code == 403, url


def test_signed_out_is_sent_to_sign_in(web):
    response = web.get("/admin/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_administrator_role_comes_from_the_policy(app, svc, admin):
    for url in ADMIN_ROUTES:
        assert admin.get(url).status_code == 200, url
    text = svc.archive.read("policy.yaml").decode()
    data = yamlio.load(text)
    data["levels"]["company"]["custodian"] = "general_manager"
    gm = app.test_client()
    assert sign_in(gm, "gm").status_code == 302
    propose_and_approve(admin, gm, dump_policy(data).decode())
    assert admin.get("/admin/staff").status_code == 403
    assert gm.get("/admin/staff").status_code == 200


def test_add_member(app, svc, admin, tmp_path):
    before = head(svc)
    response = post(admin, "/admin/staff", NEW)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    author = git(svc.archive.path, "log", "-1", "--format=%an <%ae>|%cn|%s")
    assert author.startswith("林美華 <director@example.com>|客戶檔案系統|新增人員 new.person")
    entry = member(svc, "new.person")
    assert entry["role"] == "salesperson" and entry["department"] == "sales"
    assert entry["active"] is True
    assert "new.person" in admin.get("/admin/staff").get_data(as_text=True)
    # The new person signs in with the initial password ...
    other = app.test_client()
    assert sign_in(other, "new.person", "initial pass 9").status_code == 302
    # ... and the hash is in instance/, never in the archive.
    hashed = json.loads(svc.credentials.path.read_text())
    hashed = hashed.get("new.person") or hashed.get("users", {}).get("new.person")
    assert hashed
    everything = git(svc.archive.path, "log", "-p", "--all")
    assert hashed not in everything and "initial pass 9" not in everything


def test_change_role_and_department(svc, admin):
    before = head(svc)
    response = post(admin, "/admin/staff/wang.li", {
        "name": "王立", "email": "wang.li@example.com", "role": "department_manager",
        "department": "sales2"})
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = member(svc, "wang.li")
    assert entry["role"] == "department_manager" and entry["department"] == "sales2"
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    subject = git(svc.archive.path, "log", "-1", "--format=%an|%s")
    assert subject.startswith("林美華|更新人員 wang.li")


def test_disable_ends_open_sessions(app, svc, admin):
    victim = app.test_client()
    assert sign_in(victim, "chen.yu").status_code == 302
    assert victim.get("/").status_code == 200
    response = post(admin, "/admin/staff/chen.yu/disable", {"left_on": "2026-11-01"},
                    form_url="/admin/staff/chen.yu")
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = member(svc, "chen.yu")
    assert entry["active"] is False and entry["left_on"] == "2026-11-01"
    after = victim.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    assert sign_in(app.test_client(), "chen.yu").status_code != 302
    assert "Left" in admin.get("/admin/staff").get_data(as_text=True)


def test_disable_refuses_a_member_who_still_holds_files(app, svc, admin):
    customer, _ = svc.files.create(record("personal"), "wang.li")  # wang.li keeps it
    before = head(svc)
    response = post(admin, "/admin/staff/wang.li/disable", {"left_on": "2026-11-01"},
                    form_url="/admin/staff/wang.li")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/staff/wang.li/handover")
    assert head(svc) == before and member(svc, "wang.li")["active"] is True
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "hand them over first" in page and customer in page


@pytest.mark.parametrize("change, message", [
    ({"username": "wang.li"}, "already exists"),
    ({"role": "emperor"}, "Must be one of"),
    ({"department": "nowhere"}, "No department has the id nowhere"),
    ({"password": "short", "confirm": "short"}, "Enter between"),
    ({"username": "Bad Name!"}, ""),
])
def test_bad_member_writes_nothing(svc, admin, change, message):
    before = head(svc)
    credentials = svc.credentials.path.read_text()
    response = post(admin, "/admin/staff", {**NEW, **change})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in body and "invalid-feedback" in body
    assert head(svc) == before
    assert svc.credentials.path.read_text() == credentials


def test_departments(svc, admin):
    before = head(svc)
    response = post(admin, "/admin/departments", {"id": "export", "name": "外銷部",
                                                  "manager": "other.mgr"})
    assert response.status_code == 302, response.get_data(as_text=True)
    response = post(admin, "/admin/departments/export", {"name": "國際業務部",
                                                         "manager": "lee.mgr"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..HEAD").strip() == "2"
    log = git(svc.archive.path, "log", "-2", "--format=%an|%s").splitlines()
    assert log[0].startswith("林美華|更新部門 export")
    assert log[1].startswith("林美華|新增部門 export")
    departments = yamlio.load(svc.archive.read("org/departments.yaml"))["departments"]
    assert {"id": "export", "name": "國際業務部", "manager": "lee.mgr"} in departments
    assert "國際業務部" in admin.get("/admin/departments").get_data(as_text=True)


@pytest.mark.parametrize("url, data, message", [
    ("/admin/departments", {"id": "x1", "name": "X", "manager": "nobody"},
     "No member of staff is called nobody"),
    ("/admin/departments", {"id": "sales", "name": "X", "manager": ""}, "already used"),
    ("/admin/departments/sales", {"name": "X", "manager": "nobody"},
     "No member of staff is called nobody"),
])
def test_bad_department_writes_nothing(svc, admin, url, data, message):
    before = head(svc)
    response = post(admin, url, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert head(svc) == before


def test_manager_must_be_active(svc, admin):
    post(admin, "/admin/staff/lee.mgr/disable", {"left_on": "2026-11-01"},
         form_url="/admin/staff/lee.mgr")
    before = head(svc)
    response = post(admin, "/admin/departments/sales2", {"name": "業務二部",
                                                         "manager": "lee.mgr"})
    assert "No member of staff is called lee.mgr" in response.get_data(as_text=True)
    assert head(svc) == before


@pytest.mark.parametrize("text, message", [
    ("levels: [unclosed\n", "line "),
    ("- a list\n", "mapping"),
    ("max_grant_days: 0\n", "max_grant_days: Enter a whole number of days from 1 to 366"),
    ("levels:\n  company:\n    custodian: emperor\n", "levels.company.custodian: Must be one"),
])
def test_bad_policy_writes_nothing(svc, admin, text, message):
    before = head(svc)
    response = post(admin, "/admin/policy/yaml", {"text": text, "reason": "修訂"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert head(svc) == before


def test_policy_edit_and_history(app, svc, admin):
    page = admin.get("/admin/policy/yaml").get_data(as_text=True)
    assert "<textarea" in page and "policy-text" in page and "max_grant_days: 30" in page
    data = yamlio.load(svc.archive.read("policy.yaml"))
    data["max_grant_days"] = 14
    data["fines"]["late_update"] = 30
    gm = app.test_client()
    gm.set_cookie("lang", "en")
    assert sign_in(gm, "gm").status_code == 302
    propose_and_approve(admin, gm, dump_policy(data).decode())
    message = git(svc.archive.path, "log", "-1", "--format=%an|%B")
    assert message.startswith("趙總|更新政策：fines、max_grant_days（提案 PP000001）")
    assert "Action: policy" in message and "Proposed-By: 林美華 <director@example.com>" in message
    assert "max_grant_days: 14" in admin.get("/admin/policy/yaml").get_data(as_text=True)
    history = admin.get("/admin/policy/history").get_data(as_text=True)
    assert "更新政策：fines、max_grant_days" in history and "建立客戶檔案庫" in history
    assert "林美華 proposed, 趙總 approved" in history
    sha = git(svc.archive.path, "rev-list", "-1", "HEAD", "--", "policy.yaml").strip()
    first = git(svc.archive.path, "rev-list", "--max-parents=0", "HEAD").strip()
    assert f"/admin/policy/history/{sha}" in history
    old = admin.get(f"/admin/policy/history/{first}").get_data(as_text=True)
    assert "max_grant_days: 30" in old
    assert admin.get("/admin/policy/history/0123456789abcdef").status_code == 404
    before = head(svc)
    # The same text again changes nothing and commits nothing.
    again = post(admin, "/admin/policy/yaml", {"text": dump_policy(data).decode(), "reason": "x"})
    assert again.status_code == 200 and "Nothing changed" in again.get_data(as_text=True)
    assert head(svc) == before


def test_policy_edit_reaches_every_worker_without_restart(tmp_path):
    make_archive(tmp_path / "archive.git").close()
    apps = []
    for name in ("a", "b"):
        apps.append(create_app({
            "TESTING": True, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "INDEX_PATH": str(tmp_path / f"index-{name}.sqlite3"),
            "CREDENTIALS_PATH": str(tmp_path / "instance" / "credentials.json"),
            "SECRET_KEY": "test"}))
    a, b = apps
    try:
        svc_a = a.extensions["customer_archive"]
        svc_a.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
        customer = svc_a.files.create(record("company"), "director")[0]
        gm = b.test_client()
        gm.set_cookie("lang", "en")
        assert sign_in(gm, "gm").status_code == 302
        assert gm.get(f"/customers/{customer}").status_code == 200
        director = admin_client(a.test_client())
        data = copy.deepcopy(yamlio.load(svc_a.archive.read("policy.yaml")))
        data["levels"]["company"]["readers"].remove("general_manager")
        propose_and_approve(director, gm, dump_policy(data).decode())
        assert gm.get(f"/customers/{customer}").status_code == 403
    finally:
        for app in apps:
            app.extensions["customer_archive"].close()
