"""Documents through the web (R13): upload with hostile names and contents, 413 before the body
is read, download headers, every download journalled, hidden and unknown documents alike."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date
from urllib.parse import quote

import pytest

from intranet import create_app
from intranet.records.files import documents

from . import doc_samples as s
from .conftest import csrf_token, git, make_archive, sign_in
from .html_forms import page_shape
from .test_web_customers import make

STORED = re.compile(r"^documents/0000/C\d{6}/D\d{4}-[0-9a-f]{12}\.[a-z]{2,4}$")


@pytest.fixture
def client(web):
    """wang.li, signed in, reading English pages."""
    web.set_cookie("lang", "en")
    assert sign_in(web, "wang.li").status_code == 302
    return web


@pytest.fixture
def customer(svc):
    return make(svc, **{"basic.name": "東方貿易"})


def upload(client, customer: str, data: bytes, filename: str, token: str | None = "",
           **fields: str):
    """Post the upload form as a browser would (multipart), with the page's CSRF token."""
    form = {"kind": "contract", "title": "", "signed_on": "", **fields,
            "file": (io.BytesIO(data), filename)}
    if token == "":
        token = csrf_token(client, f"/customers/{customer}")
    if token is not None:
        form["csrf_token"] = token
    return client.post(f"/customers/{customer}/documents/new", data=form,
                       content_type="multipart/form-data")


def entries(svc, customer: str) -> list[dict]:
    return svc.files.load(customer).record["documents"]


def journal(svc) -> list[dict]:
    with open(svc.journal.path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def show(archive_path, rev_path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(archive_path), "show", rev_path],
                          capture_output=True, check=True).stdout


def test_upload_and_download_a_chinese_named_contract(client, svc, customer):
    before = svc.archive.head()
    response = upload(client, customer, s.PDF, "契約.pdf", signed_on="2026-11-01")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.location.endswith(f"/customers/{customer}#documents")
    entry, = entries(svc, customer)
    assert STORED.match(entry["file"]) and entry["original_name"] == "契約.pdf"
    assert entry["title"] == "契約" and entry["uploaded_by"] == "wang.li"
    # One commit, by the uploader, holding the bytes exactly.
    assert git(svc.archive.path, "rev-parse", "HEAD^").strip() == before
    assert git(svc.archive.path, "log", "-1", "--format=%an <%ae>") == \
        "王立 <wang.li@example.com>\n"
    assert show(svc.archive.path, f"HEAD:{entry['file']}") == s.PDF
    page = client.get(f"/customers/{customer}").get_data(as_text=True)
    name = entry["file"].rpartition("/")[2]
    assert f'href="/customers/{customer}/documents/{name}"' in page
    assert f'title="{entry["sha256"]}">{entry["sha256"][:12]}</code>' in page
    assert "Contract document" in page and "2026-11-01" in page and "王立" in page
    assert f"{len(s.PDF)} B" in page
    assert "The document “契約” was added to the file." in page
    assert 'id="table-documents"' not in page  # the panel replaces the plain table
    download = client.get(f"/customers/{customer}/documents/{name}")
    assert download.status_code == 200 and download.data == s.PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote('契約.pdf')}")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "no-store"
    assert "sandbox" in download.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("filename", "kept"), [
    ("../../.git/hooks/x", "x"),
    ("CON", "CON"),
    ("a\x00b.pdf", "ab.pdf"),
    ("契約.pdf", "契約.pdf"),
    ("合" * 300 + ".pdf", "合" * 196 + ".pdf"),
    ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
])
def test_hostile_names_never_reach_a_path(client, svc, customer, filename, kept):
    response = upload(client, customer, s.PDF, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    entry, = entries(svc, customer)
    assert entry["original_name"] == kept
    assert STORED.match(entry["file"])
    paths = git(svc.archive.path, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert sorted(p for p in paths if p.startswith("documents/")) == [entry["file"]]
    assert not any(".git" in p or "hooks" in p or "system32" in p for p in paths)
    name = entry["file"].rpartition("/")[2]
    download = client.get(f"/customers/{customer}/documents/{name}")
    disposition = download.headers["Content-Disposition"]
    assert "/" not in disposition.split("filename*=")[0] and "\x00" not in disposition
    if filename == "CON":
        assert 'filename="_CON.pdf"' in disposition


def test_a_file_without_a_name_is_no_upload(client, svc, customer):
    head = svc.archive.head()
    response = upload(client, customer, s.PDF, "")
    assert response.status_code == 400
    assert "Choose a file to upload" in response.get_data(as_text=True)
    assert svc.archive.head() == head


@pytest.mark.parametrize(("data", "filename"), [
    (s.EXE, "invoice.pdf"), (s.HTML, "letter.txt"), (s.SVG, "logo.png"), (s.docm(), "a.docx"),
    (b"", "empty.pdf"),
], ids=["exe", "html", "svg", "docm", "empty"])
def test_content_decides_not_the_name(client, svc, customer, data, filename):
    head = svc.archive.head()
    response = upload(client, customer, data, filename)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be kept in a customer file" in body or "The file is empty." in body
    assert 'class="invalid-feedback"' in body
    assert svc.archive.head() == head
    assert entries(svc, customer) == []


def test_oversized_body_answers_413_before_it_is_read(client, app, svc, customer):
    head = svc.archive.head()
    token = csrf_token(client, f"/customers/{customer}")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(client, customer, s.PDF + b"%" * (128 * 1024), "big.pdf", token=token)
    assert response.status_code == 413
    assert "What you sent is larger than this intranet accepts." in response.get_data(True)
    assert svc.archive.head() == head


def test_the_document_limit_is_checked_again_below_the_body_limit(client, app, svc, customer):
    head = svc.archive.head()
    app.config["DOCUMENT_MAX_BYTES"] = 1024
    response = upload(client, customer, s.PDF + b"%" * 2048, "big.pdf")
    assert response.status_code == 400
    assert "larger than 1.0 KB" in response.get_data(as_text=True)
    assert svc.archive.head() == head


def test_body_limit_follows_the_document_limit(tmp_path):
    make_archive(tmp_path / "a.git").close()
    app = create_app({"TESTING": True, "ARCHIVE_REPO": str(tmp_path / "a.git"),
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "t",
                      "INDEX_PATH": str(tmp_path / "i" / "x.sqlite3"),
                      "DOCUMENT_MAX_BYTES": 5 * 1024 * 1024})
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == 6 * 1024 * 1024
    finally:
        app.extensions["customer_archive"].close()


def test_upload_without_csrf_token_is_refused(client, svc, customer):
    head = svc.archive.head()
    response = upload(client, customer, s.PDF, "契約.pdf", token=None)
    assert response.status_code == 400
    assert svc.archive.head() == head


def test_only_editors_upload_or_remove(web, svc, customer):
    documents.add(svc.files, customer, documents.Upload(s.PDF, "a.pdf"), "wang.li",
                  date(2026, 11, 20))
    name = entries(svc, customer)[0]["file"].rpartition("/")[2]
    web.set_cookie("lang", "en")
    sign_in(web, "lee.mgr")  # reads the salesperson's personal files, does not edit them
    page = web.get(f"/customers/{customer}").get_data(as_text=True)
    assert f"/customers/{customer}/documents/{name}" in page
    assert "documents/new" not in page and "/remove" not in page
    assert web.get(f"/customers/{customer}/documents/{name}").status_code == 200
    head = svc.archive.head()
    assert web.get(f"/customers/{customer}/documents/new").status_code == 403
    assert web.get(f"/customers/{customer}/documents/{name}/remove").status_code == 403
    token = csrf_token(web, "/customers/new?card=distributor")
    assert web.post(f"/customers/{customer}/documents/{name}/remove",
                    data={"csrf_token": token, "confirm": "y"}).status_code == 403
    assert upload(web, customer, s.PNG, "x.png", token=token).status_code == 403
    assert svc.archive.head() == head


def test_removal_needs_confirmation_and_keeps_the_history(client, svc, customer):
    assert upload(client, customer, s.PDF, "契約.pdf").status_code == 302
    added = svc.archive.head()
    entry, = entries(svc, customer)
    name = entry["file"].rpartition("/")[2]
    url = f"/customers/{customer}/documents/{name}/remove"
    page = client.get(url).get_data(as_text=True)
    assert "Nothing is deleted from the history" in page and "契約" in page
    token = csrf_token(client, url)
    refused = client.post(url, data={"csrf_token": token})
    assert refused.status_code == 400 and svc.archive.head() == added
    done = client.post(url, data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302 and svc.archive.head() != added
    assert git(svc.archive.path, "log", "-1", "--format=%an") == "王立\n"
    assert entry["file"] not in git(svc.archive.path, "ls-tree", "-r", "--name-only", "HEAD")
    assert show(svc.archive.path, f"{added}:{entry['file']}") == s.PDF
    assert entries(svc, customer) == []
    # Gone from the file now: the same 403 as any unknown document.
    assert client.get(f"/customers/{customer}/documents/{name}").status_code == 403
    # Still in the history: the removal is a version, and the version before serves it.
    history = client.get(f"/customers/{customer}/history").get_data(as_text=True)
    assert "Document removed" in history and "Document added" in history
    version = client.get(f"/customers/{customer}/history/{added}").get_data(as_text=True)
    old = f"/customers/{customer}/history/{added}/documents/{name}"
    assert f'href="{old}"' in version
    response = client.get(old)
    assert response.status_code == 200 and response.data == s.PDF
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]


def test_every_download_is_journalled(client, svc, customer):
    assert upload(client, customer, s.PNG, "photo.png", kind="other").status_code == 302
    name = entries(svc, customer)[0]["file"].rpartition("/")[2]
    before = len(journal(svc))
    for _ in range(2):
        assert client.get(f"/customers/{customer}/documents/{name}").status_code == 200
    fresh = journal(svc)[before:]
    assert [(e["user"], e["customer"], e["action"], e["allowed"]) for e in fresh] == \
        [("wang.li", customer, "document", True)] * 2


def test_hidden_file_and_unknown_document_answer_alike(web, svc, customer):
    assert sign_in(web).status_code == 302
    assert upload(web, customer, s.PDF, "契約.pdf").status_code == 302
    name = entries(svc, customer)[0]["file"].rpartition("/")[2]
    outsider = web.application.test_client()
    outsider.set_cookie("lang", "en")
    sign_in(outsider, "lin.sales2")
    before = len(journal(svc))
    hidden = outsider.get(f"/customers/{customer}/documents/{name}")
    unknown = outsider.get(f"/customers/C999999/documents/{name}")
    assert hidden.status_code == unknown.status_code == 403
    assert hidden.data != s.PDF and "東方貿易" not in hidden.get_data(as_text=True)
    assert page_shape(hidden.get_data(as_text=True), customer) == \
        page_shape(unknown.get_data(as_text=True), "C999999")
    refusals = journal(svc)[before:]
    assert [(e["user"], e["action"], e["allowed"]) for e in refusals] == \
        [("lin.sales2", "document", False)] * 2
    owner = web
    owner.set_cookie("lang", "en")
    for bad in ("D0009-0123456789ab.pdf", "D0001.pdf", name.upper(), "..%2F..%2Fcustomers"):
        response = owner.get(f"/customers/{customer}/documents/{bad}")
        assert response.status_code in (403, 404), bad
        assert "You may not see this file, or it does not exist." in response.get_data(True) \
            or response.status_code == 404
    assert owner.get(f"/customers/{customer}/documents/{name}/remove"
                     .replace(name, "D0009-0123456789ab.pdf")).status_code == 403


def test_customer_page_without_documents_offers_the_upload(client, customer):
    page = client.get(f"/customers/{customer}").get_data(as_text=True)
    assert "No documents kept with this file yet." in page
    assert 'enctype="multipart/form-data"' in page
    assert f'action="/customers/{customer}/documents/new"' in page
