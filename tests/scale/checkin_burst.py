"""Phones checking in, one after another, across a fault: each check-in is sent through nginx
until it gets an answer, resent with the same client id as the phone's queue does (a refused
connection, or nginx's 502 while no process takes it), so the test can ask the database whether
anything answered was lost or anything resent was counted twice."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import requests

from checkins import tokens
from tests.checkins.conftest import offset
from tests.scale.deployment import Deployment


class CheckinBurst:
    def __init__(self, site: Deployment, phones: list[str], port: int, per_person: int) -> None:
        self.site = site
        self.sessions = [site.login(phone, port) for phone in phones]
        key = tokens.signing_key(site.env["WANJIA_SECRET_KEY"])
        rows = site.query(
            "SELECT id, poster_version, lat, lon FROM patrol_points"
            " WHERE retired_at IS NULL ORDER BY id LIMIT %s",
            per_person,
        )
        self.points = [(tokens.sign(key, pid, ver), lat, lon) for pid, ver, lat, lon in rows]
        self.answers: dict[str, int] = {}  # client id: the status that finally answered it
        self.resent = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def finish(self, seconds: float = 120) -> None:
        self._thread.join(seconds)
        assert not self._thread.is_alive(), "the check-ins were still being sent"

    def _run(self) -> None:
        for token, lat, lon in self.points:
            for http in self.sessions:
                self._send(http, token, *offset(lat, lon, 5))

    def _send(self, http: requests.Session, token: str, lat: float, lon: float) -> None:
        body: dict[str, Any] = {
            "token": token,
            "lat": round(lat, 7),
            "lon": round(lon, 7),
            "accuracy": 10,
            "device_time": datetime.now(UTC).isoformat(),
            "client_id": uuid.uuid4().hex,
        }
        while True:
            try:
                answer = http.post(f"{self.site.base}/api/checkins", json=body, timeout=15)
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code < 500:
                self.answers[body["client_id"]] = answer.status_code
                return
            self.resent += 1  # kept on the phone and sent again, as checkin.js does

    def stored(self) -> dict[str, tuple[int, str, int]]:
        """Each sent client id's rows: how many, the status, ledger entries paying it."""
        rows = self.site.query(
            "SELECT c.client_id, count(DISTINCT c.id), max(c.status), count(l.id)"
            " FROM checkins c LEFT JOIN ledger_entries l"
            " ON l.source_type = 'checkin' AND l.source_id = c.id::text"
            " WHERE c.client_id = ANY(%s) GROUP BY c.client_id",
            list(self.answers),
        )
        return {client: (count, status, paid) for client, count, status, paid in rows}
