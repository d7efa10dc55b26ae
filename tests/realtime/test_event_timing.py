"""Every Socket.IO event the server handles is timed in /metrics, and a slow one is logged by
name (a dispatcher's click that waited is found in the log, not guessed at)."""

from __future__ import annotations

import logging

from app import metrics
from app.roles import Role
from realtime import events


def _count(namespace: str, event: str) -> float:
    sample = metrics.REGISTRY.get_sample_value(
        "wanjia_socket_event_seconds_count", {"namespace": namespace, "event": event}
    )
    return sample or 0.0


def test_each_handled_event_is_timed_by_namespace_and_name(logged_in, socket_client):
    logged_in(Role.GUARD)
    sock = socket_client(events.FIELD_NS)
    before = _count(events.FIELD_NS, "ping")
    assert sock.emit("ping", 7, namespace=events.FIELD_NS, callback=True) == {"pong": 7}
    assert _count(events.FIELD_NS, "ping") == before + 1


def test_a_made_up_event_name_adds_no_label(logged_in, socket_client):
    logged_in(Role.GUARD)
    sock = socket_client(events.FIELD_NS)
    sock.emit("no_such_event_93a1", {}, namespace=events.FIELD_NS)
    labels = {
        s.labels.get("event")
        for family in metrics.REGISTRY.collect()
        for s in family.samples
        if s.name.startswith("wanjia_socket_event_seconds")
    }
    assert "connect" in labels  # connecting is an event this namespace handles
    assert "no_such_event_93a1" not in labels


def test_a_slow_event_is_logged_with_its_name(logged_in, socket_client, monkeypatch, caplog):
    logged_in(Role.DISPATCHER)
    sock = socket_client(events.CONSOLE_NS)
    monkeypatch.setattr(metrics, "SLOW_SOCKET_EVENT_S", 0.0)  # every event counts as slow
    with caplog.at_level(logging.WARNING, logger="app.metrics"):
        sock.emit("ping", 1, namespace=events.CONSOLE_NS, callback=True)
    [line] = [r.getMessage() for r in caplog.records if r.name == "app.metrics"]
    assert line.startswith(f"socket event {events.CONSOLE_NS} ping took ")
