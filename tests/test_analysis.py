"""The compositions (R25-R27) against the YAML files themselves: domain, index, as-of, CLI."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from intranet.actions import ActionError, Forbidden
from intranet.actions import analysis as actions
from intranet.actions.reading import Reader
from intranet.records.rights.access import Actor
from intranet.records.sales import analysis

from . import analysis_data as D

BY = ("grade", "region", "product")
DIRECTOR = Actor("director", "marketing_director", "marketing")


@pytest.fixture
def built(app, svc):
    app.config["TODAY"] = D.TODAY.isoformat()
    return D.build(svc)


def repo(svc):
    return svc.archive.path


def plain(rows) -> list[tuple[str, int, int, str]]:
    return [(r.key, r.customers, r.amount, str(r.share)) for r in rows]


def test_the_domain_rounds_half_up_and_orders_as_the_policy():
    files = [analysis.FileFigures("C1", "B", "北", "", {(2025, "x"): 0.5}),
             analysis.FileFigures("C2", "", "南", "", {(2025, "x"): 1.5, (2025, "y"): 1}),
             analysis.FileFigures("C3", "Z", "南", "", {(2025, "y"): 0}),
             analysis.FileFigures("C4", "A", "", "", {(2024, "y"): 7})]
    rows = analysis.compose(files, "grade", 2025, ["A", "B", "C", "D"])
    assert plain(rows) == [("B", 1, 1, "16.67"), ("", 1, 3, "83.33")]
    assert plain(analysis.compose(files, "product", 2025, [])) == [
        ("x", 2, 2, "66.67"), ("y", 1, 1, "33.33")]
    assert analysis.half_up(2.5) == 3 and analysis.half_up(0.125, 2) == Decimal("0.13")
    compared = analysis.compare(rows, analysis.compose(files, "grade", 2024, "ABCD"), "grade",
                                ["A", "B", "C", "D"])
    assert [(c.key, c.amount, c.last_amount, c.change) for c in compared] == [
        ("A", 0, 7, -7), ("B", 1, 0, 1), ("", 3, 0, 3)]
    assert analysis.drill(files, "region", 2025, "南") == [("C2", "", 2.5)]


def test_every_composition_matches_the_yaml_files(svc, built):
    reader = Reader(svc, "director")
    for by in BY:
        for year in (2024, 2025):
            found = actions.composition(reader, DIRECTOR, by, year, today=D.TODAY)
            assert plain(found.rows) == D.expected(repo(svc), "main", by, year), (by, year)
            assert found.total == sum(r[2] for r in D.expected(repo(svc), "main", by, year))


def test_the_domain_sums_the_parsed_files_as_the_index_does(svc, built):
    files = [analysis.figures_of(cid, data)
             for cid, data in D.read_files(repo(svc), "main").items()]
    for by in BY:
        assert plain(analysis.compose(files, by, 2025, ["A", "B", "C", "D"])) == \
            plain(actions.composition(Reader(svc, "director"), DIRECTOR, by, 2025,
                                      today=D.TODAY).rows)


def test_year_on_year_lists_last_years_amount_and_the_change(svc, built):
    found = actions.composition(Reader(svc, "director"), DIRECTOR, "product", 2025,
                                today=D.TODAY)
    last = {r[0]: r[2] for r in D.expected(repo(svc), "main", "product", 2024)}
    for row in found.compared:
        assert row.last_amount == last.get(row.key, 0)
        assert row.change == row.amount - row.last_amount


@pytest.mark.parametrize("day", ["created", "edited", "added"])
def test_as_of_a_day_is_that_days_archive(svc, built, day):
    when = {"created": D.DAY_CREATED, "edited": D.DAY_EDITED, "added": D.DAY_ADDED}[day]
    commit = D.commit_at(repo(svc), when)
    reader = Reader(svc, "director")
    for by in BY:
        found = actions.composition(reader, DIRECTOR, by, 2025, when.isoformat(), D.TODAY)
        assert plain(found.rows) == D.expected(repo(svc), commit, by, 2025), (day, by)
        # Asked again (cached per commit), the same answer.
        again = actions.composition(reader, DIRECTOR, by, 2025, when.isoformat(), D.TODAY)
        assert again.rows == found.rows
    if day == "created":  # before the edit: C000001 sold 1,500 in 2025, not 4,500
        grade_a = actions.composition(reader, DIRECTOR, "grade", 2025, when.isoformat(),
                                      D.TODAY).rows[0]
        assert (grade_a.key, grade_a.amount) == ("A", 3500)


def test_as_of_the_day_before_the_first_customer_and_before_the_archive(svc, built):
    reader = Reader(svc, "director")
    before = D.DAY_CREATED - timedelta(days=1)
    assert actions.composition(reader, DIRECTOR, "grade", 2025, before.isoformat(),
                               D.TODAY).rows == []
    with pytest.raises(ActionError, match="archive begins"):
        actions.composition(reader, DIRECTOR, "grade", 2025, "2001-01-01", D.TODAY)
    # A day still to come is the archive as it is now.
    future = actions.composition(reader, DIRECTOR, "grade", 2025, "2999-01-01", D.TODAY)
    assert future.commit is None and future.asked.as_of is None
    assert plain(future.rows) == D.expected(repo(svc), "main", "grade", 2025)


def test_a_version_is_read_once_and_the_head_comes_from_the_index(svc, built):
    reader = Reader(svc, "director")
    # As of the last day the head itself answers: nothing is cached.
    assert actions.composition(reader, DIRECTOR, "grade", 2025, D.DAY_ADDED.isoformat(),
                               D.TODAY).commit is None
    conn = svc.index.db.connect()
    assert conn.execute("SELECT count(*) FROM asof_blobs").fetchone()[0] == 0
    actions.composition(reader, DIRECTOR, "grade", 2025, D.DAY_EDITED.isoformat(), D.TODAY)
    head = {r[0]: r[1] for r in conn.execute("SELECT id, blob FROM customers")}
    cached = {r[0] for r in conn.execute("SELECT blob FROM asof_blobs")}
    # Four files were as they are now (copied from the index); C000002 before its regrade.
    assert {head[built[i]] for i in (0, 2, 3, 4)} <= cached and len(cached) == 5
    actions.composition(reader, DIRECTOR, "grade", 2025, D.DAY_CREATED.isoformat(), D.TODAY)
    assert conn.execute("SELECT count(*) FROM asof_blobs").fetchone()[0] == 6  # + C000001


def test_scopes_per_role(svc, built):
    ids = {"all": set(built), "sales": {built[i] for i in (0, 1, 3, 5)},
           "wang.li": {built[0], built[3]}, "sales2": {built[2], built[4]}}
    cases = [("gm", "general_manager", "management", "all"),
             ("vp", "marketing_vp", "marketing", "all"),
             ("info.wu", "marketing_staff", "marketing", "all"),
             ("lee.mgr", "department_manager", "sales", "sales"),
             ("other.mgr", "department_manager", "sales2", "sales2"),
             ("wang.li", "salesperson", "sales", "wang.li")]
    for name, role, department, scope in cases:
        reader = Reader(svc, name)
        for by in BY:
            found = actions.composition(reader, Actor(name, role, department), by, 2025,
                                        D.DAY_EDITED.isoformat(), D.TODAY)
            commit = D.commit_at(repo(svc), D.DAY_EDITED)
            assert plain(found.rows) == D.expected(repo(svc), commit, by, 2025, ids[scope]), \
                (name, by)
    with pytest.raises(Forbidden):
        actions.composition(Reader(svc, "hr.chen"), Actor("hr.chen", "hr", "hr"), "grade",
                            2025, today=D.TODAY)


@pytest.mark.parametrize(("by", "year", "as_of", "message"), [
    ("colour", "2025", "", "Unknown analysis"), ("grade", "20x5", "", "year must be"),
    ("grade", "99999", "", "year must be"), ("grade", "2025", "31/01/2025", "YYYY-MM-DD"),
    ("grade", "2025", "2025-02-30", "no such day")])
def test_bad_requests_say_why(svc, built, by, year, as_of, message):
    with pytest.raises(ActionError, match=message):
        actions.composition(Reader(svc, "director"), DIRECTOR, by, year, as_of, D.TODAY)


def test_the_year_defaults_to_the_last_full_year(svc, built):
    found = actions.composition(Reader(svc, "director"), DIRECTOR, "grade", "", today=D.TODAY)
    assert found.asked.year == D.TODAY.year - 1


def cli_rows(runner, *args: str) -> list[tuple[str, int, int, str]]:
    result = runner.invoke(args=["report", "composition", *args])
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.output)))
    assert lines[0] == ["key", "customers", "amount", "share"]
    return [(k, int(n), int(a), s) for k, n, a, s in lines[1:]]


def test_the_cli_prints_the_same_figures_as_csv(svc, built, runner):
    for by in BY:
        assert cli_rows(runner, "--by", by, "--year", "2025") == \
            D.expected(repo(svc), "main", by, 2025)
        commit = D.commit_at(repo(svc), D.DAY_CREATED)
        assert cli_rows(runner, "--by", by, "--year", "2025", "--as-of",
                        D.DAY_CREATED.isoformat()) == D.expected(repo(svc), commit, by, 2025)
    assert cli_rows(runner, "--by", "grade", "--year", "2025", "--as", "wang.li") == \
        D.expected(repo(svc), "main", "grade", 2025, {built[0], built[3]})
    table = runner.invoke(args=["report", "composition", "--by", "region", "--year", "2025",
                                "--format", "table"])
    assert table.exit_code == 0 and "北區" in table.output and "5,200" in table.output


@pytest.mark.parametrize("args", [
    ["--by", "grade", "--year", "abc"], ["--by", "grade", "--year", "2025", "--as-of", "x"],
    ["--by", "grade", "--year", "2025", "--as", "nobody"],
    ["--by", "grade", "--year", "2025", "--as", "hr.chen"],
    ["--by", "grade", "--year", "2025", "--as-of", "2001-01-01"]])
def test_cli_errors_exit_2_with_a_message(built, runner, args):
    result = runner.invoke(args=["report", "composition", *args])
    assert result.exit_code == 2 and "error:" in result.output
