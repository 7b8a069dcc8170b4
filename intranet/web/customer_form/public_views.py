"""The form a customer fills in from a link (R10): no account, a blank form, one use.

Nothing of the file is shown: whoever holds the link sees only the policy's empty fields. Every
link that cannot be used (unknown, used, expired, revoked) gets the same page, and unknown
links tried from one address are counted like failed sign-ins.
"""

from __future__ import annotations

import re

from flask import Response, render_template
from flask_babel import gettext as _

from ... import services
from ...actions import customer_form as form_actions
from ...archive.errors import CorruptRecord, NotFound
from ...archive.objects import Identity
from ...form_links import Link
from ...records.files import customer_form
from ...records.files.customers import InvalidRecord
from ...records.rulebook.rules import load_rules
from ...throttle import Attempt
from ..auth import guard
from ..clock import today
from ..errors import render_error
from .blueprint import bp, links, now, throttle
from .forms import PublicForm, public_form

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
AUTHOR_EMAIL = "customer-form@intranet.invalid"


@bp.after_request
def _private(response: Response) -> Response:
    """Keep the token out of Referer headers and the page out of every cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _invalid() -> tuple[str, int]:
    """Answer every link that cannot be used alike, with nothing about why."""
    return render_template("customer_form/invalid.html"), 404


def _open(token: str) -> tuple[Attempt, Link | None]:
    """Return the attempt and the open link of a token (None if there is none).

    Counted before the lookup, like a sign-in, so parallel guesses cannot slip through.
    """
    attempt = throttle().begin({"customer_form": guard.client_address()})
    if attempt.refused:
        return attempt, None
    # Only the token's hash is looked up, so the answer takes as long for any token.
    link = links().find(token, now()) if _TOKEN.fullmatch(token) else None
    if link is not None:
        throttle().succeeded(attempt)
    return attempt, link


@bp.route("/form/<token>", methods=["GET", "POST"])
def fill(token: str):
    """Show the blank form, or take what the customer sent as a proposal for review."""
    attempt, link = _open(token)
    if attempt.refused:
        return guard.refused(attempt, "customer form", "-")
    if link is None:
        return _invalid()
    policy = load_rules(services.get().archive.snapshot()).policy
    paths = customer_form.form_fields(policy)
    form = public_form(paths)()
    problems: list[str] = []
    if form.validate_on_submit():
        sent = _submit(form, token, link, paths, policy, problems)
        if sent is not None:
            return sent
    return render_template("customer_form/fill.html", form=form, paths=paths,
                           problems=problems, days=policy.customer_form_days)


def _submit(form: PublicForm, token: str, link: Link, paths: list[str], policy,
            problems: list[str]):
    """Check the values against the file, then use the link and commit; None to show again."""
    try:
        record = services.get().files.load(link.customer).record
    except NotFound:
        return _invalid()
    if record is None:
        return render_error(503, _("Your details cannot be received at the moment. "
                                   "Please try again later."))
    name = " ".join((form.submitted_by.data or "").split())
    filled, errors = customer_form.check_submission(
        record, {p: form[p].data for p in paths}, policy)
    for error in errors + customer_form.check_name(name):
        form[error.path].errors = [*form[error.path].errors,
                                   _(error.message).format(**error.params)]
    if not filled:
        problems.append(_("Fill in at least one field."))
    if errors or problems or form.submitted_by.errors:
        return None
    used = links().use(token, now())
    if used is None:
        return _invalid()  # another submission with this link got there first
    proposal = customer_form.new_proposal(used.id, filled, name, used.created_by, today())
    try:
        form_actions.submit(services.get().files, link.customer, proposal,
                            Identity(f"{name}（客戶填表）", AUTHOR_EMAIL))
    except (InvalidRecord, CorruptRecord, NotFound, customer_form.ProposalGone):
        links().release(used.id)
        return render_error(503, _("Your details cannot be received at the moment. "
                                   "Please try again later."))
    except Exception:
        links().release(used.id)  # nothing was written: the customer may send again
        raise
    return render_template("customer_form/thanks.html")
