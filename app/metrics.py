"""Prometheus metrics of this process, read at ``/metrics`` (app/ops.py).

Domains count through the small functions here, after their commit (``uow.after_commit``), so a
rolled-back change is never counted; the kernel imports no domain. Sockets connected and the
task queue's lag are read when scraped, from Socket.IO's own bookkeeping and from the broker.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from celery.signals import before_task_publish
from flask import Flask, current_app, g, has_app_context, request
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.pool import QueuePool

from app.extensions import db, socketio

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()
SENT_AT_HEADER = "wanjia_sent_at"  # unix seconds a task message was published

OFFERS_SENT = Counter("wanjia_offers_sent", "Dispatch offers sent to people", registry=REGISTRY)
OFFERS_ANSWERED = Counter(
    "wanjia_offers_answered", "Dispatch offers answered", ["answer"], registry=REGISTRY
)
CHECKINS = Counter("wanjia_checkins", "Check-ins by outcome", ["outcome"], registry=REGISTRY)
SIGHTINGS = Counter("wanjia_sightings", "Sightings reported (new ones)", registry=REGISTRY)
LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
REQUEST_SECONDS = Histogram(
    "wanjia_request_seconds",
    "Time from a request's arrival to its answer, by endpoint",
    ["endpoint"],
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS_S,
)
SOCKET_EVENT_SECONDS = Histogram(
    "wanjia_socket_event_seconds",
    "Time from a Socket.IO event's arrival to its answer, by namespace and event",
    ["namespace", "event"],
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS_S,
)
# An event this slow is logged by name: a dispatcher's click or a phone's answer waited on it.
SLOW_SOCKET_EVENT_S = 2.0


def offers_sent(count: int) -> None:
    OFFERS_SENT.inc(count)


def offer_answered(accepted: bool) -> None:
    OFFERS_ANSWERED.labels(answer="accepted" if accepted else "declined").inc()


def checkin(outcome: str) -> None:
    """``outcome``: valid, held, refused or replayed."""
    CHECKINS.labels(outcome=outcome).inc()


def sighting() -> None:
    SIGHTINGS.inc()


def socket_event(namespace: str, event: str, seconds: float) -> None:
    """``event``: one this server handles (a name a client made up would grow the labels)."""
    SOCKET_EVENT_SECONDS.labels(namespace=namespace, event=event).observe(seconds)
    if seconds >= SLOW_SOCKET_EVENT_S:
        log.warning("socket event %s %s took %.1f s", namespace, event, seconds)


class _SocketsCollector(Collector):
    """Sockets connected to this process, by namespace, as Socket.IO's manager holds them."""

    def describe(self) -> list[Metric]:
        return [GaugeMetricFamily("wanjia_sockets_connected", "", labels=["namespace"])]

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "wanjia_sockets_connected",
            "Socket.IO clients connected to this process",
            labels=["namespace"],
        )
        server = getattr(socketio, "server", None)
        rooms: dict[str, dict[Any, Any]] = dict(server.manager.rooms) if server else {}
        for namespace in sorted(rooms):
            gauge.add_metric([namespace], len(rooms[namespace].get(None, ())))
        yield gauge


class _QueueLagCollector(Collector):
    """Age of the oldest task message waiting in the Celery broker (0 when none waits).

    A task a worker has taken (also one held for its ETA) is no longer waiting. Redis broker:
    the oldest message of the default queue, dated by the header ``before_task_publish`` adds;
    embedded filesystem broker: the oldest message file's modification time."""

    def describe(self) -> list[Metric]:
        return [GaugeMetricFamily("wanjia_task_queue_lag_seconds", "")]

    def collect(self) -> Iterator[Metric]:
        celery = current_app.extensions.get("celery") if has_app_context() else None
        if celery is None:
            return
        try:
            lag = _queue_lag(celery.conf, time.time())
        except (RedisError, ValueError):  # unknown is left out, never a failed scrape
            lag = None
        if lag is not None:
            yield GaugeMetricFamily(
                "wanjia_task_queue_lag_seconds",
                "Age of the oldest task waiting in the Celery broker",
                value=lag,
            )


class _PoolCollector(Collector):
    """Database connections of this process's pool, in use and idle, as SQLAlchemy counts them:
    requests waiting on a full pool look like a slow database from outside."""

    def describe(self) -> list[Metric]:
        return [GaugeMetricFamily("wanjia_db_connections", "", labels=["state"])]

    def collect(self) -> Iterator[Metric]:
        pool = db.engine.pool if has_app_context() else None
        if not isinstance(pool, QueuePool):  # the pools of SQLite files and PostgreSQL
            return
        gauge = GaugeMetricFamily(
            "wanjia_db_connections",
            "Database connections of this process's pool, by state",
            labels=["state"],
        )
        gauge.add_metric(["in_use"], pool.checkedout())
        gauge.add_metric(["idle"], pool.checkedin())
        yield gauge


def _queue_lag(conf: Any, now: float) -> float | None:
    broker = str(conf.broker_url)
    if broker.startswith("filesystem://"):
        folder = Path(conf.broker_transport_options["data_folder_in"])
        times = [_mtime(path) for path in folder.glob("*.msg")]
        return max(0.0, now - min(times)) if times else 0.0
    if broker.startswith(("redis://", "rediss://")):
        client = Redis.from_url(broker, socket_timeout=1, socket_connect_timeout=1)
        try:
            oldest: Any = client.lindex(conf.task_default_queue, -1)  # kombu LPUSHes, BRPOPs
        finally:
            client.close()
        if oldest is None:
            return 0.0
        sent_at = json.loads(oldest).get("headers", {}).get(SENT_AT_HEADER)
        return max(0.0, now - float(sent_at)) if sent_at is not None else None
    return None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # a worker took it meanwhile
        return time.time()


def _date_message(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None:
        headers.setdefault(SENT_AT_HEADER, time.time())


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _observe(response: Any) -> Any:
    started = g.get("request_started")
    if started is not None:
        endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
        REQUEST_SECONDS.labels(endpoint=endpoint).observe(time.perf_counter() - started)
    return response


def exposition() -> bytes:
    return generate_latest(REGISTRY)


REGISTRY.register(_SocketsCollector())
REGISTRY.register(_QueueLagCollector())
REGISTRY.register(_PoolCollector())
before_task_publish.connect(_date_message, weak=False)


def init_app(app: Flask) -> None:
    """Time every request by its endpoint (404s together as ``unmatched``)."""
    app.before_request(_start_timer)
    app.after_request(_observe)
