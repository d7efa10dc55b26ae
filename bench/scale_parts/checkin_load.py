"""Check-ins per second through nginx over HTTPS, for bench/scale.py.

The check-ins are bench/checkins.py's (signed poster tokens, a position a few metres from the
point, a fresh client id, each (person, point) pair once); here they go through nginx's TLS to
``wanjia serve`` processes, as phones send them: each load thread keeps one HTTPS connection
open (keep-alive), and every request carries its person's cookies (the session and nginx's
route cookie, so each person keeps to one process).
"""

from __future__ import annotations

import http.client
import os
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.checkins import PASSWORD, PATH, Point, Request, checkins, csrf
from bench.scale_parts.scaled_site import Site, cpu_seconds, machine_busy_s, worker_pid
from tests.servers import free_port

THREADS = 6  # load threads, each with its connection


@dataclass
class Rate:
    created: int = 0
    seconds: float = 0.0
    refused: Counter = field(default_factory=Counter)

    def add(self, other: Rate) -> None:
        self.created += other.created
        self.seconds += other.seconds
        self.refused += other.refused

    @property
    def per_s(self) -> float:
        return round(self.created / self.seconds, 1) if self.seconds else 0.0


def log_in(base: str, ca: Path, phone: str) -> dict[str, str]:
    """The login page, the JSON login, then a page for the session's CSRF token, through
    nginx; the headers each of this person's check-ins carries."""
    http_session = requests.Session()
    http_session.trust_env = False  # the machine's REQUESTS_CA_BUNDLE would replace ``verify``
    http_session.verify = str(ca)
    page = http_session.get(f"{base}/login", timeout=30)
    answer = http_session.post(
        f"{base}/login",
        json={"phone": phone, "password": PASSWORD},
        # Flask-WTF checks the Referer of HTTPS posts, as browsers send it.
        headers={"X-CSRFToken": csrf(page.content), "Referer": f"{base}/login"},
        timeout=30,
    )
    if answer.status_code != 200:
        raise RuntimeError(f"login of {phone}: {answer.status_code} {answer.text[:200]}")
    token = csrf(http_session.get(f"{base}/", timeout=30).content)
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": token,
        "Referer": f"{base}/",
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in http_session.cookies),
    }


def log_in_all(base: str, ca: Path, phones: list[str], threads: int) -> list[dict[str, str]]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda phone: log_in(base, ca, phone), phones))


def load(port: int, ca: Path, source: Iterator[Request], threads: int, seconds: float) -> Rate:
    """``threads`` connections to nginx on ``port``, each sending the next check-in from
    ``source`` as soon as the last is answered, for ``seconds``."""
    context = ssl.create_default_context(cafile=str(ca))
    # Flask-WTF compares the Referer of an HTTPS post with the address it came to.
    referer = {"Referer": f"https://127.0.0.1:{port}/"}
    rate, lock = Rate(), threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                item = next(source, None)
            if item is None:
                raise RuntimeError("ran out of fresh (person, point) pairs")
            headers, body = item
            try:
                conn.request("POST", PATH, body=body, headers=headers | referer)
                answer = conn.getresponse()
                status, text = answer.status, answer.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # a new connection for the next one
                status, text = 0, repr(exc).encode()
            with lock:
                if status == 201:
                    rate.created += 1
                else:
                    rate.refused[f"{status} {text[:80]!r}"] += 1
        conn.close()

    began = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(client) for _ in range(threads)]:
            done.result()
    rate.seconds = time.monotonic() - began
    return rate


def part_checkins(
    site: Site,
    servers: list[subprocess.Popen[bytes]],
    ports: list[int],
    points: list[Point],
    phones: list[str],
    rounds: int,
    seconds: float,
) -> dict[str, Any]:
    """Check-ins through nginx in front of 1 and of 2 `wanjia serve` processes, in turns of
    ``seconds``; the rates and the CPU used, as % of one CPU."""
    one, two = free_port(), free_port()
    nginx = [site.nginx("nginx-1", one, ports[:1]), site.nginx("nginx-2", two, ports)]
    ca = site.instance / "tls" / "ca.pem"
    try:
        logins = log_in_all(f"https://127.0.0.1:{two}", ca, phones, THREADS)
        source = checkins(logins, points, seed=3)
        warm = load(one, ca, source, THREADS, 1.0)  # both processes' pools, TLS sessions
        warm.add(load(two, ca, source, THREADS, 1.0))
        rates = {one: Rate(), two: Rate()}
        workers = [worker_pid(s.pid) for s in servers]
        # CPU seconds of: worker 1, worker 2, this process (the load), the whole machine
        cpu = {one: [0.0] * 4, two: [0.0] * 4}
        watched = [[workers[0]], [workers[1]], [os.getpid()]]
        for i in range(rounds):
            for port in (one, two) if i % 2 == 0 else (two, one):
                began = [*map(cpu_seconds, watched), machine_busy_s()]
                rates[port].add(load(port, ca, source, THREADS, seconds))
                ended = [*map(cpu_seconds, watched), machine_busy_s()]
                cpu[port] = [c + e - b for c, b, e in zip(cpu[port], began, ended, strict=True)]
    finally:
        site.stop(*servers, *nginx)
    refused = warm.refused + rates[one].refused + rates[two].refused
    if refused:
        raise RuntimeError(f"check-ins answered other than 201: {dict(refused)}")
    created = warm.created + rates[one].created + rates[two].created
    valid = site.count("SELECT count(*) FROM checkins WHERE status = 'valid'")
    total = site.count("SELECT count(*) FROM checkins")
    if not valid == total == created:
        raise RuntimeError(f"{created} answered 201; stored: {valid} valid of {total}")
    busy = {p: [round(100 * c / rates[p].seconds) for c in cpu[p]] for p in (one, two)}
    for name, port in (("1 process ", one), ("2 processes", two)):
        w1, w2, loader, machine = busy[port]
        print(
            f"  {name}: {rates[port].per_s:6.1f}/s; % of a CPU: worker 1 {w1}, worker 2 {w2},"
            f" the load {loader}, the machine {machine} of {100 * (os.cpu_count() or 1)}"
        )
    return {
        "1proc": rates[one].per_s,
        "2proc": rates[two].per_s,
        "cpu_1proc": busy[one],
        "cpu_2proc": busy[two],
    }
