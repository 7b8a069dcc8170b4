"""First start (R37): while the archive has no staff, /setup creates the administrator.

The page is protected by a one-time code shown on the server's console, so that nobody else on
the network can claim the archive before its operator does.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Regexp, ValidationError

from .. import services
from ..accounts import MIN_PASSWORD
from ..archive.errors import CorruptRecord
from ..archive.objects import Identity
from ..config import write_new
from ..records.files import formats, yamlio
from ..records.rights.access import FALLBACK_LEVEL
from ..records.rulebook.organisation import DirectoryError, save_member
from ..records.rulebook.policy import DEFAULT_POLICY
from ..records.rulebook.rules import STAFF_PATH
from . import users
from .auth import guard
from .validators import at_most, between, required, same_as

bp = Blueprint("setup", __name__)
EXTENSION = "intranet_setup"
# The administrator is whoever keeps company-level files (records.access.is_administrator).
ADMIN_ROLE = DEFAULT_POLICY["levels"][FALLBACK_LEVEL]["custodian"]
# No 0/O or 1/I: the code is read off a console and typed by hand.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# Reachable while the archive has no staff: the page itself, its assets, the language switch
# (so the page can be read in one's language) and the health check of a monitor.
OPEN_ENDPOINTS = {"static", "setup.setup", "main.language", "status.health"}


class SetupCode:
    """The one-time code: its hash in a file under ``instance/``, the code itself nowhere."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @staticmethod
    def normalise(code: str) -> str:
        """Return the code as issued: capitals only, dashes and spaces dropped."""
        return "".join(ch for ch in code.upper() if ch.isalnum())

    def issue(self, renew: bool = False) -> str | None:
        """Create a code and return it, or None when another process already created one."""
        code = "".join(secrets.choice(ALPHABET) for _ in range(12))
        hashed = generate_password_hash(code, method="scrypt")
        if renew:
            tmp = self.path.with_name(f".{self.path.name}-{secrets.token_hex(4)}")
            tmp.write_text(hashed + "\n")
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        else:
            # Of several workers starting together exactly one issues the code, and nobody
            # sees the file before its hash is in it.
            if not write_new(self.path, hashed + "\n"):
                return None
        return "-".join(code[i:i + 4] for i in range(0, 12, 4))

    def check(self, code: str) -> bool:
        """Tell whether ``code`` is the code issued (False when none is outstanding)."""
        try:
            hashed = self.path.read_text().strip()
        except FileNotFoundError:
            return False
        return bool(hashed) and check_password_hash(hashed, self.normalise(code))

    def claim(self) -> Path | None:
        """Take the code away so no parallel request can use it too; None if already taken."""
        claimed = self.path.with_name(f".{self.path.name}-claimed-{secrets.token_hex(4)}")
        try:
            os.rename(self.path, claimed)  # atomic: only one request wins
        except FileNotFoundError:
            return None
        return claimed

    def give_back(self, claimed: Path) -> None:
        """Put a claimed code back (the set-up failed, so it may be used again)."""
        os.rename(claimed, self.path)


class SetupForm(FlaskForm):
    """The administrator's account and the code from the console."""

    code = StringField(_l("Set-up code"), validators=[required(), at_most(40)])
    username = StringField(_l("Username"), validators=[required(), at_most(32)])
    name = StringField(_l("Full name"), validators=[required(), at_most(100)])
    email = EmailField(_l("Email"), validators=[required(), at_most(200)])
    department = StringField(_l("Department"), default="marketing", validators=[
        required(), Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", message=_l(
            "A department id is letters, digits, dots, dashes or underscores"))])
    password = PasswordField(_l("Password"), validators=[
        required(), between(MIN_PASSWORD, 200)])
    confirm = PasswordField(_l("Password again"), validators=[
        required(), same_as("password")])
    submit = SubmitField(_l("Create the administrator"))

    def validate_username(self, field: StringField) -> None:
        """Refuse usernames the staff directory would refuse."""
        field.data = (field.data or "").strip().lower()
        message = formats.check_username(field.data)
        if message:
            raise ValidationError(_(message))

    def validate_email(self, field: EmailField) -> None:
        """Refuse e-mail addresses the staff directory would refuse."""
        field.data = (field.data or "").strip()
        message = formats.check_email(field.data)
        if message:
            raise ValidationError(_(message))


def _code() -> SetupCode:
    return current_app.extensions[EXTENSION]["code"]


def needs_setup() -> bool:
    """Tell whether the archive has no staff yet (remembered once it has)."""
    state = current_app.extensions[EXTENSION]
    if state["done"]:
        return False
    raw = services.get().archive.snapshot().get(STAFF_PATH)
    if raw is None:
        return True
    try:
        staff = yamlio.load(raw, STAFF_PATH).get("staff")
    except CorruptRecord:
        return False  # a damaged directory is not an empty one: no set-up over it
    state["done"] = bool(staff)
    return not staff


def _redirect_to_setup():
    """Send every page to /setup while the archive has no staff."""
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if needs_setup():
        return redirect(url_for("setup.setup"))
    return None


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Create the first administrator, the marketing director (R37)."""
    if not needs_setup():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        attempt = guard.throttle().begin({"setup": "code", "address": guard.client_address()})
        if attempt.refused:
            return guard.refused(attempt, "set-up", form.username.data)
        code = _code()
        claimed = code.claim() if code.check(form.code.data) else None
        if claimed is None:
            current_app.logger.warning("wrong set-up code for %r from %s", form.username.data,
                                       guard.client_address())
            form.code.errors.append(_("This is not the set-up code shown on the server's "
                                      "console."))
            return render_template("auth/setup.html", form=form), 200
        try:
            user = _create_admin(form, claimed)
        except DirectoryError as exc:
            for error in exc.errors:
                form.username.errors.append(f"{error.path}: {error}")
            return render_template("auth/setup.html", form=form), 200
        guard.throttle().succeeded(attempt, clear={"setup": "code"})
        current_app.extensions[EXTENSION]["done"] = True
        current_app.logger.warning("set-up done: %r is the administrator", user.username)
        users.start_session(user)
        return redirect(url_for("main.home"))
    return render_template("auth/setup.html", form=form)


def _create_admin(form: SetupForm, claimed: Path) -> users.User:
    """Store the password, commit the administrator to org/staff.yaml, then spend the code."""
    svc = services.get()
    username = form.username.data
    member = {"username": username, "name": form.name.data.strip(), "email": form.email.data,
              "department": form.department.data, "role": ADMIN_ROLE, "active": True,
              "left_on": ""}
    try:
        # The password first: if the process died after it, the archive would still be empty
        # and set-up could be done again, rather than hold an administrator who cannot sign in.
        svc.credentials.set(username, form.password.data)
        # The administrator is the author of the commit that creates them.
        save_member(svc.archive, member, Identity(member["name"], member["email"]), new=True)
    except BaseException:
        _code().give_back(claimed)
        raise
    claimed.unlink()
    user = users.find(username)
    if user is None:  # pragma: no cover  (the commit above makes them a member)
        raise RuntimeError(f"{username} was not saved")
    return user


def retire_code(app: Flask) -> None:
    """Remove any outstanding set-up code: the archive has staff now (seed-demo, init)."""
    state = app.extensions[EXTENSION]
    state["code"].path.unlink(missing_ok=True)
    state["issued"] = None


def issued_code(app: Flask) -> str | None:
    """Return the code this process issued at start-up (None if none, or another one did)."""
    return app.extensions[EXTENSION]["issued"]


def init_app(app: Flask) -> None:
    """Issue the set-up code if the archive has no staff, and guard every page until it has."""
    code = SetupCode(app.config["SETUP_CODE_PATH"])
    state: dict = {"code": code, "done": False, "issued": None}
    app.extensions[EXTENSION] = state
    app.register_blueprint(bp)
    app.before_request(_redirect_to_setup)
    with app.app_context():
        empty = needs_setup()
    if not empty or app.config.get("DEMO") is True:
        # The demo company is seeded into an empty archive right after start-up: no code.
        return
    state["issued"] = code.issue(renew=bool(app.config.get("SETUP_CODE_RENEW")))
    if state["issued"]:
        app.logger.warning("The archive has no staff yet. Open /setup and enter the set-up "
                           "code %s to create the administrator.", state["issued"])
    else:
        app.logger.warning("The archive has no staff yet. Open /setup with the set-up code "
                           "logged by the process that issued it (another worker, or an "
                           "earlier start); delete %s and restart for a new one.", code.path)
