"""Accepting and dismissing proposals over HTTP: one click makes exactly one temporary hotspot
patrol point whose poster prints; a second decision is 409; walls between areas, roles, bad
input and ids past range."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.roles import Role
from app.types import utcnow
from checkins.models import PatrolPoint
from hotspots import tasks
from hotspots.models import HotspotProposal
from tests.conftest import STAFF_PASSWORD, log_in


def _first(app) -> HotspotProposal:
    with app.app_context():
        return db.session.scalars(select(HotspotProposal).order_by(HotspotProposal.id)).first()


def _points(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PatrolPoint))


@pytest.mark.both_databases
def test_accept_makes_exactly_one_point_and_twice_is_409(
    app, backend, client, area, officer, analysed
) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    proposal = _first(app)
    before = _points(app)
    answer = client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json={})
    assert answer.status_code == 200, answer.get_json()
    shown = answer.get_json()["proposal"]
    assert shown["status"] == "accepted" and shown["status_label"] == "已采纳"
    assert _points(app) == before + 1
    with app.app_context():
        point = db.session.get_one(PatrolPoint, shown["point_id"])
        assert point.hotspot is True
        assert (point.lat, point.lon) == (proposal.lat, proposal.lon)
        assert point.active_until.astimezone(UTC).date() >= proposal.ends_on - timedelta(days=1)
        assert point.grid_id in area["grid_ids"]
    again = client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json={})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "proposal_decided"
    assert client.post(f"/api/hotspots/proposals/{proposal.id}/dismiss").status_code == 409
    assert _points(app) == before + 1
    poster = client.get(shown["poster_url"])
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"
    listed = client.get("/api/hotspots").get_json()
    assert any(p["id"] == proposal.id and p["point_id"] for p in listed["proposals"])


def test_accept_with_an_end_date(app, client, officer, analysed) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    proposal = _first(app)
    ends = (utcnow() + timedelta(days=10)).date().isoformat()
    answer = client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json={"ends_on": ends})
    assert answer.get_json()["proposal"]["ends_on"] == ends


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"ends_on": "2020-01-01"}, "ends_in_past"),
        ({"ends_on": "2099-01-01"}, "ends_too_late"),
        ({"ends_on": "next week"}, "invalid_input"),
        ([1, 2], "body_malformed"),
    ],
)
def test_bad_accepts_are_refused_and_make_nothing(app, client, officer, analysed, body, code):
    log_in(client, officer, STAFF_PASSWORD)
    proposal = _first(app)
    before = _points(app)
    answer = client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json=body)
    assert answer.status_code == 422 and answer.get_json()["error"]["code"] == code
    assert _points(app) == before
    assert _first(app).status == "proposed"


def test_a_body_that_is_not_json_is_refused(client, officer, analysed, app) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    answer = client.post(
        f"/api/hotspots/proposals/{_first(app).id}/accept",
        data="{", content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 422


def test_dismiss(app, client, officer, analysed) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    proposal = _first(app)
    before = _points(app)
    answer = client.post(f"/api/hotspots/proposals/{proposal.id}/dismiss")
    assert answer.status_code == 200
    assert answer.get_json()["proposal"]["status"] == "dismissed"
    assert _points(app) == before
    assert client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json={}).status_code == 409


def test_another_areas_officer_gets_404(app, client, outsider, analysed) -> None:
    log_in(client, outsider, STAFF_PASSWORD)
    proposal = _first(app)
    for action in ("accept", "dismiss"):
        answer = client.post(f"/api/hotspots/proposals/{proposal.id}/{action}", json={})
        assert answer.status_code == 404
    assert client.get("/api/hotspots").get_json() == {"run": None, "heat": [], "proposals": []}
    assert _first(app).status == "proposed"


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.GUARD, Role.GRID_WORKER, Role.RESIDENT])
def test_field_people_are_refused(app, client, make_user, analysed, role) -> None:
    log_in(client, make_user(role))
    proposal = _first(app)
    assert client.get("/officer/hotspots").status_code == 403
    assert client.get("/api/hotspots").status_code == 403
    assert client.post("/api/hotspots/run").status_code == 403
    for action in ("accept", "dismiss"):
        answer = client.post(f"/api/hotspots/proposals/{proposal.id}/{action}", json={})
        assert answer.status_code == 403


def test_a_dispatcher_sees_the_heat_but_does_not_decide(app, client, make_user, analysed):
    log_in(client, make_user(Role.DISPATCHER, password=STAFF_PASSWORD), STAFF_PASSWORD)
    latest = client.get("/api/hotspots").get_json()
    assert latest["heat"] and latest["run"]["chosen"] in ("kde", "gistar", "hdbscan")
    proposal = _first(app)
    assert client.post(f"/api/hotspots/proposals/{proposal.id}/accept", json={}).status_code == 403
    assert client.post("/api/hotspots/run").status_code == 403


def test_nobody_logged_in(client, analysed, app) -> None:
    assert client.get("/officer/hotspots").status_code == 302
    assert client.get("/api/hotspots", headers={"Accept": "application/json"}).status_code == 401


@pytest.mark.parametrize("bad", [0, 2**31, 10**20])
def test_ids_past_range_are_404(client, officer, bad) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    for action in ("accept", "dismiss"):
        assert client.post(f"/api/hotspots/proposals/{bad}/{action}", json={}).status_code == 404
    assert client.post(f"/api/hotspots/proposals/{2**31 - 1}/accept", json={}).status_code == 404


def test_run_now_queues_the_areas_analysis(client, officer, area, monkeypatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr(tasks.run_area, "delay", queued.append)
    log_in(client, officer, STAFF_PASSWORD)
    answer = client.post("/api/hotspots/run")
    assert answer.status_code == 202 and answer.get_json() == {"queued": True}
    assert queued == [area["police_area_id"]]


def test_the_page_shows_the_map_and_the_proposals_list(client, officer, analysed) -> None:
    log_in(client, officer, STAFF_PASSWORD)
    page = client.get("/officer/hotspots")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "热点" in text and 'id="hotspot-map"' in text and "立即分析" in text
