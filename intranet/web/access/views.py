"""The access request pages: thin views over ``records.rights.requests``."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ... import services
from ...actions import ActionError, Forbidden, inbox
from ...actions import requests as request_actions
from ...actions.rights import WHO_READS
from ...archive.repository import Snapshot
from ...records.rights import access, requests
from ...records.rulebook.rules import Rules, load_rules
from ..customers import reading
from ..inbox.views import waiting as inbox_waiting
from .blueprint import bp
from .forms import ActForm, BreakGlassForm, RequestForm, RevokeForm


def _snapshot() -> Snapshot:
    """Return the archive head, once per request."""
    if "access_snapshot" not in g:
        g.access_snapshot = services.get().archive.snapshot()
    return g.access_snapshot


def _rules() -> Rules:
    return load_rules(_snapshot())


def _me() -> str:
    return str(current_user.username)


def waiting_count() -> int:
    """Return how many requests wait for the signed-in user's signature (the nav badge)."""
    if not getattr(current_user, "is_authenticated", False):
        return 0
    if "access_waiting" not in g:
        try:
            # The inbox reads the same queue for its count on every page: ask it once.
            g.access_waiting = sum(1 for item in inbox_waiting() if item.kind == inbox.REQUEST)
        except Exception:  # noqa: BLE001 - a badge must never break a page
            g.access_waiting = 0
    return g.access_waiting


def may_break_glass() -> bool:
    """Tell whether the signed-in user's role may open files in an emergency."""
    return bool(getattr(current_user, "is_authenticated", False)) and \
        requests.may_break_glass(_rules(), _me())


def _visible(request_id: str) -> dict[str, Any]:
    """Return a request the user may see; 404 for any other id, existing or not."""
    req = requests.get(_snapshot(), request_id) if requests.is_request_id(request_id) else None
    if req is None or not requests.may_see(req, _me(), _rules()):
        abort(404)
    return req


def _explain(error: ActionError) -> str:
    return _(error.message, **error.params)


@bp.get("/access/")
@login_required
def index():
    """My requests, what waits for my signature, and grants on the files I keep."""
    snapshot, me = _snapshot(), _me()
    return render_template("access/index.html", mine=requests.mine(snapshot, me),
                           waiting=requests.waiting_for(snapshot, me),
                           held=requests.held_by(snapshot, me), **_helpers())


@bp.route("/access/new", methods=["GET", "POST"])
@login_required
def new():
    """The request form (查閱檔案審批表)."""
    form = RequestForm()
    if request.method == "GET":
        form.customers.data = request.args.get("customer", "")[:40]
        # A 403 page's button asks for the mode the refused action needs.
        if request.args.get("mode") in ("read", "edit"):
            form.mode.data = request.args["mode"]
    maximum = _rules().policy.max_grant_days
    if form.validate_on_submit():
        ids = (form.customers.data or "").replace(",", " ").split()
        try:
            request_id = request_actions.ask(services.get().archive, _me(), ids,
                                             form.reason.data, form.mode.data, form.days.data)
        except ActionError as error:
            flash(_explain(error), "danger")
        else:
            flash(_("Request %(id)s sent.", id=request_id), "success")
            return redirect(url_for("access.show", request_id=request_id))
    return render_template("customers/request.html", form=form, max_days=maximum,
                           customer_id=form.customers.data or "")


@bp.get("/access/<request_id>")
@login_required
def show(request_id: str):
    """A request with its steps and signatures."""
    req = _visible(request_id)
    return render_template("access/show.html", req=req, **_helpers())


@bp.post("/access/<request_id>/act")
@login_required
def act(request_id: str):
    """Approve or refuse the step that waits for me."""
    _visible(request_id)
    form = ActForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        request_actions.sign(services.get().archive, _me(), request_id,
                             approve=bool(form.approve.data), comment=form.comment.data or "")
    except Forbidden:
        abort(403)
    except ActionError as error:
        flash(_explain(error), "danger")
    else:
        flash(_("Request %(id)s approved.", id=request_id) if form.approve.data
              else _("Request %(id)s refused.", id=request_id), "success")
    return redirect(url_for("access.show", request_id=request_id))


@bp.post("/access/<request_id>/revoke")
@login_required
def revoke(request_id: str):
    """Revoke a request or a grant."""
    _visible(request_id)
    if not RevokeForm().validate_on_submit():
        abort(400)
    try:
        request_actions.revoke(services.get().archive, _me(), request_id)
    except Forbidden:
        abort(403)
    except ActionError as error:
        flash(_explain(error), "danger")
    else:
        flash(_("Request %(id)s revoked.", id=request_id), "success")
    return redirect(url_for("access.show", request_id=request_id))


@bp.route("/customers/<customer_id>/break-glass", methods=["GET", "POST"])
@login_required
def break_glass(customer_id: str):
    """Open a file at once in an emergency, for the roles the policy names."""
    if not requests.may_break_glass(_rules(), _me()):
        abort(403)
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            request_actions.break_glass(services.get().archive, _me(), customer_id,
                                        form.reason.data)
        except Forbidden:
            abort(403)
        except ActionError:
            # A missing file answers as a hidden one does.
            return render_template("customers/hidden.html", customer_id=customer_id), 403
        return redirect(url_for("customers.show", customer_id=customer_id))
    return render_template("access/break_glass.html", form=form, customer_id=customer_id,
                           hours=requests.break_glass_hours(_rules()),
                           approval_days=_rules().policy.break_glass_approval_days)


@bp.get("/customers/<customer_id>/closed")
@login_required
def closed(customer_id: str):
    """Warn before opening a file the user may not read (the list links here, R35).

    Only a check, never a read: nothing is journalled, so no refused attempt is listed for HR.
    """
    customer_id = customer_id.strip().upper()[:40]
    if reading.may(customer_id, current_user, "view"):
        return redirect(url_for("customers.show", customer_id=customer_id))
    rules = _rules()
    policy = rules.policy
    # A role that reads no contents is told so, not sent to ask (told from the role alone).
    never = access.remedy(reading.actor(current_user), "view", policy,
                          rules.directory) != access.REQUEST
    return render_template("access/closed.html", customer_id=customer_id, never=never,
                           who=_(WHO_READS) if never else "", mode="read",
                           fine=f"{policy.fine('unapproved_view'):g} {policy.currency}")


def _helpers() -> dict[str, Any]:
    """What the templates need to show requests: state, forms, who may do what."""
    rules, me = _rules(), _me()
    return {
        "state": requests.state, "current_step": requests.current_step,
        "may_act": lambda req: requests.may_act(req, me, rules),
        "may_revoke": lambda req: requests.may_revoke(req, me, rules),
        "staff_name": reading.staff_name, "act_form": ActForm(), "revoke_form": RevokeForm(),
        "parse_time": requests.parse_time, "review_state": requests.review_state,
        "step_people": lambda req, step: ", ".join(
            reading.staff_name(n) for n in sorted(requests.signers(req, step, rules))),
    }
