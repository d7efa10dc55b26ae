"""One small hierarchy of domain errors and the handlers that turn any error into one shape.

API clients get ``{"error": {"code": "...", "message": "..."}}`` with the message in the
person's language; browsers get an HTML page saying the same; sockets get an ``error`` event.
A database that cannot be reached (app/outage.py) is a 503 with Retry-After, not a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from app import outage
from app.extensions import db, login_manager
from app.uow import WriterBusy

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no. ``code`` is for machines, ``message`` (lazily translated) for people."""

    status = 400

    def __init__(self, code: str, message: Any, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def text(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)

    def as_dict(self) -> dict[str, dict[str, str]]:
        shape = {"code": self.code, "message": self.text()}
        if "field" in self.params:  # input checked at the edge names what was wrong
            shape["field"] = str(self.params["field"])
        return {"error": shape}


class Invalid(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooLarge(DomainError):
    status = 413


class TooManyRequests(DomainError):
    status = 429


class Unavailable(DomainError):
    status = 503


DATABASE_UNAVAILABLE = _l("The service is briefly unavailable, try again in a moment.")
SERVER_BUSY = _l("The server is very busy just now. Please try again in a moment.")


def database_unavailable(exc: BaseException) -> Unavailable:
    """The answer to a database outage (app/outage.py), noted in the outage's one log line."""
    current_app.extensions["wanjia_outage"].refused(exc)
    return Unavailable("database_unavailable", DATABASE_UNAVAILABLE)


def server_busy(exc: BaseException) -> Unavailable:
    """The answer to overload (app/outage.py): a line in the log, no stack trace."""
    log.warning("server busy, answering 503: %s", str(exc).splitlines()[0] if str(exc) else exc)
    return Unavailable("server_busy", SERVER_BUSY)


def unavailable(exc: BaseException) -> Unavailable:
    """The 503 for an outage or overload (``outage.is_unavailable``), in the person's language."""
    return server_busy(exc) if outage.is_overload(exc) else database_unavailable(exc)


HTTP_ERRORS: dict[int, tuple[str, Any]] = {
    400: ("bad_request", _l("The request could not be understood.")),
    401: ("login_required", _l("Please log in first.")),
    403: ("forbidden", _l("You do not have permission to do that.")),
    404: ("not_found", _l("This page or item does not exist.")),
    405: ("method_not_allowed", _l("That action is not allowed here.")),
    413: ("too_large", _l("The upload is too large.")),
    429: ("too_many_requests", _l("Too many attempts. Please wait a few minutes and try again.")),
    500: ("server_error", _l("Something went wrong on the server. Please try again.")),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(error: DomainError) -> Any:
    if wants_json():
        return jsonify(error.as_dict()), error.status
    return render_template("error.html", error=error), error.status


def _from_http(exc: HTTPException) -> DomainError:
    status = exc.code or 500
    code, message = HTTP_ERRORS.get(status, HTTP_ERRORS[500] if status >= 500 else HTTP_ERRORS[400])
    error = DomainError(code, message)
    error.status = status
    return error


def _outage_response(exc: BaseException) -> Any:
    if "_login_user" not in g:
        # The login was not looked up yet (or that failed): the page must not try again.
        g._login_user = login_manager.anonymous_user()
    response = make_response(error_response(unavailable(exc)))
    response.headers["Retry-After"] = str(outage.RETRY_AFTER_S)
    return response


def register_error_handlers(app: Flask) -> None:
    app.extensions["wanjia_outage"] = watch = outage.OutageLog()
    with app.app_context():
        watch.watch(db.engine)

    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Any:
        return error_response(error)

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Any:
        error = DomainError(
            "csrf_failed",
            _l("This form has expired or was not sent from our page. Please reload and try again."),
        )
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        return error_response(_from_http(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(_from_http(HTTPException(description=str(exc))))

    @app.errorhandler(DBAPIError)
    def _database(exc: DBAPIError) -> Any:
        return _outage_response(exc) if outage.is_outage(exc) else _unexpected(exc)

    @app.errorhandler(PoolTimeout)
    @app.errorhandler(WriterBusy)
    def _busy(exc: Exception) -> Any:
        return _outage_response(exc)
