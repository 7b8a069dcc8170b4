"""The customer's own data form through the web layer (R10): links, the public form, review.

A real app on a real archive; forms are read from the served pages and sent back as a browser
would. "Now" is the app's CUSTOMER_FORM_CLOCK setting and "today" its TODAY setting.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from intranet import create_app
from intranet.archive.objects import Identity
from intranet.records.files import customer_form
from intranet.records.files.customers import customer_path

from .conftest import csrf_token, git, sign_in
from .html_forms import read_form
from .test_web_customers import make, page

T0 = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)
SPAWN = multiprocessing.get_context("spawn")
SECRET = {"basic.name": "祕密貿易股份有限公司", "basic.phone": "02-2531-7099",
          "basic.address": "臺北市中山區祕密路77號", "basic.email": "boss@secret.example",
          "notes": "只給內部看的備註"}


class Clock:
    """A settable "now" for the link store."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app) -> Clock:
    clock = Clock()
    app.config["CUSTOMER_FORM_CLOCK"] = clock
    app.config["TODAY"] = date(2026, 11, 2)
    return clock


@pytest.fixture
def client(signed_in, clock):
    """The signed-in salesperson wang.li, custodian of the files made here, in English."""
    signed_in.set_cookie("lang", "en")
    return signed_in


@pytest.fixture
def visitor(app):
    """Someone with a link and no account, reading English."""
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    return visitor


@pytest.fixture
def repo(app) -> str:
    return app.config["ARCHIVE_REPO"]


def new_link(client, customer: str) -> str:
    """Make a link through the links page; return its path /form/<token>."""
    url = f"/customers/{customer}/form-links"
    fields = read_form(page(client, url), url)
    response = client.post(url, data=MultiDict(fields))
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    found = re.search(r'id="form-link"[^>]*value="http://localhost(/form/[^"]+)"',
                      response.get_data(as_text=True))
    assert found
    return found.group(1)


def fill(visitor, link: str, values: dict[str, str], name: str = "張三", drop=()):
    """Send the public form with some values, the way a browser sends it."""
    fields = [(k, v) for k, v in read_form(page(visitor, link), "")
              if k not in values and k != "submitted_by" and k not in drop]
    fields += [*values.items(), ("submitted_by", name), ("send", "Send")]
    return visitor.post(link, data=MultiDict(fields))


def commits(repo: str) -> list[str]:
    return git(repo, "rev-list", "HEAD").split()


def record_at_head(svc, customer: str) -> dict:
    return svc.files.load(customer).record


def pending_proposal(svc, customer: str) -> dict:
    [proposal] = customer_form.pending(record_at_head(svc, customer))
    return proposal


# --- links -----------------------------------------------------------------------------------

def test_only_those_who_may_edit_the_file_make_links(client, svc, app):
    customer = make(svc, **SECRET)
    assert "Links to the customer data form" in page(client, f"/customers/{customer}")
    new_link(client, customer)
    url = f"/customers/{customer}/form-links"
    for username, status in (("chen.yu", 403), ("lee.mgr", 403), ("hr.chen", 403),
                             ("lin.sales2", 403)):
        other = app.test_client()
        sign_in(other, username)
        other.set_cookie("lang", "en")
        assert other.get(url).status_code == status
        token = csrf_token(other, "/customers/form/blank")  # their own session's token
        assert other.post(url, data={"csrf_token": token}).status_code == status
    lee = app.test_client()
    sign_in(lee, "lee.mgr")
    lee.set_cookie("lang", "en")
    # The department manager reads the file, without the links button.
    assert "Links to the customer data form" not in page(lee, f"/customers/{customer}")
    assert len(app.extensions["customer_form_links"].of_customer(customer)) == 1


def test_the_token_is_in_no_file_of_the_instance_or_the_archive(client, visitor, svc, app,
                                                                repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    token = link.rsplit("/", 1)[1]
    assert fill(visitor, link, {"basic.fax": "02-2531-7000"}).status_code == 200
    instance = Path(app.instance_path)
    stored = b"".join(p.read_bytes() for p in instance.rglob("*") if p.is_file())
    assert token.encode() not in stored
    history = git(repo, "log", "--all", "-p", "--format=%an%n%B")
    assert token not in history and "02-2531-7000" in history  # the submission is there
    # And the links page never shows it again.
    assert token not in page(client, f"/customers/{customer}/form-links")


def test_a_link_expires_after_the_policys_days(client, visitor, svc, clock):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    clock.now = T0 + timedelta(days=14) - timedelta(minutes=1)
    assert visitor.get(link).status_code == 200
    clock.now = T0 + timedelta(days=14)
    response = visitor.get(link)
    assert response.status_code == 404 and "not valid any more" in response.get_data(True)
    assert "Expired" in page(client, f"/customers/{customer}/form-links")


def test_revoked_link_is_refused_and_listed_as_revoked(client, visitor, svc, app):
    customer = make(svc, **SECRET)
    link, kept = new_link(client, customer), new_link(client, customer)
    url = f"/customers/{customer}/form-links"
    html = page(client, url)
    # Newest first: the second form revokes the first link.
    revoke = re.findall(r'action="(/customers/[^"]+/revoke)"', html)[1]
    chen = app.test_client()
    sign_in(chen, "chen.yu")
    assert chen.post(revoke, data={"csrf_token": csrf_token(chen, "/customers/form/blank")}
                     ).status_code == 403
    assert visitor.get(link).status_code == 200
    response = client.post(revoke, data=MultiDict(read_form(html, revoke)))
    assert response.status_code == 302
    html = page(client, url)
    assert "Revoked by 王立" in html and "The link was revoked." in html
    assert html.count("/revoke") == 1
    assert visitor.get(link).status_code == 404
    assert visitor.get(kept).status_code == 200
    response = client.post(revoke, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert "That link was not open any more." in page(client, url)


# --- the public form -------------------------------------------------------------------------

def test_the_public_form_is_blank_and_shows_nothing_of_the_file(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    response = visitor.get(link)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Phone" in html and "Registered capital" in html and "Your name" in html
    assert "Custodian" not in html and "Notes" not in html
    leaked = [v for v in (*SECRET.values(), customer, "王立", "wang.li") if v in html]
    assert leaked == []
    # Nor when it comes back with errors.
    response = fill(visitor, link, {"basic.phone": "12", "basic.email": "x"})
    html = response.get_data(as_text=True)
    assert "Enter a phone number with its area or country code" in html
    assert "Enter an email address such as name@example.com" in html
    assert [v for v in (*SECRET.values(), customer, "王立") if v in html] == []


def test_the_public_form_in_chinese_labels_fields_in_chinese(client, app, svc):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    visitor = app.test_client()
    html = visitor.get(link, headers={"Accept-Language": "zh-TW"}).get_data(as_text=True)
    assert 'lang="zh' in html and "電話" in html and "註冊資本" in html


def test_submission_is_one_commit_of_a_pending_proposal(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    before = commits(repo)
    response = fill(visitor, link, {"basic.phone": "(02)2222-3333",
                                    "characteristics.employees": "1,200",
                                    "basic.website": "  "}, name="  張 三  ")
    assert response.status_code == 200 and "Thank you" in response.get_data(True)
    after = commits(repo)
    assert len(after) == len(before) + 1
    author = git(repo, "show", "-s", "--format=%an <%ae>%n%B", "HEAD")
    assert author.startswith("張 三（客戶填表） <customer-form@intranet.invalid>\n")
    assert "Action: customer_form\n" in author and "Source: customer_form" in author
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert changed == [customer_path(customer)]
    proposal = pending_proposal(svc, customer)
    assert proposal["submitted_by"] == "張 三" and proposal["link_by"] == "wang.li"
    assert proposal["submitted_on"] == "2026-11-02"
    assert proposal["fields"] == [
        {"path": "basic.phone", "value": "(02)2222-3333", "decision": ""},
        {"path": "characteristics.employees", "value": "1200", "decision": ""}]
    # The file's own fields are unchanged until a review.
    assert record_at_head(svc, customer)["basic"]["phone"] == "02-2531-7099"
    assert "Customer form received" in page(client, f"/customers/{customer}/history")


def test_a_used_link_is_refused_and_nothing_more_is_committed(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    html = page(visitor, link)
    fields = [(k, v) for k, v in read_form(html, "") if k not in ("basic.fax", "submitted_by")]
    first = visitor.post(link, data=MultiDict([*fields, ("basic.fax", "02-2531-7000"),
                                               ("submitted_by", "張三")]))
    assert first.status_code == 200
    before = commits(repo)
    again = visitor.post(link, data=MultiDict([*fields, ("basic.fax", "02-2531-7001"),
                                               ("submitted_by", "張三")]))
    assert again.status_code == 404 and "not valid any more" in again.get_data(True)
    assert commits(repo) == before
    assert visitor.get(link).status_code == 404
    assert "Used on" in page(client, f"/customers/{customer}/form-links")


def test_unknown_used_and_expired_links_get_the_same_page(client, visitor, svc, clock):
    customer = make(svc, **SECRET)
    used, expired = new_link(client, customer), new_link(client, customer)
    assert fill(visitor, used, {"basic.fax": "02-2531-7000"}).status_code == 200
    clock.now += timedelta(days=30)
    bodies = set()
    for url in (used, expired, "/form/" + "A" * 43, "/form/short", "/form/%00%01"):
        response = visitor.get(url)
        assert response.status_code == 404
        # The language switch at the foot echoes the address and carries a CSRF token signed
        # with the time; nothing else may differ.
        bodies.add(re.sub(r'name="(next|csrf_token)" value="[^"]*"', "",
                          response.get_data(as_text=True)))
    assert len(bodies) == 1


def test_many_unknown_links_from_one_address_are_slowed_down(app, visitor):
    app.config["LOGIN_CLOCK"] = None
    for i in range(20):
        assert visitor.get(f"/form/{'B' * 42}{i % 10}").status_code == 404
    response = visitor.get("/form/" + "C" * 43)
    assert response.status_code == 429 and "Retry-After" in response.headers


def test_the_public_form_needs_its_csrf_token(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    before = commits(repo)
    fields = [(k, v) for k, v in read_form(page(visitor, link), "") if k != "csrf_token"]
    response = visitor.post(link, data=MultiDict([*fields, ("basic.fax", "02-2531-7000"),
                                                  ("submitted_by", "張三")]))
    assert response.status_code == 400
    assert commits(repo) == before
    assert visitor.get(link).status_code == 200  # the link is still open


def test_hostile_input_is_ignored_or_refused(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    before = commits(repo)
    response = fill(visitor, link, {"basic.short_name": "東方\x1b[31m", "basic.tax_id": "9" * 201})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "control character" in html
    assert "Shorten this to at most 200 characters" in html
    response = fill(visitor, link, {"basic.fax": "02-2531-7000"}, name="張\x00三")
    assert "control character" in response.get_data(True)
    response = fill(visitor, link, {})
    assert "Fill in at least one field." in response.get_data(True)
    assert commits(repo) == before
    # Fields the form does not ask for are ignored, whatever the POST says.
    fill(visitor, link, {"basic.fax": "02-2531-7000", "custody.owner": "chen.yu",
                         "notes": "overwritten", "proposals": "x", "id": "C999999"})
    proposal = pending_proposal(svc, customer)
    assert [f["path"] for f in proposal["fields"]] == ["basic.fax"]
    record = record_at_head(svc, customer)
    assert record["custody"]["owner"] == "wang.li" and record["notes"] == SECRET["notes"]


def test_an_oversized_body_is_refused_before_anything_reads_it(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    link = new_link(client, customer)
    before = commits(repo)
    fields = read_form(page(visitor, link), "")
    response = visitor.post(link, data=MultiDict([*fields, ("basic.business_scope",
                                                            "x" * 200_000),
                                                  ("submitted_by", "張三")]))
    assert response.status_code == 413
    assert commits(repo) == before
    assert visitor.get(link).status_code == 200


def _submit_in_process(config: dict, link: str, value: str, barrier, queue) -> None:
    """Open the form, wait for the others, then send it: one process per customer."""
    app = create_app(config)
    visitor = app.test_client()
    html = visitor.get(link).get_data(as_text=True)
    fields = [(k, v) for k, v in read_form(html, "") if k not in ("basic.fax", "submitted_by")]
    barrier.wait()
    response = visitor.post(link, data=MultiDict([*fields, ("basic.fax", value),
                                                  ("submitted_by", "張三")]))
    queue.put(response.status_code)
    app.extensions["customer_archive"].close()


def test_simultaneous_submissions_with_one_link_make_exactly_one_commit(app, svc, repo,
                                                                        signed_in):
    app.config.pop("CUSTOMER_FORM_CLOCK", None)
    customer = make(svc, **SECRET)
    link = new_link(signed_in, customer)
    before = commits(repo)
    config = {key: app.config[key] for key in (
        "ARCHIVE_REPO", "INDEX_PATH", "CREDENTIALS_PATH", "SECRET_KEY", "TESTING")}
    config["INSTANCE_PATH"] = app.instance_path
    barrier, queue = SPAWN.Barrier(4), SPAWN.Queue()
    workers = [SPAWN.Process(target=_submit_in_process,
                             args=(config, link, f"02-2531-700{i}", barrier, queue))
               for i in range(4)]
    for w in workers:
        w.start()
    statuses = sorted(queue.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(30)
    assert statuses == [200, 404, 404, 404]
    assert len(commits(repo)) == len(before) + 1
    assert len(record_at_head(svc, customer)["proposals"]) == 1


# --- review ----------------------------------------------------------------------------------

def _proposal_page(client, customer: str, svc) -> tuple[str, str]:
    url = f"/customers/{customer}/proposals/{pending_proposal(svc, customer)['id']}"
    return url, page(client, url)


def test_review_commits_only_the_accepted_fields(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    fill(visitor, new_link(client, customer), {
        "basic.phone": "02-2222-3333", "basic.email": "new@secret.example",
        "characteristics.employees": "1,200", "basic.registered_capital": "5,000,000"})
    url = f"/customers/{customer}/proposals/{pending_proposal(svc, customer)['id']}"
    html = page(client, f"/customers/{customer}")
    assert "Customer form proposals" in html and f'href="{url}"' in html
    assert "Proposed value" not in html  # the panel replaces the card's plain table
    url, html = _proposal_page(client, customer, svc)
    assert "boss@secret.example" in html and "new@secret.example" in html  # now and proposed
    fields = read_form(html, "")
    fields += [("decision-0", "accepted"), ("decision-1", "rejected"),
               ("decision-2", "accepted"), ("decision-3", "accepted"), ("save", "1")]
    response = client.post(url, data=MultiDict(fields))
    assert response.status_code == 302
    message = git(repo, "show", "-s", "--format=%an <%ae>%n%B", "HEAD")
    assert message.startswith("王立 <wang.li@example.com>\n")
    assert "Action: customer_form_review" in message and "Source: customer_form" in message
    patch = git(repo, "show", "--format=", "HEAD")
    assert "+  phone: 02-2222-3333" in patch and "+  employees: 1200" in patch
    assert "+  registered_capital: 5000000" in patch
    assert "email" not in "".join(line for line in patch.splitlines(True)
                                  if line.startswith(("+ ", "- ")))
    record = record_at_head(svc, customer)
    assert record["basic"]["email"] == SECRET["basic.email"]  # rejected: unchanged
    assert record["characteristics"]["employees"] == 1200
    proposal = record["proposals"][0]
    assert proposal["status"] == "reviewed" and proposal["reviewed_by"] == "wang.li"
    assert [f["decision"] for f in proposal["fields"]] == ["accepted", "rejected", "accepted",
                                                           "accepted"]
    # Reviewed: the page shows the decisions and offers nothing to send.
    html = page(client, url)
    assert "Reviewed by 王立" in html and 'name="decision-0"' not in html
    before = commits(repo)
    assert client.post(url, data=MultiDict(fields)).status_code == 200
    assert commits(repo) == before


def test_accept_all_and_reject_all(client, visitor, svc, repo):
    customer = make(svc, **SECRET)
    fill(visitor, new_link(client, customer), {"basic.phone": "02-2222-3333",
                                               "basic.fax": "02-2222-4444"})
    url, html = _proposal_page(client, customer, svc)
    client.post(url, data=MultiDict([*read_form(html, ""), ("accept_all", "1")]))
    record = record_at_head(svc, customer)
    assert (record["basic"]["phone"], record["basic"]["fax"]) == ("02-2222-3333", "02-2222-4444")
    fill(visitor, new_link(client, customer), {"basic.phone": "02-1111-1111"})
    url, html = _proposal_page(client, customer, svc)
    before = commits(repo)
    client.post(url, data=MultiDict([*read_form(html, ""), ("reject_all", "1")]))
    assert len(commits(repo)) == len(before) + 1
    record = record_at_head(svc, customer)
    assert record["basic"]["phone"] == "02-2222-3333"
    assert record["proposals"][1]["fields"][0]["decision"] == "rejected"


def test_an_invalid_accepted_value_shows_its_error_and_writes_nothing(client, svc, repo):
    customer = make(svc, **SECRET)
    # A proposal whose value no longer passes: written as the form writes them.
    proposal = customer_form.new_proposal("p1", {"basic.phone": "not a phone",
                                                 "basic.fax": "02-2222-4444"},
                                          "張三", "wang.li", date(2026, 11, 2))
    svc.files.amend(customer, lambda r, _s: customer_form.add_proposal(r, proposal),
                    author=Identity("張三（客戶填表）", "customer-form@intranet.invalid"),
                    action="customer_form", source="customer_form")
    url, html = _proposal_page(client, customer, svc)
    before = commits(repo)
    response = client.post(url, data=MultiDict([*read_form(html, ""), ("decision-0", "accepted"),
                                                ("decision-1", "accepted"), ("save", "1")]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nothing was saved" in html
    assert "Use only digits, spaces and + - ( ) in a phone number" in html
    assert commits(repo) == before
    # A missing decision is an error on its field too.
    fields = [(k, v) for k, v in read_form(html, "") if not k.startswith("decision-")]
    response = client.post(url, data=MultiDict([*fields, ("decision-0", "rejected"),
                                                ("save", "1")]))
    assert "Accept or reject this field" in response.get_data(True)
    assert commits(repo) == before


def test_a_field_changed_since_the_submission_is_shown_so(client, visitor, svc):
    customer = make(svc, **SECRET)
    fill(visitor, new_link(client, customer), {"basic.phone": "02-2222-3333",
                                               "basic.fax": "02-2222-4444"})
    record = record_at_head(svc, customer)
    record["basic"]["phone"] = "02-9999-8888"
    svc.files.save(customer, record, svc.archive.head(), "wang.li")
    _url, html = _proposal_page(client, customer, svc)
    assert html.count("changed-since") == 1
    assert "02-9999-8888" in html and "it was: 02-2531-7099" in html


def test_only_editors_review(client, visitor, svc, app, repo):
    customer = make(svc, **SECRET)
    fill(visitor, new_link(client, customer), {"basic.phone": "02-2222-3333"})
    url, _html = _proposal_page(client, customer, svc)
    before = commits(repo)
    lee = app.test_client()
    sign_in(lee, "lee.mgr")
    fields = {"csrf_token": csrf_token(lee, "/customers/form/blank"), "accept_all": "1"}
    assert lee.get(url).status_code == 403
    assert lee.post(url, data=fields).status_code == 403
    # The department manager reads the file and sees the proposal waiting, not the review.
    html = page(lee, f"/customers/{customer}")
    assert "張三" in html and url not in html
    assert commits(repo) == before
    assert client.get(f"/customers/{customer}/proposals/nope").status_code == 404


def test_the_blank_paper_form_is_for_any_member_of_staff(app, svc, web):
    make(svc, **SECRET)
    hr = app.test_client()
    assert hr.get("/customers/form/blank").status_code == 302  # signed-in staff only
    sign_in(hr, "hr.chen")
    hr.set_cookie("lang", "en")
    html = page(hr, "/customers/form/blank")
    assert "Customer data form" in html and "Registered capital" in html
    assert "paper-line" in html and "Your name" in html
    assert [v for v in SECRET.values() if v in html] == []


def test_review_and_links_pages_are_journalled_and_the_public_form_is_not_a_staff_read(
        client, visitor, svc, app):
    journal = Path(app.config["AUDIT_JOURNAL"])

    def entries() -> list[tuple]:
        lines = journal.read_text().splitlines() if journal.exists() else []
        return [(e["user"], e["customer"], e["action"], e["allowed"], e["route"])
                for e in map(json.loads, lines)]

    customer = make(svc, **SECRET)
    before = len(entries())
    link = new_link(client, customer)
    assert entries()[before:] == [
        ("wang.li", customer, "edit", True, "customers.form_links"),
        ("wang.li", customer, "edit", True, "customers.new_form_link")]
    before = len(entries())
    fill(visitor, link, {"basic.fax": "02-2531-7000"})
    assert entries()[before:] == []  # the customer reads nothing of the file
    url, _html = _proposal_page(client, customer, svc)
    lee = app.test_client()
    sign_in(lee, "lee.mgr")
    lee.get(url)
    assert entries()[-2:] == [("wang.li", customer, "edit", True, "customers.review_proposal"),
                              ("lee.mgr", customer, "edit", False, "customers.review_proposal")]


@pytest.mark.parametrize("logger", ["werkzeug", "gunicorn.access", "intranet"])
def test_access_logs_do_not_keep_the_token(app, logger, caplog):
    token = "l56OazoYnjN_hoGlQjy7mLGFfaYWAs3crgxlvUmoW3g"
    with caplog.at_level(logging.INFO, logger=logger):
        # werkzeug's request line, then gunicorn's access atoms.
        logging.getLogger(logger).info('%s - - "%s" %s', "127.0.0.1",
                                       f"POST /form/{token} HTTP/1.1", 200)
        logging.getLogger(logger).info('%(h)s "%(r)s"', {"h": "10.0.0.9",
                                                         "r": f"GET /form/{token}?x=1 HTTP/1.1"})
        logging.getLogger(logger).info("GET /customers/C000001 HTTP/1.1")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ['127.0.0.1 - - "POST /form/… HTTP/1.1" 200',
                     '10.0.0.9 "GET /form/…?x=1 HTTP/1.1"', "GET /customers/C000001 HTTP/1.1"]
