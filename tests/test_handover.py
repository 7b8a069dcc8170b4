"""Hand-over when someone leaves (R32) and tasks, on a real archive read back with plain git."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from intranet.index import Index
from intranet.index.holdings import held_by
from intranet.records.conduct import handover
from intranet.records.files import tasks, yamlio
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.schema import new_record
from intranet.records.rights import access
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy, validate_policy
from intranet.records.rulebook.rules import load_rules

from .conftest import git

TODAY = date(2026, 11, 20)


def record(name: str, owner: str, contacts: list[str], department: str = "sales",
           level: str = "personal") -> dict:
    data = new_record("distributor", **{
        "basic.name": name, "basic.phone": "02-2345-6789", "basic.address": "臺北市中山路一號",
        "classification.region": "北區", "custody.owner": owner,
        "custody.department": department, "custody.level": level,
        "custody.contacts": contacts})
    return data


@pytest.fixture
def world(archive, tmp_path):
    """Four files: wang.li keeps two, is a contact of one; lee.mgr keeps the fourth."""
    files = CustomerFiles(archive)
    ids = {}
    ids["kept"] = files.create(record("東方貿易", "wang.li", ["wang.li", "chen.yu"]), "wang.li")[0]
    ids["contact"] = files.create(record("西方實業", "chen.yu", ["chen.yu", "wang.li"]),
                                  "chen.yu")[0]
    ids["other"] = files.create(record("北方商行", "lee.mgr", []), "lee.mgr")[0]
    ids["alone"] = files.create(record("南方企業", "wang.li", []), "wang.li")[0]
    # A contact entry by the leaver: history, which stays with the file.
    loaded = files.load(ids["kept"])
    entry = {"date": "2026-11-02", "channel": "visit", "staff": "wang.li", "summary": "拜訪",
             "report": "", "source": "visit", "confidential": False, "recorded_on": "2026-11-02"}
    files.amend(ids["kept"], lambda r, _s: {**r, "contacts": [entry]}, "wang.li")
    assert loaded.record is not None
    index = Index(tmp_path / "index.sqlite3", archive)
    yield {"archive": archive, "files": files, "ids": ids, "index": index}
    index.close()


def director(archive):
    return load_rules(archive.snapshot()).identity("director")


def candidates(world, username="wang.li"):
    return [r["id"] for r in held_by(world["index"], username)]


def make_plan(world, username="wang.li"):
    return handover.plan(world["archive"].snapshot(), username, candidates(world, username))


def run(world, plan, assignments=None, left_on="2026-11-30", username="wang.li"):
    chosen = assignments if assignments is not None else {
        h.id: h.proposed for h in plan.holdings}
    return handover.execute(world["archive"], username, chosen, plan.base,
                            candidates(world, username), left_on, TODAY,
                            director(world["archive"]))


def load(world, key):
    return world["files"].load(world["ids"][key]).record


def test_plan_lists_kept_and_contact_files_with_the_manager(world):
    plan = make_plan(world)
    ids = world["ids"]
    assert plan.base == world["archive"].head()
    assert plan.proposed == "lee.mgr"
    got = {h.id: (h.name, h.level, h.roles, h.proposed) for h in plan.holdings}
    assert got == {
        ids["kept"]: ("東方貿易", "personal", ("custodian", "contact"), "lee.mgr"),
        ids["contact"]: ("西方實業", "personal", ("contact",), "lee.mgr"),
        ids["alone"]: ("南方企業", "personal", ("custodian",), "lee.mgr"),
    }
    assert plan.damaged == [] and plan.departments == []


def test_a_manager_leaving_is_replaced_by_the_administrator(world):
    plan = make_plan(world, "lee.mgr")
    assert plan.proposed == "director"
    assert [h.id for h in plan.holdings] == [world["ids"]["other"]]
    assert plan.departments == ["sales"]


def test_plan_reads_the_files_not_just_the_index(world):
    # A stale or wrong candidate is read and dropped; the snapshot alone decides.
    plan = handover.plan(world["archive"].snapshot(), "wang.li",
                         [world["ids"]["other"], world["ids"]["kept"], "C000999"])
    assert [h.id for h in plan.holdings] == [world["ids"]["kept"]]


def test_execute_is_one_commit_by_the_administrator(world):
    archive = world["archive"]
    before = archive.head()
    plan = make_plan(world)
    done = run(world, plan)
    assert git(archive.path, "rev-list", "--count", f"{before}..HEAD").strip() == "1"
    assert done.commit == archive.head()
    log = git(archive.path, "log", "-1", "--format=%an <%ae>|%s|%b")
    assert log.startswith("林美華 <director@example.com>|交接 王立 → 李經理：3 個客戶檔案|")
    assert "Action: handover" in log and "Staff: wang.li" in log
    changed = set(git(archive.path, "diff-tree", "--no-commit-id", "--name-only", "-r",
                      "HEAD").split())
    ids = world["ids"]
    assert changed == {customer_path(ids[k]) for k in ("kept", "contact", "alone")} | {
        "org/staff.yaml"}
    staff = yamlio.load(git(archive.path, "show", "HEAD:org/staff.yaml"))["staff"]
    leaver = next(m for m in staff if m["username"] == "wang.li")
    assert leaver["active"] is False and leaver["left_on"] == "2026-11-30"


def test_nothing_left_behind(world):
    archive = world["archive"]
    run(world, make_plan(world))
    listing = git(archive.path, "ls-tree", "-r", "--name-only", "HEAD", "customers/").split()
    for path in listing:
        data = yamlio.load(git(archive.path, "show", f"HEAD:{path}"))
        assert data["custody"]["owner"] != "wang.li", path
        assert "wang.li" not in data["custody"]["contacts"], path
    # Plain grep of the whole tree: the leaver's name remains only in history-like entries.
    hits = git(archive.path, "grep", "-h", "wang.li", "HEAD", "--").splitlines()
    allowed = ("from_staff: wang.li", "staff: wang.li", "username: wang.li",
               "email: wang.li@example.com")
    assert hits and all(line.strip().lstrip("- ").startswith(allowed) for line in hits), hits


def test_custody_moves_and_a_task_is_created(world):
    plan = make_plan(world)
    ids = world["ids"]
    run(world, plan, {ids["kept"]: "lee.mgr", ids["contact"]: "chen.yu",
                      ids["alone"]: "director"})
    kept, contact, alone = load(world, "kept"), load(world, "contact"), load(world, "alone")
    assert kept["custody"]["owner"] == "lee.mgr"
    assert kept["custody"]["contacts"] == ["lee.mgr", "chen.yu"]
    assert kept["contacts"][0]["staff"] == "wang.li"  # the contact log is history: kept
    # The leaver was only a contact: the owner stays, no one is listed twice.
    assert contact["custody"]["owner"] == "chen.yu"
    assert contact["custody"]["contacts"] == ["chen.yu"]
    # The successor's department becomes the file's.
    assert alone["custody"]["owner"] == "director"
    assert alone["custody"]["department"] == "marketing"
    due = (TODAY + timedelta(days=tasks.HANDOVER_TASK_DAYS)).isoformat()
    assert kept["tasks"] == [{
        "kind": "introduce_successor", "assignee": "lee.mgr",
        "summary": "通知客戶並介紹新的負責人（原負責人：王立）", "from_staff": "wang.li",
        "created_on": "2026-11-20", "due_on": due, "done_on": "",
            "told_on": "", "told_by": ""}]
    assert contact["tasks"][0]["assignee"] == "chen.yu"
    assert contact["tasks"][0]["summary"] == "通知客戶並介紹新的聯絡人（原聯絡人：王立）"
    assert alone["tasks"][0]["assignee"] == "director"


def test_a_concurrent_edit_of_another_field_is_kept(world):
    plan = make_plan(world)
    files, ids = world["files"], world["ids"]
    loaded = files.load(ids["contact"])
    edited = loaded.record
    edited["basic"]["phone"] = "02-8888-9999"
    assert files.save(ids["contact"], edited, loaded.commit, "chen.yu")
    run(world, plan)
    after = load(world, "contact")
    assert after["basic"]["phone"] == "02-8888-9999"
    assert after["custody"]["contacts"] == ["chen.yu", "lee.mgr"]


def test_a_file_that_changed_hands_since_the_plan_is_refused(world):
    archive, files, ids = world["archive"], world["files"], world["ids"]
    plan = make_plan(world)
    loaded = files.load(ids["kept"])
    taken = loaded.record
    taken["custody"]["owner"] = "chen.yu"
    files.save(ids["kept"], taken, loaded.commit, "wang.li")
    before = archive.head()
    with pytest.raises(handover.HandoverRefused) as refused:
        run(world, plan)
    assert refused.value.files == [ids["kept"]]
    assert ids["kept"] in str(refused.value)
    assert archive.head() == before
    assert load(world, "kept")["custody"]["owner"] == "chen.yu"
    assert not load(world, "alone").get("tasks")


def test_a_file_given_to_the_leaver_after_the_plan_is_refused(world):
    archive, files, ids = world["archive"], world["files"], world["ids"]
    plan = make_plan(world)
    loaded = files.load(ids["other"])
    given = loaded.record
    given["custody"]["contacts"] = ["wang.li"]
    files.save(ids["other"], given, loaded.commit, "lee.mgr")
    before = archive.head()
    with pytest.raises(handover.HandoverRefused) as refused:
        run(world, plan)
    assert refused.value.files == [ids["other"]]
    assert archive.head() == before


def test_a_plan_missing_a_file_is_refused(world):
    plan = make_plan(world)
    before = world["archive"].head()
    chosen = {h.id: h.proposed for h in plan.holdings[1:]}
    with pytest.raises(handover.HandoverRefused) as refused:
        run(world, plan, chosen)
    assert refused.value.files == [plan.holdings[0].id]
    assert world["archive"].head() == before


@pytest.mark.parametrize("successor", ["wang.li", "hr.chen", "nobody"])
def test_a_successor_who_cannot_take_files_is_refused(world, successor):
    plan = make_plan(world)
    before = world["archive"].head()
    with pytest.raises(handover.HandoverRefused):
        run(world, plan, {h.id: successor for h in plan.holdings})
    assert world["archive"].head() == before


def test_a_file_the_leaver_does_not_hold_is_refused(world):
    plan = make_plan(world)
    with pytest.raises(handover.HandoverRefused):
        run(world, plan, {world["ids"]["other"]: "lee.mgr"})


def test_a_manager_leaving_leaves_the_department_without_a_manager(world):
    archive = world["archive"]
    run(world, make_plan(world, "lee.mgr"), username="lee.mgr")
    departments = yamlio.load(git(archive.path, "show", "HEAD:org/departments.yaml"))
    sales = next(d for d in departments["departments"] if d["id"] == "sales")
    assert sales["manager"] == ""
    assert load(world, "other")["custody"]["owner"] == "director"
    assert git(archive.path, "log", "-1", "--format=%s").startswith("交接 李經理 → 林美華：1 個")


def test_the_leavers_access_ends_even_with_a_grant(world):
    archive, ids = world["archive"], world["ids"]
    meta_before = access.FileMeta.from_record(ids["other"], load(world, "other"))
    grant = access.Grant("AR000001", "wang.li", frozenset({ids["other"]}), "read",
                         datetime.now(UTC) + timedelta(days=3))
    actor = access.Actor("wang.li", "salesperson", "sales")
    rules = load_rules(archive.snapshot())
    assert access.decide(actor, "view", meta_before, rules.policy, rules.directory,
                         [grant]).allowed
    run(world, make_plan(world))
    rules = load_rules(archive.snapshot())
    for key in ("kept", "other", "alone"):
        meta = access.FileMeta.from_record(ids[key], load(world, key))
        assert not access.decide(actor, "view", meta, rules.policy, rules.directory,
                                 [grant]).allowed


def test_task_days_come_from_the_policy(world):
    archive = world["archive"]
    policy = yamlio.load(archive.read("policy.yaml"))
    policy["handover_task_days"] = 3

    from intranet.records.rulebook.organisation import save_policy
    from intranet.records.rulebook.policy import dump_policy
    save_policy(archive, dump_policy(policy).decode(), director(archive))
    run(world, make_plan(world))
    assert load(world, "kept")["tasks"][0]["due_on"] == "2026-11-23"


@pytest.mark.parametrize("value", [0, -1, "7", True, 400])
def test_task_days_are_validated(value):
    errors = validate_policy({**DEFAULT_POLICY, "handover_task_days": value})
    assert [e.path for e in errors] == ["handover_task_days"]
    assert validate_policy({**DEFAULT_POLICY, "handover_task_days": 10}) == []
    assert tasks.handover_task_days(Policy({"handover_task_days": 10}).data) == 10
    assert tasks.handover_task_days(Policy().data) == tasks.HANDOVER_TASK_DAYS


def test_open_tasks_overdue_and_assigned_across_files():
    def task(assignee, due, done=""):
        return {"kind": "other", "assignee": assignee, "summary": due, "from_staff": "",
                "created_on": "2026-11-01", "due_on": due, "done_on": done}

    first = {"tasks": [task("a", "2026-11-25"), task("a", "2026-11-10"),
                       task("b", "2026-11-01"), task("a", "2026-11-05", done="2026-11-06")]}
    second = {"tasks": [task("a", "2026-11-19"), task("a", "")]}
    mine = tasks.assigned_to([("C1", "一", first), ("C2", "二", second), ("C3", "三", None)],
                             "a", TODAY)
    assert [(t["customer"], t["due_on"], t["overdue"]) for t in mine] == [
        ("C1", "2026-11-10", True), ("C2", "2026-11-19", True), ("C1", "2026-11-25", False),
        ("C2", "", False)]
    assert [t["due_on"] for t in tasks.open_tasks(first, TODAY)] == [
        "2026-11-01", "2026-11-10", "2026-11-25"]
    assert [t["done_on"] for t in tasks.done_tasks(first)] == ["2026-11-06"]
    assert not tasks.is_overdue(task("a", "2026-11-20"), TODAY)  # due today is not late


def test_the_successors_contact_closes_the_task(world):
    entries = pytest.importorskip("intranet.records.files.entries")
    run(world, make_plan(world))
    files, ids = world["files"], world["ids"]
    day = TODAY + timedelta(days=2)
    by_other = entries.contact_entry(when=day, channel="call", staff="chen.yu",
                                     summary="電話", today=day)
    entries.add_contact(files, ids["kept"], by_other, "chen.yu")
    assert tasks.open_tasks(load(world, "kept"), day)  # someone else's contact: still open
    mine = entries.contact_entry(when=day, channel="visit", staff="lee.mgr",
                                 summary="拜訪並介紹新負責人", today=day)
    entries.add_contact(files, ids["kept"], mine, "lee.mgr")
    assert load(world, "kept")["tasks"][0]["done_on"] == day.isoformat()
    assert tasks.open_tasks(load(world, "kept"), day) == []
    assert tasks.open_tasks(load(world, "alone"), day, assignee="lee.mgr")  # other files: open


def _hand_edit(archive, path: str, old: str, new: str, index_file) -> str:
    """Commit an edit with plain git (as an administrator's push would) and move the branch."""
    env = {**os.environ, "GIT_INDEX_FILE": str(index_file), "GIT_AUTHOR_NAME": "陳宇",
           "GIT_AUTHOR_EMAIL": "chen.yu@example.com", "GIT_COMMITTER_NAME": "陳宇",
           "GIT_COMMITTER_EMAIL": "chen.yu@example.com"}

    def plain(*args: str, stdin: str | None = None) -> str:
        return subprocess.run(["git", "--git-dir", str(archive.path), *args], input=stdin,
                              env=env, check=True, capture_output=True, text=True).stdout.strip()

    text = plain("show", f"HEAD:{path}").replace(old, new) + "\n"
    blob = plain("hash-object", "-w", "--stdin", stdin=text)
    plain("read-tree", "HEAD")
    plain("update-index", "--cacheinfo", f"100644,{blob},{path}")
    commit = plain("commit-tree", plain("write-tree"), "-p", "HEAD", "-m", "手動修改電話")
    plain("update-ref", "refs/heads/main", commit)
    return commit


def test_an_edit_committed_while_the_hand_over_is_built_is_kept(world, monkeypatch, tmp_path):
    archive, ids = world["archive"], world["ids"]
    plan = make_plan(world)
    path = customer_path(ids["contact"])
    real, calls, edits = handover.introduce_successor, [], []

    def racing(*args, **kwargs):
        if not calls:  # someone else's commit lands between our read of the head and our swap
            edits.append(_hand_edit(archive, path, "02-2345-6789", "02-8888-9999",
                                    tmp_path / "index"))
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(handover, "introduce_successor", racing)
    done = run(world, plan)
    assert len(calls) == 6  # built twice: the first attempt lost the race
    assert git(archive.path, "rev-parse", "HEAD~1").strip() == edits[0]
    assert done.commit == archive.head()
    after = load(world, "contact")
    assert after["basic"]["phone"] == "02-8888-9999"
    assert after["custody"]["contacts"] == ["chen.yu", "lee.mgr"]
