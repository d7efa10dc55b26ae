"""Operations endpoints: ``/readyz`` for the proxy or orchestrator, ``/metrics`` for Prometheus.

``/healthz`` (alive, and answering from the database) stays in app/web.py, where ``wanjia
doctor`` and the test servers look for it. ``/metrics`` answers loopback callers that came
straight (no proxy's forwarding header) or a caller with ``WANJIA_METRICS_TOKEN`` as bearer
token, and is a 404 to anyone else.
"""

from __future__ import annotations

import hmac
from typing import Any, Final

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from prometheus_client import CONTENT_TYPE_LATEST

from app import metrics, readiness
from app.errors import NotFound

bp = Blueprint("ops", __name__)
LOOPBACK: Final = frozenset({"127.0.0.1", "::1"})
FORWARDED: Final = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@bp.get("/readyz")
def ready() -> Any:
    """200 when every check passes, else 503 naming the failed ones."""
    results = readiness.checks(current_app)
    failed = sorted(name for name, result in results.items() if result != readiness.OK)
    body = {"status": "unavailable" if failed else "ok", "failed": failed, "checks": results}
    return jsonify(body), 503 if failed else 200


@bp.get("/metrics")
def scrape() -> Any:
    if not _may_scrape():
        raise NotFound("not_found", _l("This page or item does not exist."))
    return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)


def _may_scrape() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    direct = not any(request.headers.get(name) for name in FORWARDED)
    return direct and request.remote_addr in LOOPBACK
