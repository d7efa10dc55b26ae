"""The managers that index each socket's rooms (app/socket_rooms.py): the same rooms, callbacks
and pending lists as python-socketio's own after any sequence of connects, room changes and
disconnects; and a disconnect whose cost does not grow with the sockets connected."""

from __future__ import annotations

import random
import time

import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from app.socket_rooms import IndexedManager, client_manager

NAMESPACES = ("/field", "/console")


def _state(manager: socketio.Manager) -> tuple[object, ...]:
    rooms = {
        ns: {room: dict(members) for room, members in by_room.items()}
        for ns, by_room in manager.rooms.items()
    }
    return rooms, manager.callbacks, manager.pending_connect, manager.pending_disconnect


def _play(manager: socketio.Manager, steps: list[tuple[str, int, int, int]]) -> None:
    server = socketio.Server(client_manager=manager)
    ids = iter(range(10**6))
    server.eio.generate_id = lambda: f"s{next(ids)}"  # the same socket ids for both managers
    connected: list[tuple[str, str]] = []
    for action, who, ns_index, room in steps:
        namespace = NAMESPACES[ns_index]
        if action == "connect" or not connected:
            sid = manager.connect(f"e{who}", namespace)
            if sid is not None:
                connected.append((sid, namespace))
            continue
        sid, namespace = connected[who % len(connected)]
        if action == "enter":
            manager.enter_room(sid, namespace, f"user:{room}")
        elif action == "leave":
            manager.leave_room(sid, namespace, f"user:{room}")
        elif action == "callback":
            manager.callbacks.setdefault(sid, {})[room] = print
        elif action == "pre_disconnect":
            manager.pre_disconnect(sid, namespace)
        else:
            manager.disconnect(sid, namespace)
            connected.remove((sid, namespace))


steps = st.lists(
    st.tuples(
        st.sampled_from(["connect", "enter", "leave", "callback", "pre_disconnect", "disconnect"]),
        st.integers(0, 30),
        st.integers(0, 1),
        st.integers(0, 4),
    ),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(steps)
def test_the_indexed_manager_leaves_the_same_state_as_python_socketios(sequence):
    ours, theirs = IndexedManager(), socketio.Manager()
    _play(ours, sequence)
    _play(theirs, sequence)
    assert _state(ours) == _state(theirs)


def test_ten_thousand_phones_dropping_at_once_take_well_under_a_second():
    manager = IndexedManager()
    socketio.Server(client_manager=manager)
    sids = []
    for i in range(10_000):
        sid = manager.connect(f"e{i}", "/field")
        manager.enter_room(sid, "/field", f"user:{i}")
        manager.enter_room(sid, "/field", f"login:{i}")
        sids.append(sid)
    random.Random(1).shuffle(sids)
    started = time.perf_counter()
    for sid in sids:
        manager.disconnect(sid, "/field")
    took = time.perf_counter() - started
    # python-socketio's own manager scans every room per disconnect: tens of seconds here.
    assert took < 1.0, f"{took:.2f} s"
    assert manager.rooms == {}


def test_the_scaled_mode_gets_the_redis_manager_with_the_sites_channel():
    scaled = client_manager("redis://127.0.0.1:6379/3")
    assert isinstance(scaled, socketio.RedisManager) and scaled.channel == "wanjia-socketio-3"
    assert type(client_manager(None)) is IndexedManager
