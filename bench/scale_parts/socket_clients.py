"""Phones and the console for bench/scale.py: thousands of Socket.IO phones per process, each
a real logged-in person on the field namespace, and a console that sends offers and times
their arrival.

A phone process (``PhoneProcess``) runs python-socketio's asyncio client (websocket transport)
for its share of the phones and takes orders over a pipe: connect these phones to this server,
put these on duty at a position, hand over the offers' arrival times. Times are
``time.monotonic()`` (CLOCK_MONOTONIC, one clock for every process on Linux), so an arrival in a
phone process and the console's send in the parent are on the same scale.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import socketio

from realtime import events

CENTER = (33.38, 120.16)
WAVE = 100  # connections opened at once per process, as phones come back after a restart
TIMEOUT_S = 60


@dataclass(frozen=True)
class Login:
    user_id: int
    cookie: str  # the app's signed session cookie naming a login-session row


class _Phones:
    """The phones of one process and the arrival times of the offers they were sent."""

    def __init__(self) -> None:
        self.clients: dict[int, socketio.AsyncClient] = {}
        self.arrivals: dict[int, list[float]] = {}  # incident id -> monotonic times
        self.drops = 0  # connections lost (each phone then reconnects, as field.js does)

    def _client(self) -> socketio.AsyncClient:
        client = socketio.AsyncClient(reconnection_delay=1, reconnection_delay_max=5)

        async def offer(payload: dict[str, Any]) -> None:
            if payload.get("status") == "offered":
                arrived = time.monotonic()
                self.arrivals.setdefault(payload["incident"]["id"], []).append(arrived)

        async def dropped(*_: Any) -> None:
            self.drops += 1

        client.on(events.OFFER, offer, namespace=events.FIELD_NS)
        client.on("disconnect", dropped, namespace=events.FIELD_NS)
        return client

    def count(self) -> tuple[int, int]:
        """Phones connected to the field namespace now, and connections lost so far."""
        return sum(events.FIELD_NS in c.namespaces for c in self.clients.values()), self.drops

    async def _connect_one(self, base: str, login: Login) -> None:
        client = self._client()
        await client.connect(
            base,
            namespaces=[events.FIELD_NS],
            transports=["websocket"],
            headers={"Cookie": f"session={login.cookie}"},
            wait_timeout=TIMEOUT_S,
        )
        self.clients[login.user_id] = client

    async def connect(self, base: str, logins: list[Login]) -> int:
        for start in range(0, len(logins), WAVE):
            wave = logins[start : start + WAVE]
            await asyncio.gather(*(self._connect_one(base, login) for login in wave))
        return self.count()[0]

    async def on_duty(self, user_ids: list[int], seed: int) -> int:
        """Go on duty (consenting to share the position) and share a position near CENTER."""
        rng = random.Random(seed)  # noqa: S311 - positions, not secrets

        async def one(user_id: int) -> bool:
            client = self.clients[user_id]
            state = await client.call(
                events.SET_DUTY,
                {"on_duty": True, "share_location": True},
                namespace=events.FIELD_NS,
                timeout=TIMEOUT_S,
            )
            spot = {
                "lat": CENTER[0] + rng.uniform(-0.005, 0.005),
                "lon": CENTER[1] + rng.uniform(-0.005, 0.005),
                "accuracy": 10,
            }
            shared = await client.call(
                events.POSITION, spot, namespace=events.FIELD_NS, timeout=TIMEOUT_S
            )
            return bool(state.get("on_duty")) and shared == {"ok": True}

        return sum(await asyncio.gather(*(one(u) for u in user_ids)))


async def _serve(pipe: Connection) -> None:
    phones, loop = _Phones(), asyncio.get_running_loop()
    while True:
        order, *args = await loop.run_in_executor(None, pipe.recv)
        try:
            if order == "connect":
                answer: Any = await phones.connect(*args)
            elif order == "on_duty":
                answer = await phones.on_duty(*args)
            elif order == "count":
                answer = phones.count()
            else:  # "arrivals"
                answer = phones.arrivals.pop(args[0], [])
        except Exception as exc:  # noqa: BLE001 - the parent reports it
            answer = RuntimeError(f"{order}: {exc!r}")
        pipe.send(answer)


def _main(pipe: Connection) -> None:
    logging.getLogger("engineio.client").setLevel(logging.ERROR)  # drops are counted instead
    asyncio.run(_serve(pipe))


class PhoneProcess:
    """One process of phones, ordered over a pipe; every call waits for its answer."""

    def __init__(self) -> None:
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_main, args=(child,), daemon=True
        )
        self.process.start()
        self.logins: dict[int, Login] = {}

    def ask(self, *order: Any) -> Any:
        self.pipe.send(order)
        answer = self.pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def send(self, *order: Any) -> None:
        self.pipe.send(order)

    def answer(self) -> Any:
        answer = self.pipe.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def kill(self) -> None:
        """End the process; the kernel closes its sockets (faster than 2,500 goodbyes)."""
        self.process.kill()
        self.process.join(10)


def connect_all(procs: list[PhoneProcess], base: str, logins: list[Login]) -> tuple[int, float]:
    """Spread ``logins`` over the processes, all connecting at once; (connected, seconds)."""
    began = time.monotonic()
    shares = [logins[i :: len(procs)] for i in range(len(procs))]
    for proc, share in zip(procs, shares, strict=True):
        proc.logins |= {x.user_id: x for x in share}
        proc.send("connect", base, share)
    connected = sum(proc.answer() for proc in procs)
    return connected, time.monotonic() - began


def pick(logins: list[Login], n: int) -> list[int]:
    """``n`` people spread evenly over the list, so over every phone process."""
    step = max(1, len(logins) // n)
    return [x.user_id for x in logins[::step][:n]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 1)


def spread(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(ms, 0.5), "p95_ms": percentile(ms, 0.95), "n": len(ms)}


def count(procs: list[PhoneProcess]) -> tuple[int, int]:
    """Phones connected now and connections lost so far, over every process."""
    counts = [proc.ask("count") for proc in procs]
    return sum(c for c, _ in counts), sum(d for _, d in counts)


def owner(procs: list[PhoneProcess], user_id: int) -> PhoneProcess:
    return next(p for p in procs if user_id in p.logins)


def on_duty(procs: list[PhoneProcess], user_ids: Iterable[int], seed: int) -> None:
    wanted = list(user_ids)
    for proc in procs:
        mine = [u for u in wanted if u in proc.logins]
        if mine and proc.ask("on_duty", mine, seed) != len(mine):
            raise RuntimeError("a phone could not go on duty at a position")


class Console:
    """A dispatcher's console: raises an incident, offers it to chosen people, closes it."""

    def __init__(self, base: str, cookie: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.client.connect(
            base,
            namespaces=[events.CONSOLE_NS],
            transports=["websocket"],
            headers={"Cookie": f"session={cookie}"},
            wait_timeout=TIMEOUT_S,
        )
        self.acks_ms: list[float] = []  # send_offers' answers: the handler, commit included

    def call(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        reply = self.client.call(event, data, namespace=events.CONSOLE_NS, timeout=TIMEOUT_S)
        if not isinstance(reply, dict) or "error" in reply:
            raise RuntimeError(f"{event} refused: {reply}")
        return reply

    def offer_round(self, procs: list[PhoneProcess], user_ids: list[int]) -> list[float]:
        """One incident offered to ``user_ids``: each phone's delivery time in ms, from the
        moment the console sends ``send_offers`` to the offer's arrival on that phone."""
        incident = self.call(
            events.CREATE_INCIDENT,
            {"kind": "theft", "priority": 1, "lat": CENTER[0], "lon": CENTER[1]},
        )
        sent = time.monotonic()
        self.call(events.SEND_OFFERS, {"incident_id": incident["id"], "user_ids": user_ids})
        self.acks_ms.append((time.monotonic() - sent) * 1000)
        holders = {id(p): p for p in (owner(procs, u) for u in user_ids)}.values()
        arrived: list[float] = []
        deadline = time.monotonic() + TIMEOUT_S
        while len(arrived) < len(user_ids) and time.monotonic() < deadline:
            time.sleep(0.02)
            for proc in holders:
                arrived += proc.ask("arrivals", incident["id"])
        self.call(events.CLOSE_INCIDENT, {"incident_id": incident["id"]})
        if len(arrived) != len(user_ids):
            raise RuntimeError(f"{len(arrived)} of {len(user_ids)} phones got the offer")
        return [(t - sent) * 1000 for t in arrived]

    def close(self) -> None:
        self.client.disconnect()
