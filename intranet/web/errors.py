"""Error pages in the base layout and the user's language, and archive errors mapped to them."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..actions import Forbidden, NeedsRequest, NotAllowed
from ..actions.reading import Hidden
from ..actions.rights import WHO_READS
from ..archive.errors import Conflict, NotFound
from ..archive.repository import Busy
from ..records.rights import access

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
    503: _l("Busy"),
}
MESSAGES = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    403: _l("You may not see this page."),
    404: _l("There is no such page or customer file."),
    405: _l("This page cannot be used that way."),
    409: _l("Someone else changed this at the same time."),
    413: _l("What you sent is larger than this intranet accepts."),
    429: _l("Too many attempts. Wait a while and try again."),
    500: _l("The intranet could not finish this request. Nothing was saved. "
            "If it happens again, tell the administrator."),
    503: _l("Many people are saving at this moment and yours could not get through. "
            "Nothing was saved; go back and save again."),
}


def render_error(code: int, message: str | None = None) -> tuple[str, int]:
    """Render the error page for an HTTP status (never the exception's own text)."""
    return render_template("errors/error.html", code=code, title=TITLES.get(code, code),
                           message=message or MESSAGES.get(code, "")), code


def render_forbidden(message: str, who: str = "", customer_id: str = "",
                     mode: str = "") -> tuple[str, int]:
    """Render a 403: "not allowed" (say who may), or "needs a request" (with its button)."""
    return render_template("errors/forbidden.html", code=403, message=message, who=who,
                           customer_id=customer_id, mode=mode), 403


def forbidden_page(error: Forbidden) -> tuple[str, int]:
    """Answer a refused action: with the request button if a request would allow it."""
    # A parameter may itself be a msgid (a rule's reason); ids and names pass unchanged.
    params = {k: _(v) if isinstance(v, str) and v else v for k, v in error.params.items()}
    message = _(error.message, **params)
    if isinstance(error, NeedsRequest):
        return render_forbidden(message, customer_id=error.customer_id, mode=error.mode)
    who = error.who if isinstance(error, NotAllowed) else ""
    return render_forbidden(message, _(who) if who else "")


def render_hidden(error: Hidden) -> tuple[str, int]:
    """Answer a file one may not see (or a missing one): how a request could help, or who may."""
    never = error.remedy != access.REQUEST
    return render_template("customers/hidden.html", customer_id=error.customer_id,
                           never=never, mode=error.mode,
                           who=_(error.who or WHO_READS) if never else ""), 403


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(400, _l("The form had expired or was not sent from this intranet. "
                                    "Nothing was saved; reload the page and try again."))

    @app.errorhandler(Forbidden)
    def _forbidden(error: Forbidden):
        # An action refused the change before anything was written.
        return forbidden_page(error)

    @app.errorhandler(Hidden)
    def _hidden(error: Hidden):
        return render_hidden(error)

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound):
        return render_error(404)

    @app.errorhandler(Conflict)
    def _conflict(error: Conflict):
        return render_error(409)

    @app.errorhandler(Busy)
    def _busy(error: Busy):
        body, code = render_error(503)
        return body, code, {"Retry-After": "5"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 403:
            # A page refused to a role as a whole (abort(403)): no request can open it.
            return render_forbidden(str(MESSAGES[403]))
        body, code = render_error(error.code)
        # Keep what tells a client how to go on (405's Allow, 429's Retry-After).
        keep = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
        return body, code, keep

    @app.errorhandler(InternalServerError)
    def _internal(error: InternalServerError):
        return render_error(500)
