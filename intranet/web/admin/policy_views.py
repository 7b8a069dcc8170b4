"""The policy as a labelled form, and its YAML text as the expert view (R3).

Both propose a new ``policy.yaml`` through ``actions.policy``: nothing takes effect until the
general manager approves it. The form is generated from ``records.rulebook.policy_form``.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import services
from ...actions import ActionError, Forbidden
from ...actions import policy as policy_actions
from ...archive.errors import CorruptRecord
from ...records.files import yamlio
from ...records.files.schema import N_
from ...records.files.validate import FieldError
from ...records.rulebook import policy_form, proposals
from ...records.rulebook.organisation import DirectoryError
from ...records.rulebook.policy import dump_policy, with_defaults
from ...records.rulebook.policy_defaults import DEFAULT_POLICY, LEVELS
from ...records.rulebook.rules import POLICY_PATH
from ...records.rulebook.staff import ROLES, role_label
from .blueprint import bp
from .forms import PolicyForm, PolicyReasonForm
from .views import _explain, _rules, _show_errors, _snapshot

_WORDS = {"approval": N_("Needs an approver's approval"), "refuse": N_("Refused for everyone"),
          "requester_manager": N_("Requester's department manager"),
          "custodian": N_("Custodian of the files"), "sign": N_("signs"),
          "approve": N_("approves"), "release": N_("releases"), "always": N_("Always"),
          "other_department": N_("Only across departments"),
          "same_department": N_("Only within the department")}
_WEEKDAYS = (N_("No weekly backup"), N_("Monday"), N_("Tuesday"), N_("Wednesday"),
             N_("Thursday"), N_("Friday"), N_("Saturday"), N_("Sunday"))


def _in_force_text() -> str:
    """Return the text of policy.yaml in force (its last valid version if it is damaged)."""
    damaged = next((p for p in _rules().problems if p.path == POLICY_PATH), None)
    # A damaged policy.yaml: offer its last valid version, whose saving repairs it.
    rev = damaged.in_force if damaged and damaged.in_force else _snapshot().commit
    raw = services.get().archive.snapshot(rev).get(POLICY_PATH) if rev else None
    return (raw or b"").decode("utf-8", "replace")


def _in_force() -> dict[str, Any]:
    try:
        data = yamlio.load(_in_force_text(), POLICY_PATH)
    except CorruptRecord:
        return {}
    return data if isinstance(data, dict) else {}


def choice_label(value: Any) -> str:
    """Return the words for a role, level, step or mode the form offers."""
    text = str(value)
    if isinstance(value, int):
        return _(_WEEKDAYS[value]) if 0 <= value < len(_WEEKDAYS) else text
    if text in ROLES:
        return _(role_label(text, zh=False))
    if text in LEVELS:
        return _(policy_form._LEVEL[text])
    return _(_WORDS[text]) if text in _WORDS else text


def _errors(problems: list[FieldError]) -> dict[str, list[str]]:
    """Return the problems by the form input (or table) they belong next to."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        found.setdefault(policy_form.field_of(problem.path), []).append(_explain(problem))
    return found


def _render(data: dict[str, Any], form: PolicyReasonForm, errors: dict[str, list[str]],
            status: int = 200) -> tuple[str, int]:
    values = with_defaults(data, DEFAULT_POLICY)
    return render_template(
        "admin/policy.html", form=form, values=values, errors=errors,
        sections=policy_form.sections(), get=policy_form.get, choice_label=choice_label,
        roles=tuple(ROLES), levels=LEVELS, grade_codes=[g.get("code") for g in values["grades"]
                                                        if isinstance(g, dict)],
        proposals=proposals.all_newest_first(_snapshot())[:20]), status


def _propose(text: str, reason: str) -> tuple[str | None, list[FieldError]]:
    """Propose a text; return the proposal id, or the problems (flashing any other refusal)."""
    try:
        return policy_actions.propose(services.get().archive, current_user.username, text,
                                      reason), []
    except Forbidden:
        abort(403)
    except policy_actions.InvalidPolicy as exc:
        return None, exc.errors
    except ActionError as error:
        flash(_(error.message, **error.params), "info")
        return None, []


def _proposed(proposal_id: str):
    flash(_("Proposal %(id)s sent to the general manager; the policy in force does "
            "not change until it is approved.", id=proposal_id), "success")
    return redirect(url_for("access.proposal", proposal_id=proposal_id))


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    """Show the policy as a labelled form and propose the changed values (R3)."""
    form = PolicyReasonForm()
    if not form.is_submitted():
        return _render(_in_force(), form, {})
    data = policy_form.read_form(_in_force(), lambda name: request.form.get(name, ""),
                                 request.form.getlist, request.form.keys())
    if not form.validate():
        return _render(data, form, {}, 400)
    proposal_id, problems = _propose(dump_policy(data).decode(), form.reason.data)
    if proposal_id:
        return _proposed(proposal_id)
    if problems:
        flash(_("The policy text has errors."), "danger")
    return _render(data, form, _errors(problems), 400 if problems else 200)


@bp.route("/policy/yaml", methods=["GET", "POST"])
def policy_yaml():
    """Show policy.yaml as text (the expert view) and propose a new text (R3)."""
    form = PolicyForm()
    status = 200
    if form.validate_on_submit():
        proposal_id, problems = _propose(form.text.data, form.reason.data)
        if proposal_id:
            return _proposed(proposal_id)
        if problems:
            _show_errors(DirectoryError(problems), {}, form.text)
            status = 400
    elif form.errors:
        status = 400
    if not form.is_submitted():
        form.text.data = _in_force_text()
    return render_template("admin/policy_yaml.html", form=form,
                           proposals=proposals.all_newest_first(_snapshot())[:20]), status
