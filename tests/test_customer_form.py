"""The customer's own data form below the web layer: the link store and the proposal domain.

Real SQLite files and a real archive; "now" and "today" are passed in, never read from a clock.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from intranet.archive.objects import Identity
from intranet.form_links import EXPIRED, OPEN, REVOKED, USED, FormLinks, token_hash
from intranet.records.files import customer_form
from intranet.records.files.customers import CustomerFiles, InvalidRecord
from intranet.records.files.schema import new_record
from intranet.records.rulebook.policy import DEFAULT_POLICY, Policy
from intranet.throttle import Throttle

from .conftest import git

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
POLICY = Policy(DEFAULT_POLICY)
SPAWN = multiprocessing.get_context("spawn")


def sample(**fields) -> dict:
    defaults = {"basic.name": "東方貿易", "basic.phone": "02-2531-7099",
                "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
                "custody.owner": "wang.li", "custody.department": "sales"}
    return new_record("distributor", **{**defaults, **fields})


@pytest.fixture
def store(tmp_path) -> FormLinks:
    return FormLinks(tmp_path / "instance" / "customer_forms.sqlite3")


# --- links -----------------------------------------------------------------------------------

def test_a_link_is_stored_only_as_the_hash_of_its_token(store, tmp_path):
    token, link = store.create("C000001", "wang.li", T0, 14)
    assert len(token) >= 43 and link.expires_at == T0 + timedelta(days=14)
    stored = b"".join(p.read_bytes() for p in (tmp_path / "instance").iterdir())
    assert token_hash(token).encode() in stored  # where the link is kept …
    assert token.encode() not in stored  # … without the token itself
    assert store.find(token, T0).id == link.id


def test_a_link_expires_after_its_days(store):
    token, link = store.create("C000001", "wang.li", T0, 14)
    last = T0 + timedelta(days=14) - timedelta(seconds=1)
    assert store.find(token, last) is not None
    assert link.state(last) == OPEN
    assert store.find(token, T0 + timedelta(days=14)) is None
    assert store.use(token, T0 + timedelta(days=15)) is None
    assert store.of_customer("C000001")[0].state(T0 + timedelta(days=14)) == EXPIRED


def test_a_link_is_used_once_and_can_be_released_after_a_failed_write(store):
    token, link = store.create("C000001", "wang.li", T0, 14)
    used = store.use(token, T0 + timedelta(hours=1))
    assert used is not None and used.id == link.id and used.created_by == "wang.li"
    assert store.use(token, T0 + timedelta(hours=2)) is None
    assert store.find(token, T0 + timedelta(hours=2)) is None
    assert store.of_customer("C000001")[0].state(T0) == USED
    store.release(link.id)
    assert store.use(token, T0 + timedelta(hours=3)) is not None


def test_revoke_only_an_open_link_of_that_customer(store):
    token, link = store.create("C000001", "wang.li", T0, 14)
    other, _ = store.create("C000002", "wang.li", T0, 14)
    assert not store.revoke("C000002", link.id, "wang.li", T0)  # not that customer's link
    assert store.revoke("C000001", link.id, "lee.mgr", T0 + timedelta(hours=1))
    assert not store.revoke("C000001", link.id, "lee.mgr", T0 + timedelta(hours=1))
    assert store.find(token, T0) is None and store.use(token, T0) is None
    revoked = store.of_customer("C000001")[0]
    assert revoked.state(T0) == REVOKED and revoked.revoked_by == "lee.mgr"
    assert store.find(other, T0) is not None
    assert store.find("not-a-token", T0) is None


def _use(path: str, token: str, barrier, queue) -> None:
    store = FormLinks(path)
    barrier.wait()
    queue.put(store.use(token, datetime.now(UTC)) is not None)


def test_of_many_processes_using_one_link_exactly_one_gets_it(store):
    token, _ = store.create("C000001", "wang.li", datetime.now(UTC), 14)
    barrier, queue = SPAWN.Barrier(6), SPAWN.Queue()
    workers = [SPAWN.Process(target=_use, args=(str(store.path), token, barrier, queue))
               for _ in range(6)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(30)
    assert sorted(results) == [False] * 5 + [True]


# --- the form's fields and values ------------------------------------------------------------

def test_only_single_values_a_customer_can_type_are_asked():
    policy = Policy({**DEFAULT_POLICY, "customer_form": {"link_days": 7, "fields": [
        "basic.phone", "people.name", "custody.owner", "vip", "basic.phone",
        "characteristics.employees", "yearly.sales", "basic.founded"]}})
    assert customer_form.form_fields(policy) == ["basic.phone", "characteristics.employees",
                                                 "basic.founded"]
    assert customer_form.form_fields(POLICY)[:2] == ["basic.name", "basic.short_name"]


@pytest.mark.parametrize(("path", "text", "value"), [
    ("basic.registered_capital", "1,500,000", 1_500_000),
    ("basic.registered_capital", "１２００", 1200),
    ("basic.registered_capital", "2.5", 2.5),
    ("characteristics.employees", "120", 120),
    ("basic.phone", "02-2531-7099", "02-2531-7099"),
])
def test_typed_text_becomes_the_value_the_file_stores(path, text, value):
    assert customer_form.to_value(path, text) == value


@pytest.mark.parametrize(("path", "text"), [
    ("characteristics.employees", "12.5"), ("characteristics.employees", "many"),
    ("basic.registered_capital", "nan"), ("basic.registered_capital", "1e999"),
    ("basic.assets", "五百萬"),
])
def test_text_that_is_not_a_number_is_refused(path, text):
    with pytest.raises(ValueError):
        customer_form.to_value(path, text)


def test_a_submission_is_checked_as_the_file_would_be():
    record = sample()
    filled, errors = customer_form.check_submission(record, {
        "basic.phone": "12345", "basic.email": "not an email", "basic.postcode": "10491",
        "basic.founded": "2026-02-30", "characteristics.employees": "1,200",
        "basic.registered_capital": "lots", "basic.fax": "   ", "custody.owner": "chen.yu",
        "notes": "hello", "basic.short_name": "東方\x07", "basic.address": "路" * 10_001,
    }, POLICY)
    assert filled["characteristics.employees"] == "1200" and filled["basic.postcode"] == "10491"
    assert "basic.fax" not in filled  # left empty
    assert "custody.owner" not in filled and "notes" not in filled  # not on the form
    assert {e.path for e in errors} == {"basic.phone", "basic.email", "basic.founded",
                                        "basic.registered_capital", "basic.short_name",
                                        "basic.address"}
    # A postcode is judged by the file's market.
    abroad = sample(market="international")
    _, errors = customer_form.check_submission(abroad, {"basic.postcode": "SW1A 1AA"}, POLICY)
    assert errors == []
    _, errors = customer_form.check_submission(record, {"basic.postcode": "SW1A 1AA"}, POLICY)
    assert [e.path for e in errors] == ["basic.postcode"]


def test_a_name_with_control_characters_or_too_long_is_refused():
    assert customer_form.check_name("張三") == []
    assert customer_form.check_name("張\x00三")[0].path == "submitted_by"
    assert customer_form.check_name("張" * 101)


# --- proposals in the archive ----------------------------------------------------------------

@pytest.fixture
def files(archive) -> CustomerFiles:
    return CustomerFiles(archive)


def _propose(files: CustomerFiles, customer: str, fields: dict[str, str],
             pid: str = "abc123") -> dict:
    proposal = customer_form.new_proposal(pid, fields, "張三", "wang.li", date(2026, 11, 3))
    files.amend(customer, lambda r, _s: customer_form.add_proposal(r, proposal),
                author=Identity("張三（客戶填表）", "customer-form@intranet.invalid"),
                action="customer_form", source="customer_form")
    return proposal


def test_review_sets_accepted_fields_only_and_records_every_decision(files, archive):
    customer, _ = files.create(sample(), "wang.li")
    _propose(files, customer, {"basic.phone": "02-2222-3333", "basic.fax": "02-2222-4444",
                               "characteristics.employees": "1200"})
    decisions = {"basic.phone": "accepted", "basic.fax": "rejected",
                 "characteristics.employees": "accepted"}
    commit = files.amend(customer, lambda r, _s: customer_form.review(
        r, "abc123", decisions, "wang.li", date(2026, 11, 4)), author="wang.li",
        action="customer_form_review", source="customer_form")
    record = files.load(customer).record
    assert record["basic"]["phone"] == "02-2222-3333" and record["basic"]["fax"] == ""
    assert record["characteristics"]["employees"] == 1200  # an int, not the text
    proposal = customer_form.find(record, "abc123")
    assert proposal["status"] == "reviewed" and proposal["reviewed_by"] == "wang.li"
    assert proposal["reviewed_on"] == "2026-11-04"
    assert [f["decision"] for f in proposal["fields"]] == ["accepted", "rejected", "accepted"]
    message = git(archive.path, "show", "-s", "--format=%an%n%B", commit)
    assert message.startswith("王立\n") and "Source: customer_form" in message
    with pytest.raises(customer_form.ProposalGone):
        customer_form.review(record, "abc123", decisions, "wang.li", date(2026, 11, 5))


def test_review_refuses_a_missing_decision_or_a_value_that_does_not_validate(files):
    customer, _ = files.create(sample(), "wang.li")
    _propose(files, customer, {"basic.phone": "phone?", "basic.fax": "02-2222-4444"})
    head = files.archive.head()
    with pytest.raises(InvalidRecord) as missing:
        customer_form.review(files.load(customer).record, "abc123",
                             {"basic.phone": "rejected"}, "wang.li", date(2026, 11, 4))
    assert [e.path for e in missing.value.errors] == ["basic.fax"]
    with pytest.raises(InvalidRecord) as invalid:
        files.amend(customer, lambda r, _s: customer_form.review(
            r, "abc123", {"basic.phone": "accepted", "basic.fax": "accepted"}, "wang.li",
            date(2026, 11, 4)), author="wang.li", action="customer_form_review")
    assert [e.path for e in invalid.value.errors] == ["basic.phone"]
    assert files.archive.head() == head


def test_the_file_as_it_was_when_the_customer_sent_the_proposal(files):
    customer, _ = files.create(sample(), "wang.li")
    _propose(files, customer, {"basic.phone": "02-2222-3333"}, pid="first")
    record = files.load(customer).record
    record["basic"]["phone"] = "02-9999-8888"
    files.save(customer, record, files.archive.head(), "chen.yu")
    _propose(files, customer, {"basic.phone": "02-1111-2222"}, pid="second")
    now = files.load(customer).record
    then = customer_form.submitted_record(files, customer, "first")
    [row] = customer_form.rows(now, customer_form.find(now, "first"), then)
    assert (row.then, row.current, row.proposed) == ("02-2531-7099", "02-9999-8888",
                                                     "02-2222-3333")
    assert row.changed_since
    [row] = customer_form.rows(now, customer_form.find(now, "second"),
                               customer_form.submitted_record(files, customer, "second"))
    assert not row.changed_since
    assert customer_form.submitted_record(files, customer, "nope") is None


def test_a_proposal_id_is_used_once(files):
    customer, _ = files.create(sample(), "wang.li")
    proposal = _propose(files, customer, {"basic.phone": "02-2222-3333"})
    with pytest.raises(customer_form.ProposalGone):
        customer_form.add_proposal(files.load(customer).record, proposal)


def test_the_store_makes_its_folder_and_every_opening_sees_the_same_links(tmp_path):
    path = tmp_path / "deep" / "forms.sqlite3"
    token, _ = FormLinks(path).create("C000009", "wang.li", T0, 3)
    assert FormLinks(Path(path)).find(token, T0) is not None


def test_a_parallel_attempt_stamped_later_does_not_refuse_one_under_the_limit(tmp_path):
    # Workers stamp attempts with their own clock reads; under the limit nobody waits.
    throttle = Throttle(tmp_path / "security.sqlite3", limits={"customer_form": 3},
                        base_delay=30)
    keys = {"customer_form": "10.0.0.1"}
    assert not throttle.begin(keys, now=1000.5).refused
    assert throttle.retry_after(keys, now=1000.0) == 0
    assert not throttle.begin(keys, now=1000.0).refused
    assert not throttle.begin(keys, now=1000.2).refused
    assert throttle.begin(keys, now=1000.3).refused  # the limit still holds
