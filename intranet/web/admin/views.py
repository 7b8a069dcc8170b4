"""The administrator's pages: thin views over ``records.rulebook.organisation``.

The administrator is whoever holds the role the policy names as custodian of company-level
files (``levels.company.custodian``); everyone else gets the 403 page.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import Field

from ... import services
from ...actions import NotAllowed
from ...archive.errors import NotFound
from ...archive.repository import Snapshot
from ...index.holdings import held_by
from ...records.files.messages import FieldError
from ...records.files.schema import N_
from ...records.rights import access
from ...records.rulebook import proposals
from ...records.rulebook.organisation import (
    DirectoryError,
    disable_member,
    save_department,
    save_member,
)
from ...records.rulebook.rules import POLICY_PATH, Rules, load_rules
from ...records.rulebook.staff import ROLES, role_label
from .blueprint import bp
from .forms import (
    DepartmentEditForm,
    DepartmentForm,
    DisableForm,
    MemberEditForm,
    MemberForm,
)


def _snapshot() -> Snapshot:
    """Return the archive head, once per request."""
    if "admin_snapshot" not in g:
        g.admin_snapshot = services.get().archive.snapshot()
    return g.admin_snapshot


def _rules() -> Rules:
    return load_rules(_snapshot())


def is_administrator() -> bool:
    """Tell whether the signed-in user holds the policy's company custodian role."""
    if not getattr(current_user, "is_authenticated", False):
        return False
    return access.is_administrator(str(current_user.role or ""), _rules().policy)


@bp.app_context_processor
def _globals() -> dict:
    """Give every template ``is_administrator()`` (for the nav link)."""
    return {"is_administrator": is_administrator}


@bp.app_context_processor
def _damaged_files() -> dict:
    """Give every template the damaged policy/org files, for the administrator's banner."""
    def damaged_files() -> tuple:
        return _rules().problems if is_administrator() else ()
    return {"damaged_files": damaged_files}


@bp.before_request
@login_required
def _only_the_administrator():
    if not is_administrator():
        raise NotAllowed(N_("Only the administrator uses the administration pages."),
                         N_("the administrator (the role that keeps company-level files)."))


def _author():
    return _rules().identity(current_user.username)


def _explain(error: FieldError) -> str:
    return _(error.message).format(**error.params)


def _show_errors(exc: DirectoryError, fields: dict[str, Field], fallback: Field) -> None:
    """Put each problem under its field, or under ``fallback`` with its path."""
    for error in exc.errors:
        name = error.path.rsplit(".", 1)[-1]
        if name in fields and "[" not in name:
            fields[name].errors.append(_explain(error))
        else:
            fallback.errors.append(f"{error.path}: {_explain(error)}")


def _role_choices() -> list[tuple[str, str]]:
    return [(role, _(role_label(role, zh=False))) for role in ROLES]


def _department_choices() -> list[tuple[str, str]]:
    return [(str(d.get("id")), f"{d.get('name')} ({d.get('id')})")
            for d in _rules().directory.departments]


def _manager_choices() -> list[tuple[str, str]]:
    directory = _rules().directory
    return [("", "—")] + [(str(m["username"]), f"{m.get('name')} ({m['username']})")
                          for m in directory.staff if directory.is_active(str(m["username"]))]


def _member_form(form: Any) -> Any:
    form.role.choices = _role_choices()
    form.department.choices = _department_choices()
    return form


def _unknown_department(form: Any) -> bool:
    """Add an error and return True if the chosen department does not exist."""
    if _rules().directory.department(form.department.data or "") is None:
        form.department.errors.append(_("No department has the id {id}").format(
            id=form.department.data))
        return True
    return False


def _member_or_404(username: str) -> dict[str, Any]:
    member = _rules().directory.member(username)
    if member is None:
        abort(404)
    return member


@bp.route("/staff", methods=["GET", "POST"])
def staff():
    """List the staff and add a member with an initial password."""
    form = _member_form(MemberForm())
    if form.validate_on_submit() and not _unknown_department(form):
        member = {"username": form.username.data, "name": form.name.data.strip(),
                  "email": form.email.data, "role": form.role.data,
                  "department": form.department.data, "active": True, "left_on": ""}
        try:
            # The member first: a taken username is refused before any password is touched.
            save_member(services.get().archive, member, _author(), new=True)
        except DirectoryError as exc:
            _show_errors(exc, {"username": form.username, "name": form.name,
                               "email": form.email, "role": form.role,
                               "department": form.department}, form.username)
        else:
            services.get().credentials.set(member["username"], form.password.data)
            flash(_("Saved."), "success")
            return redirect(url_for("admin.staff"))
    directory = _rules().directory
    return render_template("admin/staff.html", form=form, staff=directory.staff,
                           directory=directory, role_name=_role_name)


def _role_name(role: str) -> str:
    return _(role_label(role, zh=False))


@bp.route("/staff/<username>", methods=["GET", "POST"])
def member(username: str):
    """Change a member's name, e-mail, role and department."""
    current = _member_or_404(username)
    form = _member_form(MemberEditForm(data=current))
    if form.validate_on_submit() and not _unknown_department(form):
        changes = {"username": username, "name": form.name.data.strip(),
                   "email": form.email.data, "role": form.role.data,
                   "department": form.department.data}
        try:
            save_member(services.get().archive, changes, _author(), new=False)
        except DirectoryError as exc:
            _show_errors(exc, {"name": form.name, "email": form.email, "role": form.role,
                               "department": form.department}, form.name)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.staff"))
    return render_template("admin/member.html", form=form, member=current,
                           disable_form=DisableForm(formdata=None),
                           active=_rules().directory.is_active(username))


@bp.post("/staff/<username>/disable")
def disable(username: str):
    """Disable a member: active false and the day they left; their sessions end at once."""
    current = _member_or_404(username)
    form = DisableForm()
    held = held_by(services.get().index, username)
    if held:
        # R32: nobody leaves holding customer files; the hand-over moves them in one commit.
        flash(_("%(name)s still holds %(count)s customer files: hand them over first.",
                name=current.get("name") or username, count=len(held)), "warning")
        return redirect(url_for("admin.handover_page", username=username))
    if form.validate_on_submit():
        try:
            disable_member(services.get().archive, username, form.left_on.data.isoformat(),
                           _author())
        except DirectoryError as exc:
            _show_errors(exc, {"left_on": form.left_on}, form.left_on)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.staff"))
    edit = _member_form(MemberEditForm(formdata=None, data=current))
    return render_template("admin/member.html", form=edit, member=current,
                           disable_form=form, active=_rules().directory.is_active(username)), 400


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    """List the departments and add one."""
    form = DepartmentForm()
    form.manager.choices = _manager_choices()
    if form.validate_on_submit():
        department = {"id": form.id.data.strip(), "name": form.name.data.strip(),
                      "manager": form.manager.data or ""}
        try:
            save_department(services.get().archive, department, _author(), new=True)
        except DirectoryError as exc:
            _show_errors(exc, {"id": form.id, "name": form.name, "manager": form.manager},
                         form.id)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.departments"))
    directory = _rules().directory
    return render_template("admin/departments.html", form=form,
                           departments=directory.departments, directory=directory)


@bp.route("/departments/<department_id>", methods=["GET", "POST"])
def department(department_id: str):
    """Rename a department or set its manager."""
    current = _rules().directory.department(department_id)
    if current is None:
        abort(404)
    form = DepartmentEditForm(data=current)
    form.manager.choices = _manager_choices()
    if form.validate_on_submit():
        changes = {"id": department_id, "name": form.name.data.strip(),
                   "manager": form.manager.data or ""}
        try:
            save_department(services.get().archive, changes, _author(), new=False)
        except DirectoryError as exc:
            _show_errors(exc, {"name": form.name, "manager": form.manager}, form.name)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.departments"))
    return render_template("admin/department.html", form=form, department=current)


@bp.get("/policy/history")
def policy_history():
    """The versions of policy.yaml, newest first."""
    archive = services.get().archive
    versions = archive.log(POLICY_PATH)
    return render_template("admin/policy_history.html", versions=versions,
                           proposers=proposals.proposer_of_versions(archive, versions),
                           staff_name=_staff_name)


def _staff_name(username: str) -> str:
    member = _rules().directory.member(username)
    return str(member.get("name") or username) if member else username


@bp.get("/policy/history/<sha>")
def policy_version(sha: str):
    """The text of policy.yaml as of one version."""
    archive = services.get().archive
    if not all(c in "0123456789abcdef" for c in sha) or not 7 <= len(sha) <= 64:
        abort(404)
    version = next((v for v in archive.log(POLICY_PATH) if v.commit.startswith(sha)), None)
    if version is None:
        abort(404)
    try:
        text = archive.read(POLICY_PATH, version.commit).decode("utf-8")
    except NotFound:
        abort(404)
    return render_template("admin/policy_version.html", version=version, text=text)
