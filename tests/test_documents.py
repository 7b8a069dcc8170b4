"""Documents kept with a customer file (R13): types read from the bytes, safe generated names,
one commit per upload and removal, nothing lost from history."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import date

import pytest

from intranet.archive.errors import NotFound
from intranet.records.files import documents, filetypes
from intranet.records.files.customers import CustomerFiles, InvalidRecord
from intranet.records.files.documents import Refused, Upload
from intranet.records.files.schema import new_record

from . import doc_samples as s
from .conftest import git

TODAY = date(2026, 11, 20)


@pytest.fixture
def files(archive):
    return CustomerFiles(archive)


@pytest.fixture
def customer(files):
    record = new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099",
        "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
        "custody.owner": "wang.li", "custody.department": "sales"})
    return files.create(record, "wang.li")[0]


def tree(archive, rev: str = "HEAD") -> list[str]:
    return git(archive.path, "ls-tree", "-r", "--name-only", rev).split()


@pytest.mark.parametrize(("data", "hint", "ext", "content_type"), [
    (s.PDF, "", "pdf", "application/pdf"),
    (s.PNG, "", "png", "image/png"),
    (s.JPEG, "", "jpg", "image/jpeg"),
    (s.GIF, "", "gif", "image/gif"),
    (s.WEBP, "", "webp", "image/webp"),
    (s.TIFF, "", "tif", "image/tiff"),
    (s.docx(), "", "docx", filetypes.DOCX.content_type),
    (s.xlsx(), "", "xlsx", filetypes.XLSX.content_type),
    (s.odt(), "", "odt", "application/vnd.oasis.opendocument.text"),
    (s.ole("WordDocument"), "", "doc", "application/msword"),
    (s.ole("Workbook"), "", "xls", "application/vnd.ms-excel"),
    (s.ole("PowerPoint Document"), "", "ppt", "application/vnd.ms-powerpoint"),
    (s.TEXT, "note.txt", "txt", "text/plain; charset=utf-8"),
    (s.CSV, "figures.csv", "csv", "text/csv; charset=utf-8"),
    # The name never decides: a PDF called .exe is a PDF, a text called .pdf is text.
    (s.PDF, "contract.exe", "pdf", "application/pdf"),
    (s.TEXT, "contract.pdf", "txt", "text/plain; charset=utf-8"),
], ids=lambda v: "bytes" if isinstance(v, bytes) else None)  # zip bytes hold the time: xdist
def test_types_are_read_from_the_bytes(data, hint, ext, content_type):
    found = filetypes.sniff(data, hint)
    assert (found.ext, found.content_type) == (ext, content_type)


@pytest.mark.parametrize("data", [
    s.EXE, s.ELF, s.HTML, s.SVG, s.SVG_XML, s.TEXT_WITH_HTML, s.docm(), s.plain_zip(),
    s.ole("Contents"), b"PK\x03\x04 not really a zip", s.EXE + s.PDF,
    b"plain text with a NUL\x00 inside", "Big5 文字".encode("big5"),
], ids=["exe", "elf", "html", "svg", "svg-xml", "text-with-html", "docm", "zip", "ole-other",
        "broken-zip", "exe-with-pdf", "nul", "big5"])
def test_other_kinds_are_refused(data):
    with pytest.raises(Refused):
        filetypes.sniff(data, "harmless.pdf")


def test_empty_file_is_refused():
    with pytest.raises(Refused, match="empty"):
        filetypes.sniff(b"", "契約.pdf")


@pytest.mark.parametrize(("given", "kept"), [
    ("../../.git/hooks/x", "x"),
    ("C:\\Users\\王立\\Desktop\\契約.pdf", "契約.pdf"),
    ("a\x00b.pdf", "ab.pdf"),
    ("CON", "CON"),
    ("契約.pdf", "契約.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),  # a bidi override disguising the extension
    ("  ..hidden. ", "hidden"),
    ("", ""),
    ("a:b*c?.pdf", "abc.pdf"),
])
def test_clean_name_keeps_chinese_and_drops_paths_and_controls(given, kept):
    assert documents.clean_name(given) == kept


def test_long_names_are_capped_keeping_the_extension():
    kept = documents.clean_name("合" * 500 + ".pdf")
    assert len(kept) == 200 and kept.endswith("合.pdf")


def test_upload_is_one_commit_with_bytes_and_entry(files, archive, customer):
    before = archive.head()
    commit, entry = documents.add(files, customer, Upload(s.PDF, "../../.git/hooks/契約.pdf",
                                                          kind="contract",
                                                          signed_on="2026-11-01"),
                                  "wang.li", TODAY)
    digest = hashlib.sha256(s.PDF).hexdigest()
    path = f"documents/0000/{customer}/D0001-{digest[:12]}.pdf"
    assert entry == {"file": path, "title": "契約", "kind": "contract",
                     "signed_on": "2026-11-01", "size": len(s.PDF), "sha256": digest,
                     "uploaded_by": "wang.li", "original_name": "契約.pdf",
                     "content_type": "application/pdf", "uploaded_on": "2026-11-20"}
    assert git(archive.path, "rev-parse", f"{commit}^") == before + "\n"
    shown = subprocess.run(["git", "--git-dir", str(archive.path), "show", f"HEAD:{path}"],
                           capture_output=True, check=True).stdout
    assert shown == s.PDF
    changed = git(archive.path, "show", "--name-only", "--format=", commit).split()
    assert sorted(changed) == sorted([path, f"customers/0000/{customer}.yaml"])
    log = git(archive.path, "log", "-1", "--format=%an%n%B", commit)
    assert log.startswith(f"王立\n更新 {customer} 東方貿易：合約文件 +1\n")
    assert "Action: document" in log
    record = files.load(customer).record
    assert record["documents"] == [entry]
    assert all(".git" not in p and "hooks" not in p for p in tree(archive))


def test_numbers_count_up_and_duplicates_are_refused(files, customer):
    first = documents.add(files, customer, Upload(s.PDF, "a.pdf"), "wang.li", TODAY)[1]
    second = documents.add(files, customer, Upload(s.PNG, "b.png", kind="letter"),
                           "chen.yu", TODAY)[1]
    assert first["file"].rpartition("/")[2].startswith("D0001-")
    assert second["file"].rpartition("/")[2].startswith("D0002-")
    assert second["uploaded_by"] == "chen.yu" and second["title"] == "b"
    with pytest.raises(Refused, match="already in the file"):
        documents.add(files, customer, Upload(s.PDF, "again.pdf"), "wang.li", TODAY)


def test_refused_uploads_commit_nothing(files, archive, customer):
    head = archive.head()
    for upload in (Upload(s.EXE, "invoice.pdf"), Upload(b"", "empty.pdf"),
                   Upload(s.PDF, "x.pdf", kind="bomb")):
        with pytest.raises(Refused):
            documents.add(files, customer, upload, "wang.li", TODAY)
    with pytest.raises(Refused, match=r"larger than 1\.0 KB"):
        documents.add(files, customer, Upload(s.PDF + b"%" * 2000, "big.pdf"), "wang.li",
                      TODAY, max_bytes=1024)
    with pytest.raises(InvalidRecord):
        documents.add(files, customer, Upload(s.PDF, "x.pdf", signed_on="2026-13-45"),
                      "wang.li", TODAY)
    with pytest.raises(InvalidRecord):
        documents.add(files, customer, Upload(s.PDF, "x.pdf", title="題" * 201), "wang.li",
                      TODAY)
    assert archive.head() == head
    assert not any(p.startswith("documents/") for p in tree(archive))


def test_removal_keeps_the_document_in_history(files, archive, customer):
    added, entry = documents.add(files, customer, Upload(s.PDF, "契約.pdf"), "wang.li", TODAY)
    name = entry["file"].rpartition("/")[2]
    removed = documents.remove(files, customer, name, "lee.mgr")
    assert entry["file"] not in tree(archive)
    assert files.load(customer).record["documents"] == []
    old = subprocess.run(["git", "--git-dir", str(archive.path), "show",
                          f"{added}:{entry['file']}"], capture_output=True, check=True).stdout
    assert old == s.PDF
    log = git(archive.path, "log", "-1", "--format=%an%n%B", removed)
    assert log.startswith("李經理\n") and "Action: document_removed" in log
    assert files.load(customer, added).record["documents"] == [entry]
    with pytest.raises(NotFound):
        documents.remove(files, customer, name, "lee.mgr")


def test_find_serves_only_the_customers_own_folder(files, customer):
    entry = documents.add(files, customer, Upload(s.PDF, "a.pdf"), "wang.li", TODAY)[1]
    record = files.load(customer).record
    name = entry["file"].rpartition("/")[2]
    assert documents.find(record, customer, name) == entry
    assert documents.find(record, "C000099", name) is None
    for bad in ("../C000001.yaml", name.upper(), "D0001.pdf", "", f"{name}/"):
        assert documents.find(record, customer, bad) is None
    # A hand edit pointing the entry at another file's path is never read.
    forged = {**entry, "file": f"customers/0000/{customer}.yaml"}
    assert documents.read(files.archive.snapshot(), customer, forged) is None


@pytest.mark.parametrize(("original", "kind", "name"), [
    ("契約.pdf", filetypes.PDF, "契約.pdf"),
    ("契約", filetypes.PDF, "契約.pdf"),
    ("scan.JPEG", filetypes.JPEG, "scan.JPEG"),
    ("invoice.pdf.exe", filetypes.PDF, "invoice.pdf.exe.pdf"),
    ("CON", filetypes.PDF, "_CON.pdf"),
    ("", filetypes.PDF, "D0001-0123456789ab.pdf"),
])
def test_download_names_carry_the_true_extension(original, kind, name):
    entry = {"file": "documents/0000/C000001/D0001-0123456789ab.pdf",
             "original_name": original, "title": ""}
    assert documents.download_name(entry, kind) == name


def test_human_sizes():
    assert [documents.human_size(n) for n in (0, 812, 14_540, 3_670_016, 20 * 1024 ** 3)] == \
        ["0 B", "812 B", "14.2 KB", "3.5 MB", "20.0 GB"]
