"""Hostile or broken files pushed by hand: nothing crashes, and nobody is locked out.

A customer file nested 60,000 deep in block style, policy.yaml or org/staff.yaml broken by a
plain git push while people are signed in, and the same text posted through the policy form.
The commands that a crash would kill run in a child process, so a SIGSEGV shows as its exit
code instead of killing pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record

from .conftest import csrf_token, git, sign_in

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEEP = "notes:\n" + "- " * 60_000 + "x\n"
DEEP_REASON = "line 2: the document is nested more than 64 levels deep"


def push(repo: Path, tmp_path: Path, path: str, text: str, author: str = "管理員",
         message: str = "手動修改") -> str:
    """Commit one file with plain git in a clone and push it; return the commit."""
    clone = tmp_path / f"clone-{len(list(tmp_path.glob('clone-*')))}"
    git(None, "clone", "-q", str(repo), str(clone), cwd=tmp_path)
    target = clone / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    git(None, "add", path, cwd=clone)
    git(None, "-c", f"user.name={author}", "-c", "user.email=admin@example.com",
        "commit", "-qm", message, cwd=clone)
    git(None, "push", "-q", "origin", "HEAD:main", cwd=clone)
    return git(None, "rev-parse", "HEAD", cwd=clone).strip()


def flask(app, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``flask --app app ARGS`` in a child process against the test app's files."""
    env = {**os.environ, "ARCHIVE_REPO": app.config["ARCHIVE_REPO"],
           "INTRANET_INSTANCE_PATH": app.instance_path,
           "INTRANET_INDEX_PATH": app.config["INDEX_PATH"],
           "INTRANET_CREDENTIALS_PATH": app.config["CREDENTIALS_PATH"],
           "INTRANET_SECRET_KEY": "test", "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          check=False)


CHILD_PRELUDE = """
import json, sys
from intranet import create_app
from tests.conftest import csrf_token, sign_in
app = create_app({"TESTING": True, "SECRET_KEY": "test", **json.loads(sys.argv[1])})
client = app.test_client()
client.set_cookie("lang", "en")
"""


def in_child(app, script: str) -> subprocess.CompletedProcess[str]:
    """Run test-client code in a child process on the test app's files (a crash stays there)."""
    settings = {key: app.config[key] for key in (
        "ARCHIVE_REPO", "INDEX_PATH", "CREDENTIALS_PATH")}
    settings["INSTANCE_PATH"] = app.instance_path
    import json
    return subprocess.run([sys.executable, "-c", CHILD_PRELUDE + script, json.dumps(settings)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)


def add_customer(svc) -> str:
    data = new_record("distributor", **{
        "basic.name": "深層測試有限公司", "basic.phone": "02-2345-6789",
        "basic.address": "台北市中山區松江路 1 號",
        "classification.region": "北區", "classification.industry": "電子",
        "custody.owner": "wang.li", "custody.department": "sales", "custody.level": "personal"})
    return svc.files.create(data, "wang.li")[0]


def test_a_60000_deep_customer_file_is_damaged_everywhere(app, svc, web, tmp_path):
    customer = add_customer(svc)
    path = customer_path(customer)
    commit = push(svc.archive.path, tmp_path, path, f"id: {customer}\n{DEEP}")
    assert svc.archive.head() == commit
    # The index build, in a child process first (a crash there would be exit code -11).
    done = flask(app, "reindex")
    assert done.returncode == 0, done.stderr
    assert "Indexed 1 customer files" in done.stdout
    done = flask(app, "verify")
    assert done.returncode == 1, (done.returncode, done.stderr)
    reason = DEEP_REASON.replace("line 2", "line 3")  # after the id line
    assert f"BAD {path}: {reason}" in done.stderr
    # The customer page in a child process, then the same in this one.
    done = in_child(app, f"""
assert sign_in(client, "wang.li").status_code == 302
page = client.get("/customers/{customer}")
print(page.status_code, {reason!r} in page.get_data(as_text=True))
""")
    assert (done.returncode, done.stdout.strip()) == (0, "200 True"), done.stderr
    svc.index.catch_up()
    from intranet.index import Query
    damaged = svc.index.find(Query(damaged=True)).rows
    assert [(r["id"], r["damaged"]) for r in damaged] == [(customer, reason)]
    assert sign_in(web, "wang.li").status_code == 302
    page = web.get(f"/customers/{customer}")
    assert page.status_code == 200
    assert reason in page.get_data(as_text=True)
    assert web.get("/customers/").status_code == 200


def test_an_oversized_customer_file_is_damaged_with_its_size(app, svc, tmp_path):
    customer = add_customer(svc)
    path = customer_path(customer)
    text = f"id: {customer}\nnotes: {'x' * yamlio.MAX_BYTES}\n"
    push(svc.archive.path, tmp_path, path, text)
    done = flask(app, "verify")
    assert done.returncode == 1
    size = len(text.encode())
    assert (f"BAD {path}: line 1: the text is {size} bytes, more than the "
            f"{yamlio.MAX_BYTES} bytes allowed") in done.stderr


def test_the_policy_form_refuses_a_60000_deep_text(app, svc, web):
    done = in_child(app, """
assert sign_in(client, "director").status_code == 302
token = csrf_token(client, "/admin/policy/yaml")
deep = "max_grant_days: 3\\nnotes:\\n" + "- " * 60_000 + "x\\n"
response = client.post("/admin/policy/yaml",
                       data={"text": deep, "reason": "r", "csrf_token": token})
print(response.status_code, "line 3: the document is nested more than 64 levels deep" in
      response.get_data(as_text=True))
""")
    assert (done.returncode, done.stdout.strip()) == (0, "400 True"), done.stderr
    web.set_cookie("lang", "en")
    assert sign_in(web, "director").status_code == 302
    before = svc.archive.head()
    token = csrf_token(web, "/admin/policy/yaml")
    response = web.post("/admin/policy/yaml", data={"text": "max_grant_days: 3\n" + DEEP,
                                               "reason": "r", "csrf_token": token})
    assert response.status_code == 400
    assert "line 3: the document is nested more than 64 levels deep" in \
        response.get_data(as_text=True)
    assert svc.archive.head() == before


def test_a_60000_deep_staff_file_falls_back_and_verify_names_it(app, svc, web, tmp_path):
    assert sign_in(web, "wang.li").status_code == 302
    commit = push(svc.archive.path, tmp_path, "org/staff.yaml", DEEP, author="闖禍者")
    assert web.get("/").status_code == 200
    done = flask(app, "verify")
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert f"BAD org/staff.yaml: {DEEP_REASON} (commit {commit[:10]} by 闖禍者;" in done.stderr


def test_a_broken_staff_file_pushed_while_signed_in(app, svc, web, tmp_path):
    sales, director = web, app.test_client()
    director.set_cookie("lang", "en")
    sales.set_cookie("lang", "en")
    assert sign_in(sales, "wang.li").status_code == 302
    assert sign_in(director, "director").status_code == 302
    good = svc.archive.head()
    staff = svc.archive.read("org/staff.yaml").decode()
    # Valid YAML, invalid directory: a role nobody knows.
    broken = staff.replace("role: salesperson", "role: emperor", 1)
    commit = push(svc.archive.path, tmp_path, "org/staff.yaml", broken, author="闖禍者")
    # Signed-in people carry on, and signing in still works.
    assert sales.get("/").status_code == 200
    assert sales.get("/customers/").status_code == 200
    assert "damaged-file" not in sales.get("/").get_data(as_text=True)
    other = app.test_client()
    assert sign_in(other, "chen.yu").status_code == 302
    assert other.get("/").status_code == 200
    page = director.get("/").get_data(as_text=True)
    assert 'id="damaged-file"' in page
    assert "org/staff.yaml" in page and commit[:10] in page and "闖禍者" in page
    assert ".role: Must be one of" in page and good[:10] in page
    assert director.get("/admin/staff").status_code == 200
    done = flask(app, "verify")
    assert done.returncode == 1
    assert "BAD org/staff.yaml:" in done.stderr and commit[:10] in done.stderr
    # Saving a member on the admin page writes the valid directory over the broken file.
    token = csrf_token(director, "/admin/staff/chen.yu")
    response = director.post("/admin/staff/chen.yu", data={
        "csrf_token": token, "name": "陳宇", "email": "chen.yu@example.com",
        "role": "salesperson", "department": "sales"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "emperor" not in svc.archive.read("org/staff.yaml").decode()
    assert git(svc.archive.path, "log", "-1", "--format=%an").strip() == "林美華"
    assert 'id="damaged-file"' not in director.get("/").get_data(as_text=True)
    assert flask(app, "verify").returncode == 0


def test_a_broken_policy_falls_back_and_the_policy_page_repairs_it(app, svc, web, tmp_path):
    web.set_cookie("lang", "en")
    good_text = svc.archive.read("policy.yaml").decode()
    commit = push(svc.archive.path, tmp_path, "policy.yaml", "grades: [broken\n")
    assert sign_in(web, "director").status_code == 302
    page = web.get("/admin/policy/yaml").get_data(as_text=True)
    assert 'id="damaged-file"' in page and "policy.yaml" in page and commit[:10] in page
    # The form offers the last valid version; proposing it unchanged, approved by the general
    # manager (R3), repairs the file.
    token = csrf_token(web, "/admin/policy/yaml")
    response = web.post("/admin/policy/yaml", data={"text": good_text, "reason": "修復",
                                               "csrf_token": token})
    assert response.status_code == 302
    assert svc.archive.read("policy.yaml").decode() != good_text  # not before the approval
    gm = app.test_client()
    assert sign_in(gm, "gm").status_code == 302
    answer = gm.post("/policy/proposals/PP000001/decide",
                     data={"approve": "1", "csrf_token": csrf_token(gm, "/")})
    assert answer.status_code == 302
    assert svc.archive.read("policy.yaml").decode() == good_text
    assert 'id="damaged-file"' not in web.get("/").get_data(as_text=True)


def test_a_60000_deep_departments_file_is_repaired_by_saving_a_department(app, svc, web,
                                                                          tmp_path):
    web.set_cookie("lang", "en")
    commit = push(svc.archive.path, tmp_path, "org/departments.yaml", DEEP)
    assert sign_in(web, "director").status_code == 302
    page = web.get("/admin/departments").get_data(as_text=True)
    assert 'id="damaged-file"' in page and "org/departments.yaml" in page
    assert commit[:10] in page and DEEP_REASON in page
    done = flask(app, "verify")
    assert done.returncode == 1
    assert f"BAD org/departments.yaml: {DEEP_REASON} (commit {commit[:10]}" in done.stderr
    token = csrf_token(web, "/admin/departments/sales")
    response = web.post("/admin/departments/sales", data={
        "csrf_token": token, "name": "業務一部", "manager": "lee.mgr"})
    assert response.status_code == 302, response.get_data(as_text=True)
    departments = yamlio.load(svc.archive.read("org/departments.yaml"))["departments"]
    assert {"id": "sales", "name": "業務一部", "manager": "lee.mgr"} in departments
    assert 'id="damaged-file"' not in web.get("/").get_data(as_text=True)
    assert flask(app, "verify").returncode == 0


def test_a_60000_deep_access_request_grants_nothing_and_breaks_nothing(app, svc, web,
                                                                      tmp_path):
    push(svc.archive.path, tmp_path, "access/2026/AR000001.yaml", "id: AR000001\n" + DEEP)
    assert sign_in(web, "director").status_code == 302
    assert web.get("/access/").status_code == 200
    assert web.get("/access/AR000001").status_code == 404


def test_a_policy_that_was_never_valid_still_raises(tmp_path):
    # No valid version to fall back on (an archive started by hand): CorruptRecord as before.
    from intranet.archive.errors import CorruptRecord
    from intranet.archive.repository import Archive, Change
    from intranet.records.rulebook.rules import load_rules

    from .conftest import SYSTEM

    archive = Archive(tmp_path / "fresh.git", committer=SYSTEM)
    try:
        archive.create()
        archive.commit(lambda snap: Change({"policy.yaml": b"grades: [broken\n"}, "x"), SYSTEM)
        with pytest.raises(CorruptRecord) as info:
            load_rules(archive.snapshot())
        assert info.value.path == "policy.yaml"
    finally:
        archive.close()


def test_the_same_damage_twice_falls_back_to_the_newer_repair(archive):
    from intranet.archive.repository import Change
    from intranet.records.rulebook.organisation import save_member
    from intranet.records.rulebook.rules import load_rules

    from .conftest import SYSTEM

    broken = b"staff: [broken\n"

    def damage(snap):
        return Change({"org/staff.yaml": broken}, "hand edit")

    first = archive.commit(damage, SYSTEM)
    rules = load_rules(archive.snapshot())
    assert [(p.path, p.commit) for p in rules.problems] == [("org/staff.yaml", first)]
    repaired = save_member(archive, {"username": "chen.yu", "name": "陳宇二"}, SYSTEM,
                           new=False)
    assert load_rules(archive.snapshot()).problems == ()
    assert load_rules(archive.snapshot()).directory.member("chen.yu")["name"] == "陳宇二"
    second = archive.commit(damage, SYSTEM)
    rules = load_rules(archive.snapshot())
    assert [(p.commit, p.in_force) for p in rules.problems] == [(second, repaired)]
    assert rules.directory.member("chen.yu")["name"] == "陳宇二"
    assert rules.problems[0].reason.startswith("line 2: ")
