"""The policy as a labelled form (R3): every key described, changes proposed through the flow,
problems shown next to their inputs, through the test client on a real archive."""

from __future__ import annotations

import html
import re

from intranet.records.files import yamlio
from intranet.records.rulebook import policy_form
from intranet.records.rulebook.policy_defaults import DEFAULT_POLICY

from .conftest import csrf_token
from .test_web_admin import admin_client, head, post


def test_every_key_of_the_policy_is_described_once():
    paths = policy_form.leaf_paths(DEFAULT_POLICY)
    missing = [p for p in paths if p not in policy_form.BY_PATH]
    assert not missing, f"describe these policy keys in records/rulebook/policy_form.py: {missing}"
    assert len(policy_form.BY_PATH) == len(policy_form.SETTINGS)
    assert set(policy_form.BY_PATH) == set(paths)
    for setting in policy_form.SETTINGS:
        assert setting.kind in policy_form.KINDS and setting.label
        assert setting.kind != "table" or setting.columns


def test_problem_paths_land_next_to_their_inputs():
    assert policy_form.field_of("max_grant_days") == "max_grant_days"
    assert policy_form.field_of("grades[1].min_sales") == "grades[1].min_sales"
    assert policy_form.field_of("grades[1]") == "grades"
    assert policy_form.field_of("completeness.distributor[3]") == "completeness.distributor"
    assert policy_form.field_of("approval_chain.company[0].by") == "approval_chain.company[0].by"
    assert policy_form.field_of("policy.yaml") == ""


def _form_data(page: str) -> dict[str, list[str]]:
    """Return what a browser would send for the form as the page shows it (no JavaScript)."""
    data: dict[str, list[str]] = {}
    start = page.index('id="policy-form"')
    form = page[start:page.index("</form>", start)]
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        data.setdefault(name[1], []).append(value[1] if value else "")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        data.setdefault(name, []).append(chosen[1] if chosen else "")
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data.setdefault(name, []).append(text.strip())
    return {k: [html.unescape(v) for v in vs] for k, vs in data.items()}


def test_the_form_shows_labels_units_and_values(web):
    admin = admin_client(web)
    page = admin.get("/admin/policy").get_data(as_text=True)
    assert "Longest access grant" in page and 'name="max_grant_days"' in page
    assert 'value="30"' in page and "days" in page
    assert "每次罰款20元" in page  # the policy text's own sentence, quoted
    assert 'name="grades[0].min_sales"' in page and 'value="10000000"' in page
    assert 'href="/admin/policy/yaml"' in page


def test_changing_one_number_proposes_only_that_key(web, svc):
    admin = admin_client(web)
    page = admin.get("/admin/policy").get_data(as_text=True)
    data = _form_data(page)
    data["max_grant_days"] = ["14"]
    data["grades[1].min_sales"] = ["2500000"]
    data["reason"] = ["縮短授權期限"]
    data["csrf_token"] = [csrf_token(admin, "/admin/policy")]
    before = head(svc)
    answer = admin.post("/admin/policy", data=data)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    assert "/policy/proposals/PP" in answer.location
    proposal_id = answer.location.rsplit("/", 1)[1]
    raw = svc.archive.read(f"policy-proposals/{proposal_id}.yaml")
    proposal = yamlio.load(raw, "p.yaml")
    text = yamlio.load(proposal["text"], "policy.yaml")
    assert text["max_grant_days"] == 14
    assert text["grades"][1]["min_sales"] == 2500000
    assert "fines" not in text or text["fines"] == yamlio.load(
        svc.archive.read("policy.yaml"), "policy.yaml").get("fines")
    assert svc.archive.read("policy.yaml") == svc.archive.snapshot(before).get("policy.yaml")
    assert proposal["status"] == "waiting" and proposal["proposer"] == "director"


def test_a_bad_value_is_refused_next_to_its_field_and_nothing_is_written(web, svc):
    admin = admin_client(web)
    data = _form_data(admin.get("/admin/policy").get_data(as_text=True))
    data["max_grant_days"] = ["0"]
    data["sales_power.criteria[0].weight"] = ["abc"]
    data["reason"] = ["x"]
    data["csrf_token"] = [csrf_token(admin, "/admin/policy")]
    before = head(svc)
    answer = admin.post("/admin/policy", data=data, headers={"Accept-Language": "en"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert head(svc) == before
    row = page[page.index('id="p-max_grant_days-row"'):]
    row = row[:row.index('class="policy-setting')]
    assert "Enter a whole number of days from 1 to 366" in row and 'value="0"' in row
    cell = page[page.index('name="sales_power.criteria[0].weight"'):][:600]
    assert "Enter a weight above 0" in cell


def test_the_expert_view_still_proposes_yaml(web, svc):
    admin = admin_client(web)
    page = admin.get("/admin/policy/yaml").get_data(as_text=True)
    assert "max_grant_days" in page
    answer = post(admin, "/admin/policy/yaml", {"text": "max_grant_days: 9\n", "reason": "r"})
    assert answer.status_code == 302 and "/policy/proposals/" in answer.location


def test_others_get_403_from_the_form(web, svc):
    from .conftest import sign_in
    sign_in(web, "wang.li")
    before = head(svc)
    assert web.get("/admin/policy").status_code == 403
    assert web.post("/admin/policy", data={"max_grant_days": "3"}).status_code in (400, 403)
    assert head(svc) == before


def test_a_form_missing_settings_keeps_them_and_an_empty_group_empties_it(web, svc):
    from intranet.records.rulebook.policy_form import read_form
    current = {"max_grant_days": 20}
    sent = {"no_contents_roles": [""], "two_contacts.vip": ["", "y"]}
    data = read_form(current, lambda n: (sent.get(n) or [""])[0], lambda n: sent.get(n, []),
                     sent.keys())
    # Only what the form showed changes: HR is no longer kept from contents; the rest stays.
    assert data == {"max_grant_days": 20, "no_contents_roles": []}
