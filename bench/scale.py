"""The scaled mode on this 2-core machine: 10,000 phones on one `wanjia serve` process, offers
across processes through Redis, and check-ins per second through nginx with 1 and 2 processes.

Everything runs on a PostgreSQL database of the run's own (dropped after), a redis-server of its
own (so no other run's events reach its phones), free ports and a temporary instance folder.

1. Sockets. N phones (10,000; --quick 500), each a real person (volunteer or guard), connect to ONE
   `wanjia serve` process (gunicorn, one gevent worker) by websocket: python-socketio's asyncio
   client, spread over a few client processes (bench/scale_parts/socket_clients.py). Logging in is
   setup, not measured: each person gets a login-session row and the session cookie the app's own
   session interface signs for it (what the login form would set), as bench/dispatch.py does; the
   login form itself runs in part 3. 50 of them go on duty and share a position by their sockets; a
   dispatcher's console on the same process then raises an incident, sends it to those 50
   (`send_offers` with their ids) and closes it, once per incident. Delivery time is from the
   console's send to each phone's receipt, both on CLOCK_MONOTONIC (one clock for all processes on
   Linux); beside them, when the first of each 50 arrived (what the handler took before it
   published) and when `send_offers` answered the console (all its publishing). Memory per phone:
   the worker's RSS after the phones connected minus its RSS before (after the console and a first
   wave of phones, so imports and pools are counted once), over the phones connected in between.
2. Across processes: emit on A, receive on B through Redis, beside the same process. A second
   `wanjia serve` process B on the same database and Redis holds 50 more phones; with A's N
   phones still connected, the console on A alternates an offer (a real `send_offers`) to ONE
   phone on B (through Redis' message queue) and to ONE of A's (delivered in A, no Redis), a
   different phone each time, 100 of each (--quick 30): `cross_*` and `same_*`. Both include
   the handler (one insert, commit, two publishes), the same on either side, so cross minus
   same is the Redis hop; `one_phone_ack_p50_ms` is the handler's answer. Kept, as extra
   lines and keys: the same alternation with all 50 of B's and 50 of A's (`cross50_*`,
   `same50_*`), where the handler's 50 inserts and publishes dominate. Then the phone
   processes are killed: N sockets vanish at once, as in a mobile network's outage, and the
   time A takes to let them go (its /metrics back to 0 field sockets) is `let_go_s`. Phones
   whose connection drops meanwhile reconnect, as field.js does; `phones_dropped` counts them.
3. Check-ins per second through nginx (TLS, sticky cookie), bench/checkins.py's valid check-ins
   (its people and points; logins by the real login form through nginx with a fast password
   hash), alternating rounds on nginx in front of A alone and of A and B (both started with
   --proxies 1, as behind nginx; the phones of parts 1 and 2 are gone). Every answer must be
   201 and the database must hold that many valid check-ins. Beside the rates, the CPU the two
   workers, the load generator and the whole machine used meanwhile: on 2 CPUs shared with
   PostgreSQL, nginx and the load, a second process has little left to use.

Baseline, in the same run: the same offers and memory on `wanjia run` (the threaded embedded
server) with min(N, 2,000) phones; for check-ins, the single process.
Targets: offer p95 <= 100 ms at 10,000 sockets, <= 100 KB per socket, cross p95 <= 50 ms (one
phone on B). Exit status 1 only for a broken run. Last line JSON: `sockets`, `offer_p50_ms`,
`offer_p95_ms`, `kb_per_socket`, `cross_p50_ms`, `cross_p95_ms`, `same_p50_ms`, `same_p95_ms`,
`cross50_p50_ms`, `cross50_p95_ms`, `same50_p50_ms`, `same50_p95_ms`,
`checkins_per_s_1proc`, `checkins_per_s_2proc`, `baseline_*`, `offer_first_p50_ms` (the
first of each 50), `offer_ack_*`, `checkins_cpu_pct_*`, `meets_target` and more.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.checkins import VISITS_PER_PERSON  # noqa: E402
from bench.scale_parts.checkin_load import part_checkins  # noqa: E402
from bench.scale_parts.scaled_site import Site, worker_rss_kb  # noqa: E402
from bench.scale_parts.socket_clients import (  # noqa: E402
    WAVE,
    Console,
    Login,
    PhoneProcess,
    connect_all,
    count,
    on_duty,
    pick,
    spread,
)
from tests.servers import free_port  # noqa: E402

OFFER_TO = 50
TARGET_OFFER_P95_MS, TARGET_KB, TARGET_CROSS_P95_MS = 100.0, 100.0, 50.0
PHONES_PER_PROCESS = 2500  # file descriptors: 20,000 per process here
CHECKIN_CEILING_PER_S = 600  # about twice the fastest seen through nginx on this machine
BASELINE_MAX = 2000  # `wanjia run` holds a thread per socket (bench/dispatch.py: 2,000)


def sockets_on(
    server: Any, base: str, phones: list[Login], procs: list[PhoneProcess]
) -> dict[str, float]:
    """Connect ``phones`` to ``server`` (its console is on): memory per phone, connect time."""
    connect_all(procs, base, phones[:WAVE])
    time.sleep(1)
    before = worker_rss_kb(server.pid)
    connected, seconds = connect_all(procs, base, phones[WAVE:])
    deadline = time.monotonic() + 60  # phones that lost their connection come back
    while connected < len(phones) and time.monotonic() < deadline:
        time.sleep(1)
        connected = count(procs)[0]
    if connected != len(phones):
        raise RuntimeError(f"{connected} of {len(phones)} phones connected")
    time.sleep(2)  # let the last handshakes settle
    after = worker_rss_kb(server.pid)
    added = len(phones) - WAVE
    kb = round((after - before) / added, 1)
    drops = count(procs)[1]
    print(
        f"  {len(phones)} phones connected in {seconds:.1f} s ({drops} lost and reconnected);"
        f" worker RSS {before / 1024:.0f} -> {after / 1024:.0f} MB: {kb} KB per socket"
    )
    return {
        "kb_per_socket": kb,
        "connect_s": round(seconds, 1),
        "connect_drops": drops,
        "rss_before_mb": round(before / 1024),
        "rss_after_mb": round(after / 1024),
    }


def phone_processes(phones: int) -> list[PhoneProcess]:
    return [PhoneProcess() for _ in range(max(2, math.ceil(phones / PHONES_PER_PROCESS)))]


def stop_all(console: Console | None, procs: list[PhoneProcess], *servers: Any, site: Site) -> None:
    if console is not None:
        console.close()
    for proc in procs:
        proc.kill()
    site.stop(*servers)


def part_sockets(
    site: Site,
    args: argparse.Namespace,
    servers: list[Any],
    ports: list[int],
    logins: list[Login],
    dispatcher: Login,
) -> dict[str, Any]:
    """Parts 1 and 2: N phones on A, 50 on B; offers on A, then across to B and on A."""
    a, (port_a, port_b) = servers[0], ports
    base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    bulk, on_b = logins[: args.phones], logins[args.phones :]
    procs, console = phone_processes(args.phones), None
    try:
        print(f"wanjia serve A: {args.phones} phones over {len(procs)} client processes")
        console = Console(base_a, dispatcher.cookie)
        memory = sockets_on(a, base_a, bulk, procs)
        connect_all(procs, base_b, on_b)
        targets_a, targets_b = pick(bulk, OFFER_TO), [x.user_id for x in on_b]
        on_duty(procs, targets_a + targets_b, seed=1)
        offer: list[float] = []
        first: list[float] = []  # the first of each 50: what the handler took before publishing
        for _ in range(args.incidents):
            offer += (got := console.offer_round(procs, targets_a))
            first.append(min(got))
        ack = spread(console.acks_ms)
        across = part_cross(console, procs, targets_a, targets_b, args)
        memory["drops"] = count(procs)[1]
    finally:
        stop_all(console, procs, site=site)
    began, deadline = time.monotonic(), time.monotonic() + 180
    while site.sockets(port_a) != 0:  # before part 3 measures A
        if time.monotonic() > deadline:
            raise RuntimeError("A still holds the killed phones' sockets after 180 s")
        time.sleep(0.5)
    memory["let_go_s"] = round(time.monotonic() - began, 1)
    print(f"  A let go of the killed phones' sockets in {memory['let_go_s']} s")
    return memory | across | {"offer": spread(offer), "ack": ack, "first": spread(first)}


def part_cross(
    console: Console,
    procs: list[PhoneProcess],
    targets_a: list[int],
    targets_b: list[int],
    args: argparse.Namespace,
) -> dict[str, dict[str, float]]:
    """Part 2: offers from A to B's phones and to A's, alternating; 50 at once, then one (and
    how long send_offers took to answer for one)."""
    times: dict[str, list[float]] = {"cross50": [], "same50": [], "cross": [], "same": []}
    for _ in range(args.incidents):
        times["cross50"] += console.offer_round(procs, targets_b)
        times["same50"] += console.offer_round(procs, targets_a)
    answered = len(console.acks_ms)
    for i in range(args.samples):
        times["cross"] += console.offer_round(procs, [targets_b[i % len(targets_b)]])
        times["same"] += console.offer_round(procs, [targets_a[i % len(targets_a)]])
    times["ack1"] = console.acks_ms[answered:]  # send_offers' answer with one phone
    return {name: spread(ms) for name, ms in times.items()}


def part_baseline(
    site: Site,
    args: argparse.Namespace,
    logins: list[Login],
    dispatcher: Login,
) -> dict[str, Any]:
    """The same offers and memory on `wanjia run` with fewer phones."""
    port = free_port()
    server = site.run(port)
    base = f"http://127.0.0.1:{port}"
    phones = logins[: args.baseline]
    procs, console = phone_processes(len(phones)), None
    try:
        print(f"wanjia run (baseline): {len(phones)} phones")
        console = Console(base, dispatcher.cookie)
        memory = sockets_on(server, base, phones, procs)
        targets = pick(phones, OFFER_TO)
        on_duty(procs, targets, seed=2)
        offer: list[float] = []
        for _ in range(args.incidents):
            offer += console.offer_round(procs, targets)
    finally:
        stop_all(console, procs, server, site=site)
    return memory | {"offer": spread(offer), "sockets": len(phones)}


def report(
    sockets: dict[str, Any], base: dict[str, Any], rate: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    offer, cross, same = sockets["offer"], sockets["cross"], sockets["same"]
    met = {
        f"offer p95 <= {TARGET_OFFER_P95_MS:g} ms": offer["p95_ms"] <= TARGET_OFFER_P95_MS,
        f"<= {TARGET_KB:g} KB per socket": sockets["kb_per_socket"] <= TARGET_KB,
        f"cross p95 <= {TARGET_CROSS_P95_MS:g} ms": cross["p95_ms"] <= TARGET_CROSS_P95_MS,
    }
    rows = [
        (f"offer to {OFFER_TO}, serve ({args.phones})", offer, sockets["kb_per_socket"]),
        (
            f"offer to {OFFER_TO}, run ({base['sockets']}) baseline",
            base["offer"],
            base["kb_per_socket"],
        ),
        ("one phone across processes (on B)", cross, None),
        ("one phone in the same process (on A)", same, None),
        (f"{OFFER_TO} across processes (B's)", sockets["cross50"], None),
        (f"{OFFER_TO} in the same process (A's)", sockets["same50"], None),
    ]
    for name, f, kb in rows:
        memory = f"  {kb:6.1f} KB/socket" if kb is not None else ""
        print(
            f"{name:<38} p50 {f['p50_ms']:6.1f} ms  p95 {f['p95_ms']:6.1f} ms"
            f"  ({f['n']} deliveries){memory}"
        )
    ack, first = sockets["ack"], sockets["first"]
    print(
        f"of which: first of the 50 there at p50 {first['p50_ms']} ms; send_offers answered"
        f" the console (handler, commit, publishing) at p50 {ack['p50_ms']} ms"
    )
    hop = round(cross["p50_ms"] - same["p50_ms"], 1)
    print(
        f"the Redis hop, one phone on B against one on A: {hop} ms at p50; send_offers to one"
        f" answered the console at p50 {sockets['ack1']['p50_ms']} ms"
    )
    print(
        f"check-ins through nginx: 1 process {rate['1proc']:.1f}/s, "
        f"2 processes {rate['2proc']:.1f}/s (baseline: 1 process)"
    )
    print(
        "targets (for 10,000 sockets): "
        + "; ".join(f"{k}: {'met' if v else 'NOT met'}" for k, v in met.items())
    )
    print(f"1-min load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return {
        "sockets": args.phones,
        "offer_p50_ms": offer["p50_ms"],
        "offer_p95_ms": offer["p95_ms"],
        "kb_per_socket": sockets["kb_per_socket"],
        "cross_p50_ms": cross["p50_ms"],
        "cross_p95_ms": cross["p95_ms"],
        "same_p50_ms": same["p50_ms"],
        "same_p95_ms": same["p95_ms"],
        "cross50_p50_ms": sockets["cross50"]["p50_ms"],
        "cross50_p95_ms": sockets["cross50"]["p95_ms"],
        "same50_p50_ms": sockets["same50"]["p50_ms"],
        "same50_p95_ms": sockets["same50"]["p95_ms"],
        "checkins_per_s_1proc": rate["1proc"],
        "checkins_per_s_2proc": rate["2proc"],
        "baseline_sockets": base["sockets"],
        "baseline_offer_p50_ms": base["offer"]["p50_ms"],
        "baseline_offer_p95_ms": base["offer"]["p95_ms"],
        "baseline_kb_per_socket": base["kb_per_socket"],
        "checkins_cpu_pct_1proc": rate["cpu_1proc"],
        "checkins_cpu_pct_2proc": rate["cpu_2proc"],
        "offer_first_p50_ms": sockets["first"]["p50_ms"],
        "offer_ack_p50_ms": sockets["ack"]["p50_ms"],
        "offer_ack_p95_ms": sockets["ack"]["p95_ms"],
        "one_phone_ack_p50_ms": sockets["ack1"]["p50_ms"],
        "connect_s": sockets["connect_s"],
        "phones_dropped": sockets["drops"],
        "let_go_s": sockets["let_go_s"],
        "baseline_connect_s": base["connect_s"],
        "incidents": args.incidents,
        "one_phone_samples": args.samples,
        "meets_target": all(met.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="500 phones, short rounds (CI)")
    parser.add_argument("--phones", type=int, help="on one serve process (10,000; quick 500)")
    args = parser.parse_args()
    args.phones = args.phones or (500 if args.quick else 10_000)
    args.baseline = min(args.phones, BASELINE_MAX)
    args.incidents = 8 if args.quick else 20
    args.samples = 30 if args.quick else 100  # one-phone offers each way (part 2)
    args.rounds, args.seconds = (4, 1.25) if args.quick else (8, 3.0)
    # Enough fresh (person, point) pairs for CHECKIN_CEILING_PER_S over every round and the
    # warm-up (each person checks in VISITS_PER_PERSON times): a faster machine ran out.
    budget_s = 2 * 1.0 + 2 * args.rounds * args.seconds
    args.checkin_people = math.ceil(CHECKIN_CEILING_PER_S * budget_s / VISITS_PER_PERSON)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    site = Site(tmp)
    began = time.monotonic()
    try:
        from bench.checkins import seed

        def seed_all() -> tuple:
            points, phones = seed(site.instance, args.checkin_people)  # migrates too
            return points, phones, *site.seed_phones(args.phones + OFFER_TO)

        points, phones, logins, dispatcher = site.create(seed_all)
        # A and B, as behind nginx (part 3); the phones of parts 1 and 2 come straight.
        ports = [free_port(), free_port()]
        servers = site.serve(*ports, proxies=1)
        print(f"seeded and started in {time.monotonic() - began:.0f} s")
        sockets = part_sockets(site, args, servers, ports, logins, dispatcher)
        print(f"sockets done at {time.monotonic() - began:.0f} s")
        rate = part_checkins(site, servers, ports, points, phones, args.rounds, args.seconds)
        print(f"check-ins done at {time.monotonic() - began:.0f} s")
        base = part_baseline(site, args, logins, dispatcher)
        result = report(sockets, base, rate, args)
    except Exception as exc:  # noqa: BLE001 - the JSON line still ends the output
        print(f"BROKEN RUN: {exc}", file=sys.stderr)
        print(json.dumps({"sockets": args.phones, "offer_p95_ms": None, "error": str(exc)[:500]}))
        return 1
    finally:
        site.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    result["seconds"] = round(time.monotonic() - began, 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
