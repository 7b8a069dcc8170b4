"""The administrator's backups page and banner (R38)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from .backup_support import Clock, backup_app, bundles, taipei
from .conftest import PASSWORD, STAFF, csrf_token, sign_in


@pytest.fixture
def clock():
    return Clock(taipei(11, 29, 0, 5))


@pytest.fixture
def app(tmp_path, clock):
    app = backup_app(tmp_path, clock)
    app.extensions["customer_archive"].credentials.set_many(
        [m["username"] for m in STAFF], PASSWORD)
    yield app
    app.extensions["customer_archive"].close()


@pytest.fixture
def backups(app):
    return app.extensions["customer_archive"].backups


def client(app, username: str):
    web = app.test_client()
    web.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read the English text
    assert sign_in(web, username).status_code == 302
    return web


def banner(web) -> str:
    page = web.get("/").get_data(as_text=True)
    return page[page.index('id="backup-warning"'):] if 'id="backup-warning"' in page else ""


def test_the_director_sees_every_backup_and_others_get_403(app, backups, tmp_path):
    backups.make("manual")
    backups.folder.rename(tmp_path / "elsewhere")
    failed = backups.make("manual")
    (tmp_path / "elsewhere").rename(backups.folder)
    director = client(app, "director")
    page = director.get("/admin/backups")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert str(backups.folder) in text and "archive-2026-11-29T0005-manual.bundle" in text
    assert failed.problem.describe() in text  # why it failed, in the list
    assert backups.catalogue.all()[1].head[:10] in text
    assert 'id="backup-schedule"' in text and "Back up now" in text
    # Sizes as a person reads them: the test archive's bundle in KiB, the free space in GiB or so.
    assert re.search(r"\d\.\d KiB</td>", text) and re.search(r"\d\.\d [GTM]iB</dd>", text)
    for username in ("wang.li", "gm", "hr.chen", "lee.mgr"):
        other = client(app, username)
        assert other.get("/admin/backups").status_code == 403
        token = csrf_token(other, "/")
        assert other.post("/admin/backups", data={"csrf_token": token}).status_code == 403
    assert len(backups.catalogue.all()) == 2


def test_back_up_now_needs_the_csrf_token_and_makes_a_verified_backup(app, backups):
    director = client(app, "director")
    assert director.post("/admin/backups", data={}).status_code == 400
    assert backups.catalogue.all() == []
    token = csrf_token(director, "/admin/backups")
    response = director.post("/admin/backups", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/admin/backups")
    backups.wait_manual()  # the button starts it in a thread: a request would time out
    [entry] = backups.catalogue.all()
    assert entry.verified and entry.kind == "manual"
    assert bundles(backups.folder) == [entry.name]
    assert entry.name in director.get("/admin/backups").get_data(as_text=True)


def test_the_banner_shows_a_missing_folder_to_the_director_only_until_fixed(app, backups,
                                                                             clock):
    backups.make("manual")
    shutil.rmtree(backups.folder)
    director, salesperson = client(app, "director"), client(app, "wang.li")
    warning = banner(director)
    assert "is missing" in warning and str(backups.folder) in warning
    assert banner(salesperson) == ""
    backups.folder.mkdir()
    assert "no longer there" in banner(director)  # the disk came back empty
    assert backups.make("manual").verified
    assert banner(director) == ""


def test_the_banner_shows_a_stale_backup_and_goes_after_a_new_one(app, backups, clock):
    director = client(app, "director")
    assert banner(director) == ""  # a new install: no slot has passed yet
    clock.now = taipei(12, 1, 0, 10)
    assert "no verified backup yet" in banner(director)
    assert backups.check().verified
    assert banner(director) == ""
    clock.now += timedelta(days=9)  # the weekly backups did not happen
    warning = banner(director)
    assert "9 days old" in warning and "allows 8" in warning
    assert banner(client(app, "gm")) == ""
    assert backups.check().verified
    assert banner(director) == ""


def test_the_backups_page_shows_each_mirror_masked_with_its_state(tmp_path, clock):
    mirror = tmp_path / "mirror.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(mirror)],
                   check=True)
    secret = "https://bot:s3cr3t-token@127.0.0.1:9/office/archive.git"
    app = backup_app(tmp_path, clock, MIRRORS=[str(mirror), secret])
    svc = app.extensions["customer_archive"]
    try:
        svc.credentials.set_many(["director"], PASSWORD)
        svc.mirrors.run()
        text = client(app, "director").get("/admin/backups").get_data(as_text=True)
        assert 'id="mirrors-title"' in text and str(mirror) in text
        assert svc.archive.head()[:10] in text  # what the local mirror received
        assert "s3cr3t" not in text and "https://***@127.0.0.1:9/office/archive.git" in text
    finally:
        svc.close()
