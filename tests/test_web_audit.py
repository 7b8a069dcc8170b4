"""Every read of a file's contents and every refusal is journalled once, before the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from intranet import create_app
from intranet.records.trail.audit import verify_file

from .conftest import PASSWORD, STAFF, make_archive, sign_in
from .test_customers import sample


def entries(app) -> list[dict]:
    path = Path(app.config["AUDIT_JOURNAL"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def customer(svc):
    return svc.files.create(sample(), "wang.li")[0]


def test_a_page_view_is_journalled_once_with_its_basis(app, signed_in, customer):
    before = len(entries(app))
    assert signed_in.get(f"/customers/{customer}").status_code == 200
    new = entries(app)[before:]
    assert [(e["user"], e["customer"], e["action"], e["allowed"], e["basis"], e["route"],
             e["address"]) for e in new] == \
        [("wang.li", customer, "view", True, "own", "customers.show", "127.0.0.1")]
    assert new[0]["at"].endswith("Z")
    signed_in.get(f"/customers/{customer}")
    assert len(entries(app)) == before + 2  # every read, not every reader
    assert verify_file(app.config["AUDIT_JOURNAL"]).ok


def test_a_refusal_and_a_missing_file_are_journalled(app, web, customer):
    sign_in(web, "chen.yu")
    before = len(entries(app))
    assert web.get(f"/customers/{customer}").status_code == 403
    assert web.get("/customers/C999999").status_code == 403
    new = entries(app)[before:]
    assert [(e["user"], e["customer"], e["allowed"], e["basis"]) for e in new] == \
        [("chen.yu", customer, False, "none"), ("chen.yu", "C999999", False, "none")]


def test_history_version_and_diff_reads_are_journalled(app, signed_in, svc, customer):
    loaded = svc.files.load(customer)
    loaded.record["grade"] = "A"
    commit = svc.files.save(customer, loaded.record, loaded.commit, "wang.li")
    before = len(entries(app))
    assert signed_in.get(f"/customers/{customer}/history").status_code == 200
    assert signed_in.get(f"/customers/{customer}/history/{commit}").status_code == 200
    actions = [e["action"] for e in entries(app)[before:]]
    assert actions[0] == "history" and {"version", "diff"} <= set(actions[1:])
    assert len(actions) == len(set(actions))


def test_no_journal_no_read(tmp_path):
    make_archive(tmp_path / "archive.git").close()
    app = create_app({"ARCHIVE_REPO": str(tmp_path / "archive.git"), "SECRET_KEY": "t",
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      # /proc refuses new files even to root: the journal cannot be written.
                      "AUDIT_JOURNAL": "/proc/customer-archive-audit.jsonl"})
    svc = app.extensions["customer_archive"]
    try:
        svc.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
        customer = svc.files.create(sample(), "wang.li")[0]
        client = app.test_client()
        sign_in(client, "wang.li")
        response = client.get(f"/customers/{customer}")
        assert response.status_code == 503
        page = response.get_data(as_text=True)
        assert "2531-7099" not in page and "東方貿易" not in page
    finally:
        svc.close()


def test_reads_are_sealed_into_the_archive_when_due(tmp_path):
    make_archive(tmp_path / "archive.git").close()
    app = create_app({"ARCHIVE_REPO": str(tmp_path / "archive.git"), "SECRET_KEY": "t",
                      "INSTANCE_PATH": str(tmp_path / "instance"), "AUDIT_SEAL_INTERVAL": 0})
    svc = app.extensions["customer_archive"]
    try:
        svc.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
        customer = svc.files.create(sample(), "wang.li")[0]
        client = app.test_client()
        sign_in(client, "wang.li")
        client.get(f"/customers/{customer}")
        sealed = [p for p in svc.archive.snapshot().listdir("audit")]
        assert len(sealed) == 1 and sealed[0].endswith(".jsonl")
        line = json.loads(svc.archive.read(f"audit/{sealed[0]}").decode().splitlines()[-1])
        assert (line["user"], line["customer"]) == ("wang.li", customer)
    finally:
        svc.close()
