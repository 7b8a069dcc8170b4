"""Signs of a shared account (R35) for HR to confirm: real reads through the app from two
machines, HR's decision as one commit authored by HR, and a fine only for a confirmed case."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from intranet.actions import ActionError, Forbidden
from intranet.actions import sharing as sharing_action
from intranet.records.rulebook.rules import load_rules
from intranet.records.rulebook.zone import month_of
from intranet.records.trail import sharing
from intranet.records.trail.reports import load_entries

from .conftest import csrf_token, git, sign_in
from .test_customers import sample


def machine(app, username: str, address: str):
    """A client signed in as ``username`` from the machine at ``address``."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert sign_in(client, username).status_code == 302
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def signs(app, web, svc):
    """wang.li reads from two machines at once; chen.yu reads at one of them too."""
    mine = svc.files.create(sample(), "wang.li")[0]
    theirs = svc.files.create(sample(**{"custody.owner": "chen.yu"}), "chen.yu")[0]
    first, second = machine(app, "wang.li", "10.0.0.1"), machine(app, "wang.li", "10.0.0.2")
    assert first.get(f"/customers/{mine}").status_code == 200
    assert second.get(f"/customers/{mine}").status_code == 200
    assert first.get(f"/customers/{mine}").status_code == 200
    other = machine(app, "chen.yu", "10.0.0.1")
    assert other.get(f"/customers/{theirs}").status_code == 200
    entries = load_entries(Path(app.config["AUDIT_JOURNAL"]))
    return month_of(entries[-1]["at"], ZoneInfo("Asia/Taipei"))


def journal(app) -> list[dict]:
    return load_entries(Path(app.config["AUDIT_JOURNAL"]))


def keys(page: str) -> list[str]:
    return re.findall(r'name="key" value="([^"]+)"', page)


def decide(client, month, key, decision, note="checked with the branch"):
    token = csrf_token(client, f"/hr/sharing?month={month}")
    return client.post("/hr/sharing", data={"csrf_token": token, "key": key, "month": month,
                                            "decision": decision, "note": note})


def test_signals_are_listed_and_only_a_confirmed_case_is_fined(app, svc, signs):
    month = signs
    hr = machine(app, "hr.chen", "10.0.0.50")
    page = hr.get(f"/hr/sharing?month={month}").get_data(as_text=True)
    found = keys(page)
    two = [k for k in found if k.startswith("two_machines:wang.li:")]
    shared = [k for k in found if k.startswith("shared_machine:")]
    assert len(two) == 1 and {k.split(":")[1] for k in shared} == {"wang.li", "chen.yu"}
    assert "In use from two machines at once" in page and "10.0.0.1, 10.0.0.2" in page
    # Signs alone fine nobody.
    report = hr.get(f"/hr/export.csv?month={month}").get_data(as_text=True)
    assert all(line.split(",")[-2] == "0" for line in report.splitlines()[1:])

    head = svc.archive.head()
    response = decide(hr, month, two[0], "confirmed", "王立 admitted lending his password")
    assert response.status_code == 302
    assert svc.archive.head() != head
    path = f"discipline/sharing/{month}.yaml"
    author = git(svc.archive.path, "log", "-1", "--format=%an <%ae>|%s", "--", path)
    assert author.startswith("陳人資 <hr.chen@example.com>|確認共用賬號：wang.li")
    cases = yaml.safe_load(svc.archive.read(path))["cases"]
    assert [(c["key"], c["decision"], c["by"], c["note"]) for c in cases] == \
        [(two[0], "confirmed", "hr.chen", "王立 admitted lending his password")]
    chen = next(k for k in shared if k.split(":")[1] == "chen.yu")
    assert decide(hr, month, chen, "dismissed", "same desk, proxy").status_code == 302
    rows = {line.split(",")[1]: line.split(",") for line in hr.get(
        f"/hr/export.csv?month={month}").get_data(as_text=True).splitlines()[1:]}
    assert rows["wang.li"][7:] == ["1", "0", "0", "50", "CNY"]  # one case, fined once
    assert rows["chen.yu"][7:] == ["0", "0", "0", "0", "CNY"]  # dismissed: no fine
    person = hr.get(f"/hr/wang.li?month={month}").get_data(as_text=True)
    assert "Confirmed" in person and "admitted lending" in person
    listing = hr.get(f"/hr/sharing?month={month}").get_data(as_text=True)
    assert "Confirmed: 50 CNY" in listing and "Dismissed: no fine" in listing


def test_only_hr_decides(app, svc, signs):
    month = signs
    key = keys(machine(app, "hr.chen", "10.0.0.50").get(
        f"/hr/sharing?month={month}").get_data(as_text=True))[0]
    head = svc.archive.head()
    director = machine(app, "director", "10.0.0.60")
    page = director.get(f"/hr/sharing?month={month}")
    assert page.status_code == 200 and keys(page.get_data(as_text=True)) == []  # sees, no form
    token = csrf_token(director, "/hr/")
    response = director.post("/hr/sharing", data={"csrf_token": token, "key": key,
                                                  "decision": "confirmed", "note": "x"})
    assert response.status_code == 403
    sales = machine(app, "chen.yu", "10.0.0.61")
    assert sales.get(f"/hr/sharing?month={month}").status_code == 403
    assert svc.archive.head() == head
    with pytest.raises(Forbidden):
        sharing_action.decide(svc.archive, journal(app), "wang.li", key, "dismissed", "mine")
    assert svc.archive.head() == head


def test_the_action_checks_the_sign_decision_and_note(app, svc, signs):
    entries = journal(app)
    for bad_key, decision, note in (("two_machines:nobody:x", "confirmed", "n"),
                                    ("", "confirmed", "n")):
        with pytest.raises(ActionError):
            sharing_action.decide(svc.archive, entries, "hr.chen", bad_key, decision, note)
    real = sharing.signals(entries, load_rules(svc.archive.snapshot()).policy)[0].key
    for decision, note in (("maybe", "n"), ("confirmed", "  "), ("confirmed", "x" * 501)):
        with pytest.raises(ActionError):
            sharing_action.decide(svc.archive, entries, "hr.chen", real, decision, note)
    # A new decision on the same sign replaces the old one, in a second commit.
    when = datetime(2026, 12, 1, 3, tzinfo=UTC)
    first = sharing_action.decide(svc.archive, entries, "hr.chen", real, "confirmed", "a", when)
    second = sharing_action.decide(svc.archive, entries, "hr.chen", real, "dismissed", "b",
                                   when)
    assert first != second
    month = signs
    cases = yaml.safe_load(svc.archive.read(f"discipline/sharing/{month}.yaml"))["cases"]
    assert [(c["decision"], c["note"]) for c in cases] == [("dismissed", "b")]


def test_a_broken_decisions_file_does_not_take_the_pages_down(app, svc, signs):
    from intranet.archive.repository import Change

    from .conftest import SYSTEM

    month = signs
    path = f"discipline/sharing/{month}.yaml"
    svc.archive.commit(lambda _s: Change({path: b"cases: [\n  - {key: \n"}, "by hand"), SYSTEM)
    hr = machine(app, "hr.chen", "10.0.0.50")
    for url in (f"/hr/?month={month}", f"/hr/sharing?month={month}",
                f"/hr/wang.li?month={month}"):
        response = hr.get(url)
        assert response.status_code == 200
        assert "cannot be read" in response.get_data(as_text=True)
