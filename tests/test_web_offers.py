"""Nothing a role cannot do is offered: every link and GET form on each role's main pages is
followed on a demo company, and none answers 403."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from intranet import create_app, demo

from .conftest import csrf_token

TODAY = date(2026, 11, 26)
# One account of every role of the demo company.
ROLES = {"marketing_director": "director", "general_manager": "gm", "marketing_vp": "vp",
         "hr": "hr", "department_manager": "chen.manager", "salesperson": "wang.li",
         "marketing_staff": "liu.yiting"}
CARD = re.compile(r"/customers/C\d+")
# Style sheets and scripts are no pages; signing out would end the crawl.
SKIP = re.compile(r"^/static/|^/logout")


class Links(HTMLParser):
    """Collect a page's link targets and the actions of its GET forms."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.targets.append(str(a["href"]))
        elif tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.targets.append(str(a["action"]))


def links(page: str, base: str) -> list[str]:
    """Return the local paths a page links to (no fragments, no downloads)."""
    parser = Links()
    parser.feed(page)
    found = []
    for target in parser.targets:
        parts = urlsplit(urljoin(base, target))
        if parts.netloc not in ("", "localhost") or SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The app on a small demo company (read-only for these tests)."""
    where = tmp_path_factory.mktemp("offers")
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(where / "demo.git"),
                      "INSTANCE_PATH": str(where / "instance"), "SECRET_KEY": "t",
                      "TODAY": TODAY.isoformat()})
    svc = app.extensions["customer_archive"]
    with app.app_context():
        demo.seed(svc, 60, today=TODAY)
    svc.index.catch_up()
    yield app
    svc.close()


def client_for(app, username: str):
    """Return a test client signed in through the real form."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, username
    return client


def main_pages(client) -> list[str]:
    """Return a role's main pages: home, the navbar's pages, a card with its edit and history."""
    home = client.get("/").get_data(as_text=True)
    nav = home[home.index("<nav"):home.index("</nav>")]
    pages = ["/", *[p for p in links(nav, "/") if p not in ("/", "/me/reads")]]
    listing = client.get("/customers/").get_data(as_text=True)
    card = next((p for p in links(listing, "/customers/") if CARD.fullmatch(p)), None)
    if card:
        pages += [card, card + "/history"]
    return list(dict.fromkeys(pages))


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_offered_link_and_form_is_allowed(company, role):
    client = client_for(company, ROLES[role])
    refused: list[str] = []
    seen: set[str] = set()
    for page in main_pages(client):
        response = client.get(page)
        assert response.status_code == 200, (role, page, response.status_code)
        for target in links(response.get_data(as_text=True), page):
            # Each customer file's own links are the same for every file: follow one file's.
            shape = CARD.sub("/customers/C", target.split("?")[0]) if not CARD.fullmatch(
                page) else target
            if shape in seen:
                continue
            seen.add(shape)
            if client.get(target).status_code == 403:
                refused.append(f"{page} offers {target}")
    assert refused == [], f"{role} is offered what answers 403:\n" + "\n".join(refused)
