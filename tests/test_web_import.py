"""Bringing customers in through the web: upload, preview, change a mapping, import."""

from __future__ import annotations

import io
import os
import re

from .conftest import csrf_token, git, sign_in
from .test_cli_import import ASIA, TAIWAN, WEICHUAN, workbook


def _upload(client, data: bytes, name: str = "客戶名冊.xlsx", **fields):
    token = csrf_token(client, "/import/")
    return client.post("/import/", data={"file": (io.BytesIO(data), name),
                                         "csrf_token": token, **fields},
                       content_type="multipart/form-data")


def _book(tmp_path, rows=(TAIWAN, [], ASIA, WEICHUAN)) -> bytes:
    return workbook(tmp_path / "客戶名冊.xlsx", list(rows)).read_bytes()


def _headings(page: str) -> str:
    """Return the key of the headings the preview's mapping is for."""
    return re.search(r'name="headings" value="([^"]+)"', page).group(1)


def _mapping(page: str) -> dict[int, str]:
    """Return the selected target of each column's select on the preview."""
    chosen = {}
    for number, body in re.findall(r'<select [^>]*name="map-(\d+)"[^>]*>(.*?)</select>', page,
                                   re.S):
        picked = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[int(number)] = picked.group(1) if picked else ""
    return chosen


def test_upload_preview_remap_and_import_as_one_commit(web, svc, tmp_path):
    sign_in(web, "director")
    before = svc.archive.head()
    response = _upload(web, _book(tmp_path))
    assert response.status_code == 302, response.get_data(as_text=True)
    preview_url = response.headers["Location"]

    page = web.get(preview_url).get_data(as_text=True)
    assert 'data-header-row="3" data-sheet="客戶名冊"' in page
    mapping = _mapping(page)
    assert mapping[0] == "basic.name" and mapping[1] == "basic.tax_id"
    assert mapping[10] == "notes"
    assert page.count('data-status="new"') == 3 + 1  # three rows and the count badge
    assert "王大明" in page  # the salesperson who is no member of staff
    assert svc.archive.head() == before  # a preview writes nothing

    # Leave the notes column out; the preview and the next upload of these headings follow.
    token = csrf_token(web, preview_url)
    form = {f"map-{i}": target for i, target in mapping.items()}
    form.update({"map-10": "", "columns": str(len(mapping)), "csrf_token": token,
                 "custodian": "chen.yu", "card": "terminal", "headings": _headings(page)})
    assert web.post(preview_url + "/settings", data=form).status_code == 302
    page = web.get(preview_url).get_data(as_text=True)
    assert _mapping(page)[10] == ""
    again = _upload(web, _book(tmp_path))
    assert _mapping(web.get(again.headers["Location"]).get_data(as_text=True))[10] == ""

    token = csrf_token(web, preview_url)
    done = web.post(preview_url + "/import", data={"csrf_token": token, "submit": "Import"})
    assert done.status_code == 200, done.get_data(as_text=True)
    head = svc.archive.head()
    assert git(svc.archive.path, "rev-list", "--count", f"{before}..{head}").strip() == "1"
    assert git(svc.archive.path, "log", "-1", "--format=%an", head).strip() == "林美華"
    text = done.get_data(as_text=True)
    for customer in ("C000001", "C000002", "C000003"):
        assert f'href="/customers/{customer}"' in text
    taiwan = svc.files.load("C000001").record
    assert taiwan["notes"] == ""  # the column left out
    assert taiwan["basic"]["tax_id"] == "11913502"
    assert svc.files.load("C000003").record["custody"]["owner"] == "chen.yu"
    # The upload is gone once imported.
    assert web.get(preview_url).status_code == 404


def test_import_nothing_writes_nothing(web, svc, tmp_path):
    sign_in(web, "director")
    before = svc.archive.head()
    url = _upload(web, _book(tmp_path)).headers["Location"]
    token = csrf_token(web, url)
    response = web.post(url + "/import", data={"csrf_token": token, "nothing": "x"})
    assert response.status_code == 302
    assert svc.archive.head() == before
    assert web.get(url).status_code == 404


def test_rows_in_error_are_listed_and_the_good_rows_imported(web, svc, tmp_path):
    sign_in(web, "director")
    bad = ["錯誤電話股份有限公司", "", "", "電話：不知道", "", "", "", "食品工業", "", "", ""]
    url = _upload(web, _book(tmp_path, [TAIWAN, bad])).headers["Location"]
    page = web.get(url).get_data(as_text=True)
    assert 'data-status="error"' in page
    token = csrf_token(web, url)
    assert web.post(url + "/import", data={"csrf_token": token, "submit": "x"}).status_code \
        == 200
    names = [svc.files.load(c).record["basic"]["name"] for c in ("C000001",)]
    assert names == ["臺灣水泥股份有限公司"]
    assert svc.index.get("C000002") is None


def test_only_importers_may_import_and_only_their_own_upload(web, svc, tmp_path):
    sign_in(web, "wang.li")
    assert web.get("/import/").status_code == 403
    web.post("/logout", data={"csrf_token": csrf_token(web, "/")})
    sign_in(web, "director")
    url = _upload(web, _book(tmp_path)).headers["Location"]
    web.post("/logout", data={"csrf_token": csrf_token(web, "/")})
    sign_in(web, "info.wu")  # marketing staff may import, but not the director's upload
    assert web.get("/import/").status_code == 200
    assert web.get(url).status_code == 404


def test_bad_uploads_are_refused_with_a_message_and_nothing_kept(web, svc, app, tmp_path):
    sign_in(web, "director")
    before = svc.archive.head()
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096
    response = _upload(web, old_excel, "客戶.xls")
    assert response.status_code == 400
    assert "xlsx" in response.get_data(as_text=True)
    response = _upload(web, b"PK\x03\x04 not really a workbook", "壞掉.xlsx")
    assert response.status_code == 400
    app.config["IMPORT_MAX_BYTES"] = 1000
    response = _upload(web, _book(tmp_path))
    assert response.status_code == 400 and "MB" in response.get_data(as_text=True)
    huge = web.post("/import/", data={"file": (io.BytesIO(b"0" * (50 * 1024 * 1024)),
                                               "big.csv")},
                    content_type="multipart/form-data")
    assert huge.status_code == 413
    assert svc.archive.head() == before
    folder = app.config["IMPORT_DIR"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_forms_need_their_csrf_token(web, svc, tmp_path):
    sign_in(web, "director")
    url = _upload(web, _book(tmp_path)).headers["Location"]
    assert web.post(url + "/import", data={"submit": "x"}).status_code == 400
    assert web.post(url + "/settings", data={"columns": "0"}).status_code == 400
    assert svc.index.get("C000001") is None


def test_the_cli_uses_the_mapping_chosen_on_the_web(web, app, svc, tmp_path):
    sign_in(web, "director")
    url = _upload(web, _book(tmp_path)).headers["Location"]
    page = web.get(url).get_data(as_text=True)
    mapping = _mapping(page)
    form = {f"map-{i}": target for i, target in mapping.items()}
    form.update({"map-10": "", "columns": str(len(mapping)), "headings": _headings(page),
                 "csrf_token": csrf_token(web, url)})
    web.post(url + "/settings", data=form)
    result = app.test_cli_runner().invoke(args=[
        "import", str(tmp_path / "客戶名冊.xlsx"), "--as", "director", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "K 備註 → (not imported)" in result.output


def _app_without_journal(tmp_path):
    from intranet import create_app

    from .conftest import PASSWORD, STAFF, make_archive

    make_archive(tmp_path / "archive.git").close()
    app = create_app({"ARCHIVE_REPO": str(tmp_path / "archive.git"), "SECRET_KEY": "t",
                      "INSTANCE_PATH": str(tmp_path / "instance"),
                      # /proc refuses new files even to root: the journal cannot be written.
                      "AUDIT_JOURNAL": "/proc/customer-archive-audit.jsonl"})
    app.extensions["customer_archive"].credentials.set_many(
        [m["username"] for m in STAFF], PASSWORD)
    return app


def test_without_the_journal_no_file_contents_are_shown(tmp_path):
    from intranet.records.files.schema import new_record

    app = _app_without_journal(tmp_path)
    svc = app.extensions["customer_archive"]
    try:
        # The director's own file of 臺灣水泥, with another phone: the row fills it and clashes.
        svc.files.create(new_record("terminal", **{
            "basic.name": "臺灣水泥", "basic.tax_id": "11913502",
            "basic.phone": "02-1111-2222", "classification.industry": "水泥",
            "custody.owner": "director", "custody.department": "marketing"}), "director")
        client = app.test_client()
        sign_in(client, "director")
        url = _upload(client, _book(tmp_path, [TAIWAN, ASIA])).headers["Location"]
        before = svc.archive.head()
        preview = client.get(url)
        assert preview.status_code == 503
        assert "02-1111-2222" not in preview.get_data(as_text=True)
        done = client.post(url + "/import", data={"csrf_token": csrf_token(client, "/import/"),
                                                  "submit": "x"})
        page = done.get_data(as_text=True)
        assert done.status_code == 200 and svc.archive.head() != before  # imported
        assert "02-1111-2222" not in page
        assert "data-journal-failed" in page
        assert svc.files.load("C000001").record["basic"]["legal_representative"] == "張安平"
    finally:
        svc.close()


def test_hostile_or_stale_settings_change_nothing_they_should_not(web, svc, tmp_path):
    sign_in(web, "director")
    url = _upload(web, _book(tmp_path)).headers["Location"]
    page = web.get(url).get_data(as_text=True)
    token = csrf_token(web, url)
    # A column count no sheet has, and a field that is not on the list.
    huge = web.post(url + "/settings", data={"csrf_token": token, "columns": "9" * 30,
                                              "headings": _headings(page)})
    assert huge.status_code == 302
    bad = web.post(url + "/settings", data={"csrf_token": token, "columns": "1",
                                             "map-0": "custody.owner"})
    assert bad.status_code == 302
    assert _mapping(web.get(url).get_data(as_text=True))[0] == "basic.name"
    # A sheet the workbook does not have: said, and the preview still reads the old one.
    missing = web.post(url + "/settings", data={"csrf_token": token, "columns": "0",
                                                 "sheet": "沒有這張表"}, follow_redirects=True)
    text = missing.get_data(as_text=True)
    assert "沒有這張表" in text and 'data-sheet="客戶名冊"' in text
    # A mapping made for other headings (another sheet) is not applied to these.
    form = {f"map-{i}": "" for i in range(11)}
    form.update({"csrf_token": token, "columns": "11", "headings": "0" * 40})
    web.post(url + "/settings", data=form)
    assert _mapping(web.get(url).get_data(as_text=True))[0] == "basic.name"
    assert svc.index.get("C000001") is None


def test_a_person_accepts_flagged_rows_one_by_one(web, svc, tmp_path):
    sign_in(web, "director")
    # Two rows without a 統一編號 that share a name with row 4's company: both flagged.
    same_name = ["台湾水泥(股)公司", "", "", "02-2222-3333", "", "", "", "水泥工業", "", "", ""]
    same_phone = ["台泥貿易行", "", "", "(02)2531-7099", "", "", "", "貿易", "", "", ""]
    url = _upload(web, _book(tmp_path, [TAIWAN, same_name, same_phone])).headers["Location"]
    page = web.get(url).get_data(as_text=True)
    flagged = re.findall(r'name="accept" value="(\d+)"', page)
    assert flagged == ["5", "6"]
    response = web.post(url + "/import", data={"csrf_token": csrf_token(web, url),
                                               "submit": "x", "accept": ["6"]})
    assert response.status_code == 200
    names = {svc.files.load(c).record["basic"]["name"] for c in ("C000001", "C000002")}
    assert names == {"臺灣水泥股份有限公司", "台泥貿易行"}
    assert svc.index.get("C000003") is None
