"""Distinct 403 pages: "not allowed" (no request would help; says who may) and "needs a
request" (with the access-request button pre-filled for the file and the mode)."""

from __future__ import annotations

import re

import pytest

from intranet.actions import NeedsRequest, NotAllowed, rights
from intranet.records.files import yamlio
from intranet.records.files.customers import customer_path
from intranet.records.files.schema import new_record
from intranet.records.rights import access
from intranet.records.rulebook.policy import Policy
from intranet.records.rulebook.staff import Directory
from intranet.web.errors import forbidden_page

from .conftest import sign_in
from .html_forms import page_shape

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-TW"}


def make(svc, owner: str) -> str:
    """Create a personal file kept by ``owner`` and return its id."""
    record = new_record("distributor", **{
        "basic.name": "東方貿易", "basic.phone": "02-2531-7099",
        "basic.address": "臺北市中山區南京東路100號", "classification.region": "北區",
        "classification.industry": "電子", "custody.owner": owner,
        "custody.department": "sales"})
    return svc.files.create(record, owner)[0]


@pytest.fixture
def chens_file(svc):
    return make(svc, "chen.yu")


def body(client, url: str, headers: dict) -> tuple[int, str]:
    response = client.get(url, headers=headers)
    return response.status_code, response.get_data(as_text=True)


def test_a_file_one_may_read_after_approval_offers_the_request(web, chens_file):
    sign_in(web, "wang.li")
    code, page = body(web, f"/customers/{chens_file}", EN)
    assert code == 403
    assert 'id="forbidden-request"' in page and 'id="forbidden-never"' not in page
    assert "once an access request is approved" in page
    assert f'href="/customers/{chens_file}/request"' in page
    # Editing needs a request to read and edit: the button asks for that mode.
    code, page = body(web, f"/customers/{chens_file}/edit", EN)
    assert code == 403 and "to read and edit it" in page
    assert f'href="/customers/{chens_file}/request?mode=edit"' in page
    # Following the button opens the request form, pre-filled for the file and the mode.
    response = web.get(f"/customers/{chens_file}/request?mode=edit", headers=EN,
                       follow_redirects=True)
    form = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'value="{chens_file}"' in form
    assert _checked(form, "edit") and not _checked(form, "read")
    # The same page in Chinese.
    code, page = body(web, f"/customers/{chens_file}", ZH)
    assert code == 403 and 'id="forbidden-request"' in page
    assert "申請查閱" in page and "您不能查看此檔案，或此檔案不存在。" in page


def _checked(form: str, value: str) -> bool:
    """Tell whether the radio button with ``value`` is the checked one."""
    tag = re.search(rf'<input[^>]*value="{value}"[^>]*>', form)
    return bool(tag and "checked" in tag.group(0))


def test_a_missing_file_answers_like_a_refused_one(web, chens_file):
    sign_in(web, "lin.sales2")  # of another department: no contact reports to offer (R15)
    _, refused = body(web, f"/customers/{chens_file}", EN)
    _, missing = body(web, "/customers/C999999", EN)
    assert page_shape(refused, chens_file) == page_shape(missing, "C999999")


def test_a_role_that_reads_no_contents_is_told_who_may(web, chens_file):
    sign_in(web, "hr.chen")
    for headers in (EN, ZH):
        code, page = body(web, f"/customers/{chens_file}", headers)
        assert code == 403
        assert 'id="forbidden-never"' in page and 'id="forbidden-request"' not in page
        assert "/request" not in page  # no request button: it would not help
    code, page = body(web, f"/customers/{chens_file}", EN)
    assert "an access request would not change that" in page
    assert "Who can:" in page and "custodian" in page
    # The same answer for a file that does not exist.
    _, missing = body(web, "/customers/C999999", EN)
    assert page_shape(missing, "C999999") == page_shape(page, chens_file)


def test_a_page_a_role_may_never_use_says_so(app, web):
    sign_in(web, "wang.li")
    code, page = body(web, "/admin/staff", EN)
    assert code == 403 and 'id="forbidden-never"' in page
    assert "Not allowed" in page and "an access request would not change this" in page
    assert "Only the administrator uses the administration pages." in page
    assert "Who can: the administrator" in page and "/request" not in page
    # A page refused without a rule of its own still says what to do.
    code, page = body(web, "/hr/", EN)
    assert code == 403 and 'id="forbidden-never"' in page and "ask the administrator" in page
    code, page = body(web, "/admin/staff", ZH)
    assert code == 403 and 'id="forbidden-never"' in page and "沒有權限" in page
    hr = app.test_client()
    sign_in(hr, "hr.chen")
    code, page = body(hr, "/customers/new", EN)
    assert code == 403 and 'id="forbidden-never"' in page
    assert "Your role does not open customer files." in page and "Who can:" in page


def test_custody_is_never_a_matter_of_a_request(web, chens_file):
    sign_in(web, "wang.li")
    code, page = body(web, f"/customers/{chens_file}/custody", EN)
    assert code == 403 and 'id="forbidden-never"' in page and "administrator" in page


def test_the_decision_says_how_a_refusal_could_turn():
    directory = Directory(None, {"staff": [
        {"username": "a", "role": "salesperson", "department": "s", "active": True},
        {"username": "h", "role": "hr", "department": "hr", "active": True}]})
    policy = Policy()  # the policy text's defaults
    meta = access.FileMeta("C000001", "personal", "b", "s")
    seller = access.decide(access.Actor("a", "salesperson", "s"), "view", meta, policy,
                           directory)
    hr = access.decide(access.Actor("h", "hr", "hr"), "view", meta, policy, directory)
    assert (seller.allowed, seller.remedy) == (False, access.REQUEST)
    assert (hr.allowed, hr.remedy) == (False, access.NEVER)


def test_an_action_refused_by_rights_names_its_remedy(app, svc, chens_file):
    snapshot = svc.archive.snapshot()
    record = yamlio.load(snapshot.read(customer_path(chens_file)), "x")
    with pytest.raises(NeedsRequest) as refused:
        rights.require(snapshot, "wang.li", "edit", chens_file, record)
    assert (refused.value.customer_id, refused.value.mode) == (chens_file, "edit")
    with pytest.raises(NotAllowed) as never:
        rights.require(snapshot, "hr.chen", "view", chens_file, record)
    assert never.value.who == rights.WHO_READS
    # The 403 page of each: the request button for the first, who may for the second.
    with app.test_request_context("/", headers=EN):
        page, code = forbidden_page(refused.value)
        assert code == 403 and 'id="forbidden-request"' in page
        assert f"/access/new?customer={chens_file}&amp;mode=edit" in page
        page, code = forbidden_page(never.value)
        assert code == 403 and 'id="forbidden-never"' in page and "Who can:" in page


def test_the_lists_warning_before_a_closed_file_tells_each_role_its_way(app, web, chens_file):
    sign_in(web, "wang.li")
    code, page = body(web, f"/customers/{chens_file}/closed", EN)
    assert code == 200 and 'id="closed-warning"' in page
    assert f'href="/customers/{chens_file}/request"' in page
    hr = app.test_client()
    sign_in(hr, "hr.chen")
    code, page = body(hr, f"/customers/{chens_file}/closed", EN)
    assert 'id="forbidden-never"' in page and 'id="closed-warning"' not in page
    assert "/request" not in page
