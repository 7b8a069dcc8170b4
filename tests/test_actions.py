"""The service layer without the web: each action checks the actor's right at the head it
commits on, refuses custody changes, and writes nothing when it refuses (real archive)."""

from __future__ import annotations

from datetime import date

import pytest

from intranet.actions import ActionError, Forbidden, custody, customers, entries, handover
from intranet.actions import documents as document_actions
from intranet.actions import sales_power as power_actions
from intranet.records.files import entries as entry_records
from intranet.records.files import yamlio
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.documents import Upload
from intranet.records.files.schema import new_record
from intranet.records.rights import requests

TODAY = date(2026, 11, 2)


def record(**overrides) -> dict:
    """Return a personal file kept by wang.li in sales with chen.yu as a contact."""
    return new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099", "basic.address": "臺北市",
        "classification.region": "北區", "custody.owner": "wang.li",
        "custody.department": "sales", "custody.level": "personal",
        "custody.contacts": ["chen.yu"], **overrides})


@pytest.fixture
def files(archive) -> CustomerFiles:
    return CustomerFiles(archive)


@pytest.fixture
def customer(files) -> str:
    return files.create(record(), "wang.li")[0]


def head_custody(files: CustomerFiles, customer: str) -> dict:
    return yamlio.load(files.archive.read(customer_path(customer)))["custody"]


def test_create_keeps_the_file_with_its_creator_at_personal_level(files):
    blank = record(**{"custody.contacts": []})
    customer, _commit = customers.create(files, "wang.li", blank)
    assert head_custody(files, customer) == {"level": "personal", "owner": "wang.li",
                                             "department": "sales", "contacts": []}
    head = files.archive.head()
    for wrong in ({"custody.level": "company"}, {"custody.owner": "chen.yu"},
                  {"custody.contacts": ["chen.yu"]}):
        with pytest.raises(Forbidden):
            customers.create(files, "wang.li", record(**wrong))
    with pytest.raises(Forbidden):
        customers.create(files, "hr.chen", record(**{"custody.owner": "hr.chen"}))
    assert files.archive.head() == head


def test_save_refuses_a_changed_custody_from_anyone(files, customer):
    base = files.archive.head()
    loaded = files.load(customer)
    for username in ("wang.li", "chen.yu", "director", "lee.mgr"):
        for part, value in (("level", "company"), ("owner", "chen.yu"),
                            ("contacts", ["chen.yu", "info.wu"]), ("department", "sales2")):
            changed = loaded.record | {"custody": {**loaded.record["custody"], part: value}}
            with pytest.raises(Forbidden):
                customers.save(files, username, customer, changed, base)
    assert files.archive.head() == base


def test_save_checks_the_right_at_the_head_and_keeps_the_heads_custody(files, customer):
    base = files.archive.head()
    mine = files.load(customer).record
    mine["basic"]["fax"] = "02-2531-7000"
    # Meanwhile the department manager takes the contact off the file.
    custody.change(files, "lee.mgr", customer, "personal", "wang.li", "sales", [], "調整")
    head = files.archive.head()
    with pytest.raises(Forbidden):
        customers.save(files, "chen.yu", customer, mine, base)
    assert files.archive.head() == head
    # The custodian's stale save keeps the custody made meanwhile.
    assert customers.save(files, "wang.li", customer, mine, base)
    assert head_custody(files, customer)["contacts"] == []
    assert "02-2531-7000" in files.archive.read(customer_path(customer)).decode()


def test_restore_keeps_the_current_custody(files, customer):
    first = files.archive.head()
    loaded = files.load(customer)
    changed = dict(loaded.record, basic={**loaded.record["basic"], "name": "西方貿易"})
    customers.save(files, "wang.li", customer, changed, loaded.commit)
    custody.change(files, "director", customer, "company", "director", "marketing", [],
                   "總部接管")
    with pytest.raises(Forbidden):  # the salesperson no longer keeps the file
        customers.restore(files, "wang.li", customer, first, files.archive.head())
    customers.restore(files, "director", customer, first, files.archive.head())
    text = files.archive.read(customer_path(customer)).decode()
    assert "東方貿易" in text
    assert head_custody(files, customer) == {"level": "company", "owner": "director",
                                             "department": "marketing", "contacts": []}


def test_custody_change_is_one_commit_with_reason_and_trailers(files, customer):
    head = files.archive.head()
    with pytest.raises(ActionError):
        custody.change(files, "lee.mgr", customer, "department", "wang.li", "sales",
                       ["chen.yu"], "   ")
    for username in ("wang.li", "chen.yu", "gm", "vp", "hr.chen", "other.mgr"):
        with pytest.raises(Forbidden):
            custody.change(files, username, customer, "department", "wang.li", "sales",
                           ["chen.yu"], "理由")
    assert files.archive.head() == head
    commit = custody.change(files, "lee.mgr", customer, "department", "wang.li", "sales",
                            ["chen.yu"], "部門共管\n第二行")
    assert commit and files.archive.head() == commit
    version = files.history(customer)[0]
    assert version.action == "custody" and version.reason == "部門共管 第二行"
    assert version.author_email == "lee.mgr@example.com"
    # The same custody again is no change and no commit.
    assert custody.change(files, "lee.mgr", customer, "department", "wang.li", "sales",
                          ["chen.yu"], "再次") is None


def test_additions_check_the_right_and_never_change_custody(files, customer):
    entry = entry_records.contact_entry(when="2026-11-02", channel="visit", staff="chen.yu",
                                        summary="拜訪", today=TODAY)
    assert entries.add_contact(files, "chen.yu", customer, entry)
    head = files.archive.head()
    for username in ("lin.sales2", "lee.mgr", "hr.chen", "director"):
        with pytest.raises(Forbidden):
            entries.add_contact(files, username, customer, dict(entry, staff=username))
        with pytest.raises(Forbidden):
            document_actions.add(files, username, customer,
                                 Upload(b"%PDF-1.4\n%%EOF\n", "a.pdf", "合約", "contract", ""),
                                 TODAY)
        with pytest.raises(Forbidden):
            power_actions.assess(files, username, customer, {}, "", TODAY)
    assert files.archive.head() == head


def test_an_edit_grant_edits_until_revoked_and_never_changes_custody(files, customer):
    archive = files.archive
    rid = requests.create(archive, "lin.sales2", [customer], "代管", "edit", 3)
    for _round in range(10):
        if requests.get(archive.snapshot(), rid)["status"] != "waiting":
            break
        for who in ("other.mgr", "lee.mgr", "gm", "vp", "director", "wang.li"):
            try:
                requests.act(archive, rid, who, True, "ok")
                break
            except requests.RequestError:
                continue
    loaded = files.load(customer)
    mine = dict(loaded.record, notes="代管中")
    assert customers.save(files, "lin.sales2", customer, mine, loaded.commit)
    loaded = files.load(customer)
    added = loaded.record | {"custody": {**loaded.record["custody"],
                                         "contacts": ["chen.yu", "lin.sales2"]}}
    with pytest.raises(Forbidden):
        customers.save(files, "lin.sales2", customer, added, loaded.commit)
    with pytest.raises(Forbidden):
        custody.change(files, "lin.sales2", customer, "personal", "wang.li", "sales",
                       ["chen.yu", "lin.sales2"], "加入自己")
    requests.revoke(archive, rid, "lin.sales2")
    head = archive.head()
    with pytest.raises(Forbidden):
        customers.save(files, "lin.sales2", customer, dict(mine, notes="撤銷後"), head)
    assert archive.head() == head


def test_only_the_administrator_hands_over(files, customer):
    head = files.archive.head()
    for username in ("lee.mgr", "gm", "wang.li"):
        with pytest.raises(Forbidden):
            handover.execute(files.archive, username, "chen.yu", {customer: "lee.mgr"}, head,
                             [customer], "2026-11-30", TODAY)
    with pytest.raises(Forbidden):
        handover.execute(files.archive, "director", "director", {}, head, [], "2026-11-30",
                         TODAY)
    assert files.archive.head() == head


def test_one_edit_post_parses_and_validates_once(web, svc, monkeypatch):
    # Before the service layer one edit POST parsed the file 3 times and entered
    # records/files/validate.py 6 times (4 validate, 2 normalise).
    from intranet.records.files import customers as customer_module
    from intranet.records.files import validate as validate_module

    from .conftest import sign_in
    from .test_web_customers import send

    customer = svc.files.create(record(), "wang.li")[0]
    web.set_cookie("lang", "en")
    sign_in(web, "wang.li")
    edit = f"/customers/{customer}/edit"
    html = web.get(edit).get_data(as_text=True)
    counts = {"parse": 0, "validate": 0, "normalise": 0}

    def counting(name, real):
        def wrapper(*args, **kwargs):
            path = args[1] if len(args) > 1 else kwargs.get("path", "")
            if name != "parse" or str(path).startswith("customers/"):
                counts[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(yamlio, "load", counting("parse", yamlio.load))
    for name in ("validate", "normalise"):
        wrapped = counting(name, getattr(validate_module, name))
        monkeypatch.setattr(validate_module, name, wrapped)
        monkeypatch.setattr(customer_module, name, wrapped)
    assert send(web, html, edit, {"basic.fax": "02-2531-7009"}).status_code == 302
    assert counts == {"parse": 1, "validate": 1, "normalise": 1}
