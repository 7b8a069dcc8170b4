"""Issue 14 through the web: the next-contact field of the contact form, the home page's
reminders, the /inbox page and its navbar count, and e-mail to a real local SMTP server
(aiosmtpd on a free port): To, Subject and the UTF-8 Chinese body, once per item, retried
after a failure that the administrator's inbox shows."""

from __future__ import annotations

import email
import socket
from datetime import UTC, date, datetime
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller

from intranet import create_app
from intranet.actions import entries as entry_actions
from intranet.records.files import entries
from intranet.records.files.customers import customer_path
from intranet.records.rights import requests

from .conftest import PASSWORD, STAFF, git, make_archive, sign_in
from .test_web_customers import make, send

TODAY = "2026-11-26"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
EN = {"Accept-Language": "en"}


def client_as(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    client.set_cookie("lang", "en")
    return client


def plan(svc, customer: str, when: str, next_contact: str, staff: str = "wang.li") -> None:
    entry_actions.add_contact(svc.files, staff, customer, entries.contact_entry(
        when=when, channel="call", staff=staff, summary="報價", today=date(2026, 11, 26),
        next_contact=next_contact))


@pytest.fixture
def web_today(app, web):
    app.config["TODAY"] = TODAY
    return web


def test_the_contact_form_plans_the_next_contact_and_refuses_a_day_before_it(app, web_today,
                                                                            svc):
    customer = make(svc)
    client = client_as(app, "wang.li")
    page = client.get(f"/customers/{customer}").get_data(as_text=True)
    assert 'name="next_contact"' in page and 'type="date"' in page
    repo = app.config["ARCHIVE_REPO"]
    before = git(repo, "rev-parse", "main")
    refused = send(client, page, f"/customers/{customer}/contacts", {
        "date": "2026-11-20", "summary": "報價", "next_contact": "2026-11-19"}, button="submit")
    assert refused.status_code == 400
    assert "The next contact cannot be before this contact" in refused.get_data(as_text=True)
    assert git(repo, "rev-parse", "main") == before
    done = send(client, page, f"/customers/{customer}/contacts", {
        "date": "2026-11-20", "summary": "報價", "next_contact": "2026-12-01"}, button="submit")
    assert done.status_code == 302
    assert "next_contact: '2026-12-01'" in svc.archive.read(customer_path(customer)).decode()
    card = client.get(f"/customers/{customer}").get_data(as_text=True)
    assert '<time datetime="2026-12-01">2026-12-01</time>' in card


def test_home_reminders_inbox_and_badge_show_what_waits_for_me(app, web_today, svc):
    mine, other = make(svc, **{"basic.name": "東方貿易"}), make(svc, author="chen.yu")
    plan(svc, mine, "2026-11-10", "2026-11-20")
    plan(svc, other, "2026-11-10", "2026-11-21", staff="chen.yu")
    request_id = requests.create(svc.archive, "chen.yu", [mine], "報價", "read", 3)
    wang = client_as(app, "wang.li")
    home = wang.get("/", headers=EN).get_data(as_text=True)
    assert 'id="followups"' in home and "東方貿易" in home
    assert "Contact planned for 2026-11-20 (after the contact of 2026-11-10)" in home
    assert 'id="nav-inbox">Inbox <span class="badge text-bg-warning"' in home
    page = wang.get("/inbox", headers=EN).get_data(as_text=True)
    assert f'href="/customers/{mine}#contact-log"' in page and "Overdue" in page
    assert "2026-11-21" not in page  # chen.yu's plan on chen.yu's file
    # The department manager signs the request: the inbox links to it, by the file's name.
    manager = client_as(app, "lee.mgr")
    page = manager.get("/inbox", headers=EN).get_data(as_text=True)
    assert "<strong>東方貿易</strong>: <a href=\"/access/" in page
    assert "陳宇 asks for read access: sign or refuse" in page
    assert manager.get(f"/access/{request_id}").status_code == 200
    assert f'href="/access/{request_id}"' in page
    # Nothing waits for HR: no badge, and the page says so.
    hr = client_as(app, "hr.chen")
    assert 'id="inbox-empty"' in hr.get("/inbox", headers=EN).get_data(as_text=True)
    assert 'id="nav-inbox">Inbox</a>' in hr.get("/", headers=EN).get_data(as_text=True)


def test_the_inbox_needs_a_signed_in_person(app):
    response = app.test_client().get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- e-mail through a real SMTP server -----------------------------------------------------

class Mailbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email_policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A real SMTP server on a free local port that a test can stop and start again."""

    def __init__(self) -> None:
        self.box = Mailbox()
        self.port = free_port()
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """A running local SMTP server, stopped afterwards."""
    server = Server()
    server.up()
    yield server
    server.down()


@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app whose MAIL_SERVER is the local SMTP server."""
    make_archive(tmp_path / "archive.git").close()
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "TODAY": TODAY,
        "ARCHIVE_REPO": str(tmp_path / "archive.git"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
        "MAIL_FROM": "archive@example.com", "MAIL_PASSWORD": "s3cret-never-shown",
        "MAIL_BASE_URL": "https://intranet.example"})
    svc = app.extensions["customer_archive"]
    svc.credentials.set_many([m["username"] for m in STAFF], PASSWORD)
    yield app
    svc.close()


def run_mail_job(app) -> None:
    """Run the registered mail job now, as the background thread would."""
    jobs = app.extensions["customer_archive"].jobs
    jobs.run_soon("mail")
    assert jobs.run_due(only=["mail"]) == ["mail"]


def test_each_new_item_is_mailed_once_in_chinese_with_a_link(mail_app, smtp):
    box = smtp.box
    svc = mail_app.extensions["customer_archive"]
    customer = make(svc, **{"basic.name": "東方貿易"})
    plan(svc, customer, "2026-11-10", "2026-11-20")
    run_mail_job(mail_app)
    to_wang = [m for m, r in zip(box.messages, box.recipients, strict=True)
               if r == ["wang.li@example.com"]]
    assert len(to_wang) == 1
    message = to_wang[0]
    assert message["To"] == "wang.li@example.com"
    assert message["Subject"].startswith("[客戶檔案系統] ")
    assert "客戶檔案系統" in message["From"] and "archive@example.com" in message["From"]
    body = message.get_content()
    assert "東方貿易" in body and "王立" in body
    assert f"https://intranet.example/customers/{customer}#contact-log" in body
    # The next pass sends nothing new; a new item is mailed alone.
    count = len(box.messages)
    run_mail_job(mail_app)
    assert len(box.messages) == count
    second = make(svc, **{"basic.name": "西方實業"})
    plan(svc, second, "2026-11-11", "2026-11-21")
    run_mail_job(mail_app)
    new = box.messages[count:]
    assert [m["To"] for m in new] == ["wang.li@example.com"]
    assert "西方實業" in new[0].get_content() and "東方貿易" not in new[0].get_content()


def test_a_failed_send_is_retried_and_shown_to_the_administrator(mail_app, smtp, caplog):
    box = smtp.box
    svc = mail_app.extensions["customer_archive"]
    plan(svc, make(svc), "2026-11-10", "2026-11-20")
    smtp.down()  # the mail server is down
    run_mail_job(mail_app)
    assert box.messages == []
    director = client_as(mail_app, "director")
    page = director.get("/inbox", headers=EN).get_data(as_text=True)
    assert "E-mail could not be sent" in page
    assert "s3cret-never-shown" not in page + caplog.text
    # A page is never held up by the mail server: it was answered above while it was down.
    smtp.up()
    run_mail_job(mail_app)
    assert "wang.li@example.com" in [m["To"] for m in box.messages]
    page = director.get("/inbox", headers=EN).get_data(as_text=True)
    assert "E-mail could not be sent" not in page
