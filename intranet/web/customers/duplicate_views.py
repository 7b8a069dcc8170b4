"""Duplicates (R4): the new-customer form's warning, the finder, the merge page, retired ids.

What a match shows depends on the viewer's rights: a file they may read shows its id, name,
phone and 統一編號 (a journalled read); a file they may only know exists shows its catalogue
card and its custodian, never which number matched (that would tell them the hidden file's
統一編號 or phone, which they just typed).
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ... import services
from ...actions import merging
from ...archive.errors import Conflict, CorruptRecord, NotFound
from ...index.query import CATALOGUE
from ...records.files import retired
from ...records.files.customers import InvalidRecord, is_customer_id
from ...records.files.merging import KEPT, RETIRED
from ...records.rights import access
from ..clock import today
from . import reading
from .blueprint import bp
from .labels import field_label
from .present import show

# A page of a retired id that still shows something of it: its history and old versions.
HISTORY_ROUTES = ("customers.history", "customers.version")
KINDS = {"tax": _l("Same tax ID"), "name": _l("Same name"), "phone": _l("Same phone")}
MOST_SHOWN = 10  # matches shown on the form; a longer list would not be read


def _readable(rows: list[dict[str, Any]], action: str = "view") -> set[str]:
    """Return the ids among index rows the user may read (a check: nothing journalled)."""
    r = reading.rules()
    who = reading.actor(current_user)
    held = reading.grants()
    return {str(row["id"]) for row in rows if access.decide(
        who, action, access.FileMeta.from_row(row), r.policy, r.directory, held).allowed}


def _card(row: dict[str, Any]) -> dict[str, Any]:
    """Return a file's catalogue card with its custodian's and department's names."""
    card = {k: row.get(k) for k in CATALOGUE}
    card["owner_name"] = reading.staff_name(str(row.get("owner") or ""))
    card["department_name"] = reading.department_name(str(row.get("department") or ""))
    return card


def warning_for(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the existing files a new record may duplicate, as the user may see them."""
    index = services.get().index
    found = merging.matches(index, record)[:MOST_SHOWN]
    rows = {m.id: index.get(m.id) for m in found}
    readable = _readable([row for row in rows.values() if row])
    shown = []
    for match in found:
        row = rows[match.id]
        if row is None:
            continue
        card = {**_card(row), "readable": match.id in readable, "kinds": match.kinds}
        if card["readable"]:
            # The phone and 統一編號 are contents: read through the journal.
            loaded = reading.load(match.id, current_user, "view")
            basic = (loaded.record or {}).get("basic") or {}
            card.update(phone=str(basic.get("phone") or ""), tax_id=str(basic.get("tax_id") or ""))
        else:
            card["kinds"] = []
        shown.append(card)
    return shown


def _hidden_text(card: dict[str, Any]) -> str:
    """Return what a match the user may not read says: it exists, ask its custodian."""
    return _("A file with a matching name or number exists (%(kind)s, %(region)s, "
             "%(department)s): ask its custodian.", kind=show("kind", card.get("kind")) or "—",
             region=card.get("region") or "—", department=card.get("department_name") or "—")


@bp.get("/new/matches")
@login_required
def new_matches():
    """Answer the form's check while typing (progressive enhancement of the warning)."""
    if not reading.may_create(current_user):
        abort(403)
    typed = {"basic": {key: request.args.get(key, "")[:200]
                       for key in ("name", "tax_id", "phone")}}
    found = []
    for card in warning_for(typed):
        item = {"id": card["id"], "name": card["name"] or "",
                "custodian": card["owner_name"], "readable": card["readable"]}
        if card["readable"]:
            item.update(url=url_for(".show", customer_id=card["id"]),
                        detail=" · ".join(v for v in (card["phone"], card["tax_id"]) if v))
        else:
            item["detail"] = _hidden_text(card)
        found.append(item)
    return jsonify(heading=_("This customer may already have a file"),
                   custodian=_("Custodian"), matches=found)


def may_find() -> bool:
    """Tell whether the signed-in user's role finds and merges duplicates (duplicates.roles)."""
    return bool(current_user.is_authenticated) and \
        merging.may_find(reading.rules(), current_user.username)


@bp.app_context_processor
def _nav() -> dict:
    """Give every template ``may_find_duplicates()`` (for the links)."""
    return {"may_find_duplicates": may_find, "merged_into": retired_into}


@bp.before_request
def _retired_ids() -> Any:
    """Send a retired id's pages to the file it was merged into (its history stays its own)."""
    customer_id = (request.view_args or {}).get("customer_id", "")
    if not current_user.is_authenticated or not is_customer_id(customer_id) \
            or request.endpoint in HISTORY_ROUTES:
        return None
    if services.get().index.get(customer_id) is not None:
        return None
    kept = merging.kept_for(services.get().files, customer_id)
    if kept is None:
        return None
    flash(_("%(old)s was merged into %(new)s.", old=customer_id, new=kept), "info")
    return redirect(url_for("customers.show", customer_id=kept), 303)


@bp.get("/duplicates")
@login_required
def duplicates():
    """List groups of files sharing a 統一編號, a name or a phone, strongest first."""
    if not may_find():
        abort(403)
    index = services.get().index
    groups = merging.groups(index)
    rows = {i: index.get(i) for group in groups for i in group["ids"]}
    known = [row for row in rows.values() if row]
    readable, editable = _readable(known), _readable(known, "edit")
    # A merge needs the right to edit both files: offered only where it would be allowed.
    shown = [{"kind": group["kind"], "label": KINDS[group["kind"]],
              "files": [{**_card(rows[i]), "readable": i in readable, "editable": i in editable}
                        for i in group["ids"] if rows.get(i)]} for group in groups]
    return render_template("customers/duplicates.html", groups=shown)


def _choices(count: int) -> dict[str, str]:
    """Return the posted choice per clash path: the kept value unless the retired one's."""
    paths = request.form.getlist("clash")[:count]
    return {path: RETIRED if request.form.get(f"choice-{i}") == RETIRED else KEPT
            for i, path in enumerate(paths)}


@bp.route("/merge", methods=["GET", "POST"])
@login_required
def merge():
    """Show what merging two files gives, then merge them as they were shown (or 409)."""
    if not may_find():
        abort(403)
    source = request.form if request.method == "POST" else request.args
    kept_id, retired_id = source.get("kept", ""), source.get("retired", "")
    if not (is_customer_id(kept_id) and is_customer_id(retired_id)) or kept_id == retired_id:
        abort(404)
    if request.method == "POST":
        # Nothing is shown: the action checks the rights at the head, and a file changed or
        # merged away since the page was shown is a conflict (409), not a missing file.
        return _merge_posted(kept_id, retired_id)
    # Both files' contents are shown: each read is journalled (Hidden -> 403).
    kept_loaded = reading.load(kept_id, current_user, "edit")
    retired_loaded = reading.load(retired_id, current_user, "edit")
    if kept_loaded.damaged or retired_loaded.damaged:
        flash(_("A damaged file cannot be merged; repair it first."), "danger")
        return redirect(url_for(".duplicates"))
    try:
        base, _kept, _gone, plan = merging.preview(services.get().files, current_user.username,
                                                   kept_id, retired_id)
    except (NotFound, CorruptRecord):
        abort(404)
    return render_template("customers/merge.html", plan=plan, base=base, kept=kept_loaded,
                           retired=retired_loaded, field_label=_clash_label,
                           show_clash=_clash_value)


def _merge_posted(kept_id: str, retired_id: str) -> Any:
    """Merge as posted: the base the page was shown at, a choice per clash."""
    try:
        merging.merge(services.get().files, current_user.username, kept_id, retired_id,
                      request.form.get("base", ""), today(), choices=_choices(200))
    except Conflict:
        page = render_template("customers/merge_conflict.html", kept=kept_id,
                               retired=retired_id)
        return page, 409
    except InvalidRecord as exc:
        flash(_("The merged file would not be valid: %(reason)s", reason=str(exc)), "danger")
        return redirect(url_for(".merge", kept=kept_id, retired=retired_id))
    flash(_("%(old)s was merged into %(new)s.", old=retired_id, new=kept_id), "success")
    return redirect(url_for(".show", customer_id=kept_id), 303)


def _clash_label(path: str) -> str:
    """Return a clash's heading: the field's label, or the year of yearly figures."""
    if path.startswith("yearly."):
        return _("Yearly figures %(year)s", year=path.partition(".")[2])
    return field_label(path)


def _clash_value(path: str, value: Any) -> str:
    """Return a clash's value as words."""
    if path.startswith("yearly.") or path == "sales_power":
        if not isinstance(value, dict):
            return str(value or "")
        parts = []
        for key, item in value.items():
            inner = ", ".join(f"{k}: {v}" for k, v in item.items() if v not in ("", None)) \
                if isinstance(item, dict) else item
            if inner not in ("", None, {}):
                section = path.split(".")[0]
                parts.append(f"{field_label(section + '.' + key)}: {inner}")
        return "; ".join(parts)
    return show(path, value)


def retired_into(customer_id: str) -> str | None:
    """Return the kept file of a retired id, for the history page's notice."""
    return retired.kept_for(services.get().archive.snapshot(), customer_id)
