"""Signing in and out, throttling, sessions that end, next=, first start and demo mode."""

from __future__ import annotations

import importlib
import logging
import re
from pathlib import Path

import pytest

from intranet import create_app
from intranet.archive.repository import Archive
from intranet.demo_data import org as demo_org
from intranet.records.files import yamlio
from intranet.records.rulebook.organisation import initialise, save_member
from intranet.records.rulebook.rules import STAFF_PATH

from .conftest import PASSWORD, STAFF, SYSTEM, csrf_token, git, make_archive, sign_in

ADMIN = {"username": "mei.hua", "name": "陳美華", "email": "mei.hua@example.com",
         "department": "marketing", "password": "a long secret 9", "confirm": "a long secret 9"}


class Clock:
    """A clock the tests move by hand, so that no test sleeps."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time on."""
        self.now += seconds


@pytest.fixture
def build(tmp_path):
    """Make apps on one archive and instance folder (several calls: several workers)."""
    made = []

    def _build(staff: bool = True, **settings):
        repo = tmp_path / "archive.git"
        if not repo.exists():
            if staff:
                make_archive(repo).close()
            else:
                archive = Archive(repo, committer=SYSTEM)
                initialise(archive, SYSTEM)
                archive.close()
        app = create_app({"TESTING": True, "ARCHIVE_REPO": str(repo),
                          "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
                          **settings})
        made.append(app)
        if staff:
            app.extensions["customer_archive"].credentials.set_many(
                [m["username"] for m in STAFF], PASSWORD)
        return app

    yield _build
    for app in made:
        app.extensions["customer_archive"].close()


def head(app) -> str:
    """Return the archive's branch head."""
    return app.extensions["customer_archive"].archive.head()


def throttle(app):
    """Return the app's sign-in throttle."""
    return app.extensions["login_throttle"]


def signed_in_as(client) -> str | None:
    """Return who the home page greets, or None when it sends the client to sign in."""
    response = client.get("/")
    if response.status_code != 200:
        return None
    return response.get_data(as_text=True)


# --- signing in and out -------------------------------------------------------------------

def test_sign_in_goes_home_and_shows_the_user(web):
    response = sign_in(web)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "王立" in signed_in_as(web)


def test_wrong_password_unknown_and_disabled_users_are_refused_alike(web, svc, caplog):
    save_member(svc.archive, {"username": "chen.yu", "active": False}, SYSTEM, new=False)
    caplog.set_level(logging.WARNING)
    pages = []
    for username, password in [("wang.li", "wrong password"), ("ghost", PASSWORD),
                               ("chen.yu", PASSWORD)]:
        response = sign_in(web, username, password)
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
        assert signed_in_as(web) is None
    assert 'class="alert alert-danger"' in pages[0]
    # The same answer whether the user exists, is disabled, or typed a wrong password.
    alerts = [re.search(r'alert-danger"[^>]*>([^<]*)<', p).group(1) for p in pages]
    assert len(set(alerts)) == 1
    failures = [r.getMessage() for r in caplog.records if "failed sign-in" in r.getMessage()]
    assert len(failures) == 3
    assert "'wang.li'" in failures[0] and "127.0.0.1" in failures[0]


def test_username_is_case_and_space_insensitive(web):
    assert sign_in(web, "  Wang.Li ").status_code == 302


def test_logout_is_a_post_with_a_token(signed_in):
    response = signed_in.get("/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert "<nav" in response.get_data(as_text=True)
    assert signed_in_as(signed_in) is not None
    assert signed_in.post("/logout").status_code == 400  # no CSRF token
    assert signed_in_as(signed_in) is not None
    response = signed_in.post("/logout", data={"csrf_token": csrf_token(signed_in, "/")})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert signed_in_as(signed_in) is None


def test_sign_in_starts_a_new_session_keeping_the_language(web):
    token = csrf_token(web, "/login")
    web.post("/language", data={"lang": "en", "csrf_token": token, "next": "/login"})
    web.delete_cookie("lang")  # only the session remembers the language now
    with web.session_transaction() as session:
        session["planted"] = "by someone before sign-in"
        old_token = session["csrf_token"]
    assert sign_in(web).status_code == 302
    with web.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != old_token
        assert session["lang"] == "en"
        assert session.permanent
    assert '<html lang="en">' in signed_in_as(web)


def test_logout_keeps_only_the_language(signed_in):
    token = csrf_token(signed_in, "/")
    signed_in.post("/language", data={"lang": "en", "csrf_token": token, "next": "/"})
    signed_in.post("/logout", data={"csrf_token": csrf_token(signed_in, "/")})
    with signed_in.session_transaction() as session:
        assert "_user_id" not in session and session["lang"] == "en"


def test_csrf_refusal_signs_nobody_in_and_writes_nothing(web, svc):
    before = svc.archive.head()
    response = web.post("/login", data={"username": "wang.li", "password": PASSWORD})
    assert response.status_code == 400
    assert "<nav" in response.get_data(as_text=True)
    assert signed_in_as(web) is None
    assert svc.archive.head() == before


# --- sessions end at once -------------------------------------------------------------------

def two_sessions(app):
    """Return two clients signed in as wang.li."""
    first, second = app.test_client(), app.test_client()
    assert sign_in(first).status_code == 302 and sign_in(second).status_code == 302
    return first, second


def test_disabling_an_account_ends_its_sessions(app, web, svc):
    first, second = two_sessions(app)
    save_member(svc.archive, {"username": "wang.li", "active": False}, SYSTEM, new=False)
    assert signed_in_as(first) is None and signed_in_as(second) is None
    assert sign_in(app.test_client()).status_code == 200
    save_member(svc.archive, {"username": "wang.li", "active": True}, SYSTEM, new=False)
    assert sign_in(app.test_client()).status_code == 302


def test_leaving_ends_the_sessions(app, web, svc):
    first, _ = two_sessions(app)
    save_member(svc.archive, {"username": "wang.li", "active": False, "left_on": "2024-05-31"},
                SYSTEM, new=False)
    assert signed_in_as(first) is None


def test_a_new_password_ends_the_other_sessions(app, web, svc):
    first, second = two_sessions(app)
    svc.credentials.set("wang.li", "a new password 2")
    assert signed_in_as(first) is None and signed_in_as(second) is None
    third = app.test_client()
    assert sign_in(third).status_code == 200
    assert sign_in(third, password="a new password 2").status_code == 302
    assert "王立" in signed_in_as(third)
    # Other people's sessions are untouched.
    other = app.test_client()
    assert sign_in(other, "chen.yu").status_code == 302
    svc.credentials.set("wang.li", "yet another one 3")
    assert "陳宇" in signed_in_as(other)


# --- throttling -------------------------------------------------------------------------------

def fail(client, username: str = "wang.li", times: int = 1) -> None:
    """Sign in with a wrong password, expecting the usual refusal."""
    for _ in range(times):
        assert sign_in(client, username, "wrong password").status_code == 200


def test_five_failures_lock_the_username_with_a_doubling_back_off(build, caplog):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock)
    client = app.test_client()
    fail(client, times=5)
    caplog.set_level(logging.WARNING)
    response = sign_in(client)  # the right password, but refused without checking it
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "<nav" in page and "429" in page
    assert signed_in_as(client) is None
    assert any("refused sign-in for 'wang.li'" in r.getMessage() for r in caplog.records)
    # Refused attempts are not counted: the wait does not grow while one waits.
    assert throttle(app).failures("user", "wang.li") == 5
    # Other usernames are not locked.
    assert sign_in(app.test_client(), "chen.yu").status_code == 302
    clock.advance(31)
    fail(client)  # the sixth failure: now 60 s
    response = sign_in(client)
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    clock.advance(59)
    assert sign_in(client).status_code == 429
    clock.advance(2)
    assert sign_in(client).status_code == 302
    # Success clears the username's failures from this address; its total keeps counting.
    assert throttle(app).failures("user_address", "wang.li|127.0.0.1") == 0
    assert throttle(app).failures("user", "wang.li") == 6


def test_the_back_off_is_capped(build):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock, LOGIN_MAX_FAILURES=2, LOGIN_BACKOFF=100,
                LOGIN_MAX_BACKOFF=150, LOGIN_WINDOW=3600)
    client = app.test_client()
    fail(client, times=2)
    clock.advance(101)
    fail(client)  # 200 s by doubling, capped at 150
    response = sign_in(client)
    assert response.status_code == 429 and response.headers["Retry-After"] == "150"


def test_failures_outside_the_window_do_not_count(build):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock)
    client = app.test_client()
    fail(client, times=4)
    clock.advance(15 * 60 + 1)
    fail(client, times=4)
    assert sign_in(client).status_code == 302


def test_twenty_failures_lock_an_address(build):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock)
    client = app.test_client()
    for i in range(20):
        fail(client, f"nobody{i}")
    response = sign_in(client, "chen.yu")
    assert response.status_code == 429
    other_address = app.test_client()
    token = csrf_token(other_address, "/login")
    response = other_address.post("/login", data={
        "username": "chen.yu", "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 302


def test_two_workers_share_the_count(build):
    clock = Clock()
    first_app = build(LOGIN_CLOCK=clock)
    second_app = build(LOGIN_CLOCK=clock)  # a second create_app on the same instance folder
    assert first_app is not second_app
    first, second = first_app.test_client(), second_app.test_client()
    fail(first, times=3)
    fail(second, times=2)
    assert sign_in(first).status_code == 429
    assert sign_in(second).status_code == 429
    clock.advance(31)
    assert sign_in(second).status_code == 302
    assert throttle(first_app).failures("user_address", "wang.li|127.0.0.1") == 0


def test_the_throttle_settings_come_from_the_environment(build, monkeypatch):
    monkeypatch.setenv("INTRANET_LOGIN_MAX_FAILURES", "2")
    monkeypatch.setenv("INTRANET_LOGIN_WINDOW", "60")
    app = build()
    assert throttle(app).limits["user_address"] == 2 and throttle(app).window == 60
    assert Path(app.config["SECURITY_DB"]).name == "security.sqlite3"


# --- next= ------------------------------------------------------------------------------------

BAD_NEXT = ["//evil.example", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
            "javascript:alert(1)", "/%2F%2Fevil.example", "/%2f%2fevil.example",
            "/%252F%252Fevil.example", "/%5Cevil.example", "/\t/evil.example",
            "http:/evil.example", "http://evil.example", "///evil.example", "", " ", "evil"]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_next_must_be_a_local_path(web, target):
    token = csrf_token(web, "/login")
    response = web.post("/login", data={"username": "wang.li", "password": PASSWORD,
                                        "csrf_token": token, "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_next_keeps_a_local_page_with_its_query(web):
    response = web.get("/customers/?q=東方")
    assert response.headers["Location"].startswith("/login?next=")
    page = web.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="/customers/?q=東方"' in page
    token = csrf_token(web, "/login")
    response = web.post("/login", data={"username": "wang.li", "password": PASSWORD,
                                        "csrf_token": token, "next": "/customers/?q=東方"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/customers/?q=%E6%9D%B1%E6%96%B9"


# --- first start --------------------------------------------------------------------------

def setup_post(client, code: str, **fields):
    """Post the set-up form."""
    token = csrf_token(client, "/setup")
    return client.post("/setup", data={**ADMIN, "code": code, "csrf_token": token, **fields})


def staff_of(app) -> list[dict]:
    """Return org/staff.yaml's entries at the head."""
    raw = app.extensions["customer_archive"].archive.read(STAFF_PATH)
    return yamlio.load(raw, STAFF_PATH)["staff"]


def test_an_archive_without_staff_sends_every_page_to_setup(build, caplog):
    caplog.set_level(logging.WARNING)
    app = build(staff=False)
    code = app.extensions["intranet_setup"]["issued"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    # Logged for gunicorn/waitress logs; kept on disk only as a hash.
    assert any(code in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    stored = Path(app.config["SETUP_CODE_PATH"]).read_text()
    assert code not in stored and code.replace("-", "") not in stored
    client = app.test_client()
    for url in ("/", "/login", "/customers/", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/setup", url
    assert client.get("/static/css/app.css").status_code == 200
    page = client.get("/setup").get_data(as_text=True)
    assert 'name="code"' in page and 'value="marketing"' in page


def test_a_wrong_code_is_refused_counted_and_throttled(build, caplog):
    clock = Clock()
    app = build(staff=False, LOGIN_CLOCK=clock)
    client = app.test_client()
    before = head(app)
    caplog.set_level(logging.WARNING)
    response = setup_post(client, "AAAA-BBBB-CCCC")
    assert response.status_code == 200 and 'is-invalid' in response.get_data(as_text=True)
    assert head(app) == before and staff_of(app) == []
    assert throttle(app).failures("setup", "code") == 1
    assert any("wrong set-up code" in r.getMessage() for r in caplog.records)
    for _ in range(4):
        setup_post(client, "AAAA-BBBB-CCCC")
    # Even the right code waits now.
    response = setup_post(client, app.extensions["intranet_setup"]["issued"])
    assert response.status_code == 429
    assert head(app) == before
    clock.advance(31)
    assert setup_post(client, app.extensions["intranet_setup"]["issued"]).status_code == 302


def test_the_right_code_creates_the_administrator_once(build, tmp_path):
    app = build(staff=False)
    code = app.extensions["intranet_setup"]["issued"]
    client = app.test_client()
    response = setup_post(client, code.lower().replace("-", " "))  # typed loosely
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "陳美華" in signed_in_as(client)  # signed in at once
    [member] = staff_of(app)
    assert member == {"username": "mei.hua", "name": "陳美華", "email": "mei.hua@example.com",
                      "department": "marketing", "role": "marketing_director", "active": True,
                      "left_on": ""}
    repo = tmp_path / "archive.git"
    author, committer = git(repo, "log", "-1", "--format=%an <%ae>%n%cn <%ce>").splitlines()
    assert author == "陳美華 <mei.hua@example.com>"
    assert committer == f"{SYSTEM.name} <{SYSTEM.email}>"
    svc = app.extensions["customer_archive"]
    assert svc.credentials.check("mei.hua", ADMIN["password"])
    assert not Path(app.config["SETUP_CODE_PATH"]).exists()
    assert not list(Path(app.config["SETUP_CODE_PATH"]).parent.glob(".setup-code*"))
    # The code cannot be used again and the page is gone.
    again = app.test_client()
    assert again.get("/setup").status_code == 404
    assert again.post("/setup", data={**ADMIN, "code": code}).status_code in (400, 404)
    assert len(staff_of(app)) == 1
    assert again.get("/").headers["Location"].startswith("/login")
    assert sign_in(again, "mei.hua", ADMIN["password"]).status_code == 302


def test_a_second_worker_accepts_the_code_the_first_one_issued(build):
    first = build(staff=False)
    second = build(staff=False)
    code = first.extensions["intranet_setup"]["issued"]
    assert code and second.extensions["intranet_setup"]["issued"] is None
    client = second.test_client()
    assert setup_post(client, code).status_code == 302
    # The first worker sees the new staff on its next request and closes /setup.
    assert first.test_client().get("/setup").status_code == 404
    assert first.test_client().get("/").headers["Location"].startswith("/login")


def test_a_restart_of_the_single_process_server_renews_the_code(build):
    first = build(staff=False)
    old = first.extensions["intranet_setup"]["issued"]
    renewed = build(staff=False, SETUP_CODE_RENEW=True)
    new = renewed.extensions["intranet_setup"]["issued"]
    assert new and new != old
    client = renewed.test_client()
    assert setup_post(client, old).status_code == 200
    assert setup_post(client, new).status_code == 302


@pytest.mark.parametrize("fields", [
    {"confirm": "something else 1"},
    {"password": "short", "confirm": "short"},
    {"username": "Not Valid!"},
    {"email": "not-an-address"},
    {"department": "bad id/x"},
    {"name": ""},
])
def test_an_invalid_form_writes_nothing_and_keeps_the_code(build, fields):
    app = build(staff=False)
    code = app.extensions["intranet_setup"]["issued"]
    client = app.test_client()
    before = head(app)
    response = setup_post(client, code, **fields)
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    assert head(app) == before
    assert Path(app.config["SETUP_CODE_PATH"]).exists()
    assert setup_post(client, code).status_code == 302


def test_setup_without_a_csrf_token_writes_nothing(build):
    app = build(staff=False)
    code = app.extensions["intranet_setup"]["issued"]
    client = app.test_client()
    before = head(app)
    response = client.post("/setup", data={**ADMIN, "code": code})
    assert response.status_code == 400
    assert head(app) == before and staff_of(app) == []
    assert Path(app.config["SETUP_CODE_PATH"]).exists()


def test_setup_is_404_once_staff_exist(web):
    assert web.get("/setup").status_code == 404


# --- demo mode ----------------------------------------------------------------------------

def demo_usernames(page: str) -> list[str]:
    """Return the usernames the demo box lists."""
    return re.findall(r"<code>([^<]+)</code>", page)


def test_demo_accounts_are_listed_only_in_demo_mode(build, monkeypatch):
    normal = build().test_client().get("/login").get_data(as_text=True)
    assert demo_usernames(normal) == [] and "card-body" not in normal
    monkeypatch.setenv("INTRANET_DEMO", "true")
    app = build()
    assert app.config["DEMO"] is True
    page = app.test_client().get("/login", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    listed = demo_usernames(page)
    assert "director" in listed and len(listed) >= 5
    company = {m["username"]: m["role"] for m in demo_org.staff()}
    assert set(listed) <= set(company), "every listed account exists in the demo company"
    assert company["director"] == "marketing_director"
    assert "demo" in re.search(r"Every demo password is ([^.<]+)", page).group(1)


def test_demo_false_in_the_environment_is_normal_mode(build, monkeypatch):
    monkeypatch.setenv("INTRANET_DEMO", "false")
    app = build()
    assert app.config["DEMO"] is False
    assert demo_usernames(app.test_client().get("/login").get_data(as_text=True)) == []


def test_app_py_demo_sets_demo_mode(build, tmp_path):
    build()  # the archive with staff: nothing to seed
    app_module = importlib.import_module("app")
    app = app_module.make_app(demo=True, settings={
        "TESTING": True, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
        "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test"})
    try:
        assert app.config["DEMO"] is True
        assert demo_usernames(app.test_client().get("/login").get_data(as_text=True))
        plain = app_module.make_app(settings={
            "TESTING": True, "ARCHIVE_REPO": str(tmp_path / "archive.git"),
            "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test"})
        assert plain.config["DEMO"] is False
        plain.extensions["customer_archive"].close()
    finally:
        app.extensions["customer_archive"].close()


def test_demo_mode_on_an_empty_archive_issues_no_code(build):
    app = build(staff=False, DEMO=True)
    assert app.extensions["intranet_setup"]["issued"] is None
    assert not Path(app.config["SETUP_CODE_PATH"]).exists()


def test_attempts_count_before_the_password_is_checked(tmp_path):
    """Parallel requests cannot all slip through while the first ones are being checked."""
    from intranet.throttle import Throttle

    first = Throttle(tmp_path / "security.sqlite3", {"user": 5, "address": 20})
    second = Throttle(tmp_path / "security.sqlite3", {"user": 5, "address": 20})
    keys = {"user": "wang.li", "address": "10.0.0.1"}
    started = [(first if i % 2 else second).begin(keys, now=1000.0) for i in range(5)]
    assert not any(a.refused for a in started)
    assert first.begin(keys, now=1000.0).refused_until == 1030.0  # before any has finished
    first.succeeded(started[0], clear={"user": "wang.li"})
    assert second.failures("user", "wang.li", now=1000.0) == 0
    assert second.failures("address", "10.0.0.1", now=1000.0) == 4  # the others failed


# --- lock-out per user and address, sessions ended at sign-out ---------------------------------

def sign_in_from(client, address: str, username: str = "wang.li", password: str = PASSWORD):
    """Sign in through the real form from a client address."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_failures_lock_a_username_only_at_the_address_they_came_from(build):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock)
    attacker, colleague = app.test_client(), app.test_client()
    for _ in range(5):
        assert sign_in_from(attacker, "10.0.0.66", password="guess").status_code == 200
    assert sign_in_from(attacker, "10.0.0.66").status_code == 429
    # wang.li at their own machine is not locked out by someone else's guessing.
    assert sign_in_from(colleague, "10.0.0.7").status_code == 302
    assert "王立" in signed_in_as(colleague)
    assert throttle(app).failures("user_address", "wang.li|10.0.0.66") == 5
    assert throttle(app).failures("user_address", "wang.li|10.0.0.7") == 0


def test_guessing_one_name_from_many_addresses_hits_a_higher_limit(build):
    clock = Clock()
    app = build(LOGIN_CLOCK=clock, LOGIN_MAX_USER_FAILURES=8)
    client = app.test_client()
    for i in range(8):  # two failures from each of four addresses: none is locked alone
        assert sign_in_from(client, f"10.0.1.{i // 2}", password="guess").status_code == 200
    response = sign_in_from(app.test_client(), "10.0.2.1")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert sign_in_from(app.test_client(), "10.0.2.1", "chen.yu").status_code == 302
    clock.advance(31)
    assert sign_in_from(app.test_client(), "10.0.2.1").status_code == 302


def test_the_default_limits(build):
    app = build()
    assert throttle(app).limits == {"user_address": 5, "user": 50, "address": 20, "setup": 5}


def test_a_copied_session_cookie_stops_working_at_sign_out(build):
    first_app = build()
    second_app = build()  # another worker process on the same instance folder
    owner, thief = first_app.test_client(), second_app.test_client()
    assert sign_in(owner).status_code == 302
    cookie = owner.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    assert "王立" in signed_in_as(thief)  # the copy works while the session lasts
    response = owner.post("/logout", data={"csrf_token": csrf_token(owner, "/")})
    assert response.status_code == 302
    assert signed_in_as(thief) is None
    assert thief.get("/customers/").status_code == 302
    # Signing in again makes a new session; the old copy stays dead.
    assert sign_in(owner).status_code == 302
    thief.set_cookie("session", cookie.value)
    assert signed_in_as(thief) is None
    assert "王立" in signed_in_as(owner)


def test_signing_out_ends_only_that_session(build):
    app = build()
    laptop, desktop = app.test_client(), app.test_client()
    assert sign_in(laptop).status_code == 302
    assert sign_in(desktop).status_code == 302
    laptop.post("/logout", data={"csrf_token": csrf_token(laptop, "/")})
    assert signed_in_as(laptop) is None
    assert "王立" in signed_in_as(desktop)
