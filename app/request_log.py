"""A request id on every request and on every log line written while it is served.

An incoming ``X-Request-Id`` (from nginx's ``$request_id``, or a caller's) is kept when it is a
sane token, else one is made; the answer echoes it. A logging filter on the root handlers puts it
on each record (``-`` outside a request); ``WANJIA_LOG_JSON=1`` writes one JSON object a line.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime
from typing import Any, Final

from flask import Flask, g, has_request_context, request

HEADER: Final = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,128}")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def current_id() -> str:
    return str(g.get("request_id", "-")) if has_request_context() else "-"


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that passes (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message (and the traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def formatter(json_lines: bool) -> logging.Formatter:
    return JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT)


def _assign() -> None:
    incoming = request.headers.get(HEADER, "")
    g.request_id = incoming if _SANE.fullmatch(incoming) else uuid.uuid4().hex


def _echo(response: Any) -> Any:
    response.headers[HEADER] = current_id()
    return response


def init_app(app: Flask) -> None:
    """Give requests their id and the root logger's handlers the filter and the format."""
    app.before_request(_assign)
    app.after_request(_echo)
    chosen = formatter(bool(app.config.get("LOG_JSON")))
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        if type(handler) is logging.StreamHandler:  # basicConfig's, not a test's capture
            handler.setFormatter(chosen)
