"""The derived index: catching up, rebuilding, filters, sorting, paging and search."""

from __future__ import annotations

import logging
import subprocess

import pytest

from intranet.archive.repository import Change
from intranet.index import Index, Query, parallel
from intranet.records.files.customers import CustomerFiles, customer_path
from intranet.records.files.schema import new_item, new_record

from .conftest import SYSTEM, git

CUSTOMERS = [
    # name, phone, address, region, card, grade, owner, person
    ("東方貿易股份有限公司", "(02)2531-7099", "臺北市中山區中山北路二段113號", "北區",
     "distributor", "A", "wang.li", "王大明"),
    ("西湖食品有限公司", "04-2359-1234", "台中市西屯區工業區一路10號", "中區",
     "distributor", "B", "chen.yu", "陳小華"),
    ("南方電子有限公司", "+86 138 0013 8000", "上海市浦東新區張江路88號", "華東",
     "terminal", "A", "wang.li", "林志玲"),
    ("北極星物流股份有限公司", "07-331-2345", "高雄市前鎮區成功二路25號", "南區",
     "terminal", "C", "chen.yu", "張國榮"),
]


def make(files, name, phone, address, region, card, grade, owner, person, notes=""):
    extra = {"classification.region": region, "basic.address": address}
    if card == "terminal":
        extra["classification.industry"] = "電子"
    record = new_record(card, **{"basic.name": name, "basic.phone": phone, "grade": grade,
                                 "custody.owner": owner, "custody.department": "sales",
                                 "notes": notes, **extra})
    record["people"] = [{"role": "董事長", "name": person, "title": "", "phone": "",
                         "email": "", "personality": "", "hobbies": "", "family": "",
                         "education": "", "age": None, "ability": ""}]
    return files.create(record, owner)[0]


@pytest.fixture
def filled(archive, tmp_path):
    files = CustomerFiles(archive)
    for row in CUSTOMERS:
        make(files, *row)
    index = Index(tmp_path / "index.sqlite3", archive)
    yield index, files
    index.close()


def names(page):
    return [row["name"] for row in page.rows]


@pytest.mark.parametrize("query, expected", [
    ("湖", ["西湖食品有限公司"]),                          # one character
    ("东方", ["東方貿易股份有限公司"]),                    # Simplified finds Traditional
    ("台北", ["東方貿易股份有限公司"]),                    # 台 finds 臺
    ("西屯", ["西湖食品有限公司"]),                        # two characters of an address
    ("王大明", ["東方貿易股份有限公司"]),                  # a person
    ("陈", ["西湖食品有限公司"]),                          # a Simplified surname
    ("25317099", ["東方貿易股份有限公司"]),               # phone digits without punctuation
    ("02-2531-7099", ["東方貿易股份有限公司"]),           # ...and as written
    ("２５３１", ["東方貿易股份有限公司"]),                 # full-width digits
    ("138 0013", ["南方電子有限公司"]),                   # typed with spaces
    ("有限公司 物流", ["北極星物流股份有限公司"]),          # every word must match
    ("C000002", ["西湖食品有限公司"]),                    # the id
    ("不存在", []),
    ("---", []),
])
def test_search(filled, query, expected):
    index, _ = filled
    assert sorted(names(index.find(Query(q=query)))) == sorted(expected)


def test_filters_sorting_and_paging(filled):
    index, _ = filled
    assert names(index.find(Query(card="terminal", sort="name"))) == \
        sorted(["南方電子有限公司", "北極星物流股份有限公司"])
    assert names(index.find(Query(grade="A", owner="wang.li", sort="id", desc=True))) == \
        ["南方電子有限公司", "東方貿易股份有限公司"]
    page = index.find(Query(per_page=3, page=2))
    assert (page.total, page.pages, len(page.rows)) == (4, 2, 1)
    assert index.choices("region") == sorted(["北區", "中區", "華東", "南區"])
    q = Query.from_args({"grade": "A", "page": "x", "per_page": "9999", "sort": "evil;--"})
    assert (q.grade, q.page, q.per_page, q.sort) == ("A", 1, 200, "id")


def test_index_catches_up_after_saves_and_keeps_versions(filled, archive):
    index, files = filled
    assert index.find(Query()).total == 4
    loaded = files.load("C000001")
    loaded.record["basic"]["name"] = "東方國際貿易股份有限公司"
    files.save("C000001", loaded.record, loaded.commit, "chen.yu")
    assert names(index.find(Query(q="國際"))) == ["東方國際貿易股份有限公司"]
    versions = index.versions("C000001")
    assert [v["author_name"] for v in versions] == ["陳宇", "王立"]
    assert [v["action"] for v in versions] == ["update", "create"]
    assert versions[0]["sha"] == archive.head()
    row = index.get("C000001")
    assert (row["updated_by"], row["created_by"], row["version_count"]) == ("陳宇", "王立", 2)


def test_a_hand_pushed_commit_is_picked_up(filled, archive, tmp_path):
    index, _ = filled
    index.find(Query())
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(archive.path), str(clone)], check=True)
    path = clone / customer_path("C000002")
    path.write_text(path.read_text().replace("西湖食品有限公司", "西湖食品股份有限公司"))
    git(None, "-c", "user.name=管理員", "-c", "user.email=admin@example.com",
        "commit", "-qam", "手動修正名稱", cwd=clone)
    git(None, "push", "-q", "origin", "main", cwd=clone)
    assert names(index.find(Query(q="西湖"))) == ["西湖食品股份有限公司"]
    assert index.versions("C000002")[0]["author_name"] == "管理員"
    assert index.versions("C000002")[0]["action"] == "update"


def test_a_damaged_file_is_listed_as_damaged(filled, archive):
    index, _ = filled
    path = customer_path("C000003")
    archive.commit(lambda snap: Change({path: b"basic: [broken\n"}, "bad push"), SYSTEM)
    damaged = index.find(Query(damaged=True)).rows
    assert [row["id"] for row in damaged] == ["C000003"]
    assert "line" in damaged[0]["damaged"]
    assert index.find(Query()).total == 4


def test_rebuild_and_deleting_the_index_lose_nothing(filled, archive, tmp_path):
    index, files = filled
    loaded = files.load("C000004")
    loaded.record["grade"] = "A"
    files.save("C000004", loaded.record, loaded.commit, "wang.li")
    before = [dict(r) for r in index.find(Query(per_page=100)).rows]
    before_versions = index.versions("C000004")
    index.rebuild()
    assert [dict(r) for r in index.find(Query(per_page=100)).rows] == before
    index.close()
    (tmp_path / "index.sqlite3").unlink()
    fresh = Index(tmp_path / "index.sqlite3", archive)
    assert [dict(r) for r in fresh.find(Query(per_page=100)).rows] == before
    assert fresh.versions("C000004") == before_versions
    fresh.close()


def test_rewritten_history_is_indexed_from_scratch(filled, archive):
    index, _ = filled
    assert index.find(Query()).total == 4
    fourth = archive.log(customer_path("C000004"))[0].commit
    git(archive.path, "update-ref", "refs/heads/main", f"{fourth}^")
    assert index.find(Query()).total == 3
    assert index.versions("C000004") == []


def test_worker_processes_build_the_same_index(filled, archive, tmp_path, monkeypatch, caplog):
    _, files = filled
    first = files.load("C000001")
    first.record["contacts"] = [{**new_item("contacts"), "date": "2026-01-05", "channel": "call",
                                 "staff": "wang.li", "summary": "電話",
                                 "recorded_on": "2026-01-09"}]
    first.record["sales_power"] = {"scores": {"credit": 5}, "assessed_on": "2026-01-09",
                                   "assessed_by": "wang.li", "notes": ""}
    files.save("C000001", first.record, first.commit, "wang.li")
    # Damaged without custody: its readers come from an older version, found in this process.
    archive.commit(lambda snap: Change({customer_path("C000003"): b"basic: [broken\n"},
                                       "bad push"), SYSTEM)
    archive.commit(lambda snap: Change({customer_path("C000004"): None}, "removed"), SYSTEM)
    for row in CUSTOMERS * 2:
        make(files, *row)

    def build(name):
        index = Index(tmp_path / name, archive)
        index.rebuild()
        conn = index.db.connect()
        tables = {table: [tuple(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {key}")]
                  for table, key in [("customers", "num"), ("versions", "customer, seq"),
                                     ("late_contacts", "customer, position"),
                                     ("important", "customer"),
                                     ("contact_log", "customer, position"),
                                     ("handover_steps", "customer, position"),
                                     ("search", "rowid")]}
        tables["rowids"] = [tuple(r) for r in conn.execute("SELECT rowid FROM search")]
        index.close()
        return tables

    monkeypatch.setattr(parallel, "MIN_FILES", 10**9)
    alone = build("alone.sqlite3")
    used = []
    prepare = parallel.prepare

    def spy(*args):
        used.append(len(args[1]))
        yield from prepare(*args)

    # Three files a chunk: several chunks, two workers, even on a machine with one core.
    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    monkeypatch.setattr(parallel, "prepare", spy)
    with caplog.at_level(logging.WARNING, logger="intranet.index.sync"):
        together = build("together.sqlite3")
    assert used == [11] and not caplog.records
    assert together == alone
    assert [r[0] for r in alone["late_contacts"]] == ["C000001"]
    damaged = next(r for r in alone["customers"] if r[1] == "C000003")
    assert damaged[4] and damaged[18] == "wang.li"  # damaged, and still wang.li's


def test_a_pool_that_cannot_start_leaves_the_build_to_this_process(filled, monkeypatch,
                                                                  caplog):
    index, _ = filled

    def broken(*args):
        raise OSError("no processes here")
        yield

    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    monkeypatch.setattr(parallel, "prepare", broken)
    with caplog.at_level(logging.WARNING, logger="intranet.index.sync"):
        index.rebuild()
    assert "no processes here" in caplog.text
    assert index.find(Query()).total == 4


def test_the_canonical_line_reader_builds_the_same_index_as_pyyaml(filled, archive, tmp_path,
                                                                  monkeypatch):
    from intranet.records.files import yamlio

    from .test_index_background import tables

    _, files = filled
    first = files.load("C000001")
    first.record["contacts"] = [{**new_item("contacts"), "date": "2026-01-05", "channel": "call",
                                 "staff": "wang.li", "summary": "電話\n第二行",
                                 "recorded_on": "2026-01-09"}]
    files.save("C000001", first.record, first.commit, "wang.li")
    # A hand-written file in another layout (a comment, double quotes): PyYAML reads it.
    odd = archive.read(customer_path("C000002")).decode().replace(
        "notes: ''", "notes: \"手寫\"  # by hand")
    assert "手寫" in odd
    archive.commit(lambda snap: Change({customer_path("C000002"): odd.encode()}, "by hand"),
                   SYSTEM)

    def build(name, fast):
        monkeypatch.setattr(yamlio, "FAST", fast)
        monkeypatch.setenv("INTRANET_YAML_FAST", "1" if fast else "0")  # worker processes
        index = Index(tmp_path / name, archive)
        try:
            index.rebuild()
            return tables(index)
        finally:
            index.close()

    slow = build("pyyaml.sqlite3", False)
    assert build("lines.sqlite3", True) == slow
    assert any(row[1] == "C000002" and row[4] is None for row in slow["customers"])
    monkeypatch.setattr(parallel, "MIN_FILES", 0)
    monkeypatch.setattr(parallel, "WORKERS", 2)
    assert build("workers.sqlite3", True) == slow
