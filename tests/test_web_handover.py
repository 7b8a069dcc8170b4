"""The hand-over page (R32) through the test client on a real archive, checked with plain git."""

from __future__ import annotations

import re

import pytest
from werkzeug.datastructures import MultiDict

from intranet.records.files import yamlio
from intranet.records.files.schema import new_record

from .conftest import STAFF, csrf_token, git, sign_in
from .html_forms import read_form

URL = "/admin/staff/wang.li/handover"
SECRET_PHONE = "02-7654-3210"
SECRET_ADDRESS = "臺北市機密路九號"


def make(svc, name: str, owner: str, contacts: list[str], level: str = "personal") -> str:
    data = new_record("distributor", **{
        "basic.name": name, "basic.phone": SECRET_PHONE, "basic.address": SECRET_ADDRESS,
        "classification.region": "北區", "custody.owner": owner, "custody.department": "sales",
        "custody.level": level, "custody.contacts": contacts, "notes": "機密備忘"})
    return svc.files.create(data, owner)[0]


@pytest.fixture
def files(svc):
    return {"kept": make(svc, "東方貿易", "wang.li", ["wang.li"]),
            "contact": make(svc, "西方實業", "chen.yu", ["chen.yu", "wang.li"]),
            # A file the administrator may not read: it still appears, as a catalogue card.
            "mine": make(svc, "南方企業", "wang.li", [], level="personal"),
            "other": make(svc, "北方商行", "lee.mgr", [])}


@pytest.fixture
def admin(web):
    web.set_cookie("lang", "en")
    assert sign_in(web, "director").status_code == 302
    return web


def submit(client, changes: dict | None = None, drop: tuple[str, ...] = ()):
    """Post the hand-over form as a browser would, with some fields changed."""
    page = client.get(URL).get_data(as_text=True)
    fields = [(k, v) for k, v in read_form(page, URL) if k not in drop]
    changes = {"confirm": "y", **(changes or {})}
    fields = [(k, v) for k, v in fields if k not in changes] + [
        (k, v) for k, v in changes.items() if v is not None]
    return client.post(URL, data=MultiDict(fields))


def record(svc, customer_id: str) -> dict:
    return svc.files.load(customer_id).record


def test_the_staff_page_offers_leaving_for_active_members(svc, admin):
    page = admin.get("/admin/staff").get_data(as_text=True)
    assert 'href="/admin/staff/wang.li/handover"' in page
    assert "Leaving…" in page
    assert 'href="/admin/staff/wang.li/handover"' in admin.get(
        "/admin/staff/wang.li").get_data(as_text=True)


def test_the_page_lists_every_file_as_a_catalogue_card(svc, admin, files):
    response = admin.get(URL)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for key in ("kept", "contact", "mine"):
        assert files[key] in page
    assert files["other"] not in page
    assert "東方貿易" in page and "西方實業" in page and "南方企業" in page
    assert "Custodian" in page and "Contact" in page and "Personal level" in page
    # Contents never: the hand-over acts on custody only.
    assert SECRET_PHONE not in page and SECRET_ADDRESS not in page and "機密備忘" not in page
    # The manager is proposed for every file.
    fields = dict(read_form(page, URL))
    for key in ("kept", "contact", "mine"):
        assert fields[f"to_{files[key]}"] == "lee.mgr"
    assert fields["base"] == svc.archive.head()
    # HR reads no contents, so cannot take files; the leaver cannot take their own.
    options = re.findall(r'<option[^>]*value="([^"]*)"', page)
    assert "hr.chen" not in options and "wang.li" not in options and "chen.yu" in options


def test_hand_over_is_one_commit_and_ends_the_leavers_session(app, svc, admin, files):
    leaver = app.test_client()
    assert sign_in(leaver, "wang.li").status_code == 302
    assert leaver.get("/").status_code == 200
    before = svc.archive.head()
    response = submit(admin, {f"to_{files['contact']}": "chen.yu", "left_on": "2026-11-30"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith("/admin/staff/wang.li")
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    log = git(svc.archive.path, "log", "-1", "--format=%an|%s|%b")
    assert log.startswith("林美華|交接 王立 → 李經理、陳宇：3 個客戶檔案|")
    assert "Action: handover" in log and "Staff: wang.li" in log
    staff = yamlio.load(git(svc.archive.path, "show", "HEAD:org/staff.yaml"))["staff"]
    gone = next(m for m in staff if m["username"] == "wang.li")
    assert gone["active"] is False and gone["left_on"] == "2026-11-30"
    assert record(svc, files["kept"])["custody"]["owner"] == "lee.mgr"
    assert record(svc, files["mine"])["custody"]["owner"] == "lee.mgr"
    assert record(svc, files["contact"])["custody"]["contacts"] == ["chen.yu"]
    flashed = admin.get("/admin/staff/wang.li").get_data(as_text=True)
    assert "3 customer files were handed over in commit " + svc.archive.head()[:10] in flashed
    # The leaver's open session ends and they cannot sign in again.
    after = leaver.get("/")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    assert sign_in(app.test_client(), "wang.li").status_code != 302
    assert leaver.get(f"/customers/{files['mine']}").status_code == 302


def test_set_all_overrides_each_row(app, svc, admin, files):
    app.config["TODAY"] = "2026-11-20"
    assert dict(read_form(admin.get(URL).get_data(as_text=True), URL))["left_on"] == "2026-11-20"
    response = submit(admin, {"bulk": "chen.yu"})
    assert response.status_code == 302, response.get_data(as_text=True)
    for key in ("kept", "mine"):
        assert record(svc, files[key])["custody"]["owner"] == "chen.yu"
    task = record(svc, files["contact"])["tasks"][0]
    assert (task["assignee"], task["created_on"], task["due_on"]) == (
        "chen.yu", "2026-11-20", "2026-11-27")


@pytest.mark.parametrize("changes, drop, message", [
    ({"confirm": None}, ("confirm",), "Required"),
    ({"left_on": "2026-02-30"}, (), "Enter a real date as YYYY-MM-DD"),
])
def test_bad_form_writes_nothing(svc, admin, files, changes, drop, message):
    before = svc.archive.head()
    response = submit(admin, changes, drop)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert svc.archive.head() == before


def test_a_successor_who_may_not_take_files_is_refused(svc, admin, files):
    before = svc.archive.head()
    response = submit(admin, {f"to_{files['kept']}": "hr.chen"})
    assert response.status_code == 409
    assert "cannot take over files: hr.chen" in response.get_data(as_text=True)
    assert svc.archive.head() == before


def test_a_file_taken_over_since_the_page_was_shown_is_refused(svc, admin, files):
    page = admin.get(URL).get_data(as_text=True)
    fields = [*read_form(page, URL), ("confirm", "y")]
    loaded = svc.files.load(files["kept"])
    taken = loaded.record
    taken["custody"].update(owner="chen.yu", contacts=["chen.yu"])
    svc.files.save(files["kept"], taken, loaded.commit, "wang.li")
    before = svc.archive.head()
    response = admin.post(URL, data=MultiDict(fields))
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed hands since the list was made" in body and files["kept"] in body
    assert svc.archive.head() == before
    # The page shown again is the fresh list, at the new head, without the taken file's row.
    assert dict(read_form(body, URL))["base"] == before
    assert f"to_{files['kept']}" not in dict(read_form(body, URL))


def test_csrf_is_required(svc, admin, files):
    before = svc.archive.head()
    page = admin.get(URL).get_data(as_text=True)
    fields = [(k, v) for k, v in read_form(page, URL) if k != "csrf_token"] + [("confirm", "y")]
    assert admin.post(URL, data=MultiDict(fields)).status_code == 400
    assert svc.archive.head() == before


def test_the_administrator_cannot_hand_over_themselves(svc, admin, files):
    url = "/admin/staff/director/handover"
    page = admin.get(url).get_data(as_text=True)
    assert "Another administrator must hand over your own files." in page
    before = svc.archive.head()
    fields = [*read_form(page, url), ("confirm", "y")]
    assert admin.post(url, data=MultiDict(fields)).status_code == 400
    assert svc.archive.head() == before


@pytest.mark.parametrize("username", sorted({m["username"] for m in STAFF} - {"director"}))
def test_only_the_administrator(web, svc, files, username):
    assert sign_in(web, username).status_code == 302
    before = svc.archive.head()
    assert web.get(URL).status_code == 403
    token = csrf_token(web, "/")
    response = web.post(URL, data={"csrf_token": token, "confirm": "y", "left_on": "2026-11-30",
                                   f"to_{files['kept']}": username, "base": before})
    assert response.status_code == 403
    assert svc.archive.head() == before


def test_an_unknown_member_is_404(admin):
    assert admin.get("/admin/staff/nobody/handover").status_code == 404


def test_the_successor_sees_the_task_on_the_home_page_and_the_file(app, svc, admin, files):
    assert submit(admin).status_code == 302
    successor = app.test_client()
    successor.set_cookie("lang", "en")
    assert sign_in(successor, "lee.mgr").status_code == 302
    home = successor.get("/").get_data(as_text=True)
    assert "My tasks" in home
    assert "通知客戶並介紹新的負責人（原負責人：王立）" in home
    assert "通知客戶並介紹新的聯絡人（原聯絡人：王立）" in home
    for key in ("kept", "contact", "mine"):
        assert f'href="/customers/{files[key]}"' in home
    page = successor.get(f"/customers/{files['kept']}").get_data(as_text=True)
    assert "通知客戶並介紹新的負責人（原負責人：王立）" in page and "Due on" in page
    # Someone else (who may read the file) sees the task, but not on their home page.
    other = app.test_client()
    other.set_cookie("lang", "en")
    assert sign_in(other, "chen.yu").status_code == 302
    assert "通知客戶並介紹" not in other.get("/").get_data(as_text=True)
    assert "通知客戶並介紹新的聯絡人" in other.get(
        f"/customers/{files['contact']}").get_data(as_text=True)


def test_someone_disabled_earlier_can_still_hand_over_and_keeps_their_day(svc, admin, files):
    from intranet.records.rulebook.organisation import disable_member
    from intranet.records.rulebook.rules import load_rules
    author = load_rules(svc.archive.snapshot()).identity("director")
    disable_member(svc.archive, "wang.li", "2026-10-01", author)
    assert 'href="/admin/staff/wang.li/handover"' in admin.get(
        "/admin/staff/wang.li").get_data(as_text=True)
    response = submit(admin)
    assert response.status_code == 302, response.get_data(as_text=True)
    staff = yamlio.load(git(svc.archive.path, "show", "HEAD:org/staff.yaml"))["staff"]
    assert next(m for m in staff if m["username"] == "wang.li")["left_on"] == "2026-10-01"
    assert record(svc, files["kept"])["custody"]["owner"] == "lee.mgr"
