"""Triage on the console: questions answered with one tap, decisions, what they pay,
duplicates, muting, and the walls between police areas."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from app.extensions import db
from app.roles import Role
from realtime.models import Incident
from rewards.ledger import balance
from tests.conftest import STAFF_PASSWORD
from tests.sightings.conftest import HERE, report_body

pytestmark = pytest.mark.both_databases


NORTH_100M = HERE[0] + 100 / 111_000
NORTH_400M = HERE[0] + 400 / 111_000


def send(who: Any, n: int = 1, **overrides: Any) -> dict[str, Any]:
    body = report_body(client_id=f"report-{who.id:03d}-{n:04d}", **overrides)
    answer = who.http.post("/api/sightings", json=body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def decide(officer: Any, sighting_id: int, **body: Any) -> Any:
    return officer.http.post(f"/api/console/sightings/{sighting_id}/decide", json=body)


def points_of(app: Flask, user_id: int) -> int:
    with app.app_context():
        return balance(db.session(), user_id)


def test_an_officers_question_reaches_the_phone_and_one_tap_answers_it(volunteer, officer):
    sighting = send(volunteer)
    volunteer.events("sighting")
    asked = officer.http.post(
        f"/api/console/sightings/{sighting['id']}/questions",
        json={"text": "他还在现场吗？", "choices": ["在", "走了", "不确定"]},
    )
    assert asked.status_code == 200, asked.get_json()
    [on_phone] = volunteer.events("sighting")
    [question] = on_phone["questions"]
    assert (question["text"], question["choices"]) == ("他还在现场吗？", ["在", "走了", "不确定"])
    officer.events("sighting")
    answered = volunteer.http.post(
        f"/api/sightings/{sighting['id']}/questions/{question['id']}/answer",
        json={"answer": "走了"},
    )
    assert answered.status_code == 200
    [on_console] = officer.events("sighting")
    assert on_console["questions"][0]["answer"] == "走了"
    again = volunteer.http.post(
        f"/api/sightings/{sighting['id']}/questions/{question['id']}/answer", json={"answer": "在"}
    )
    assert again.status_code == 409


def test_confirming_pays_the_reporter_once_and_tells_the_phone(volunteer, officer, app):
    sighting = send(volunteer)
    volunteer.events("sighting")
    assert decide(officer, sighting["id"], action="confirm").status_code == 200
    assert points_of(app, volunteer.id) == 20
    [told] = volunteer.events("sighting")
    assert (told["status"], told["points"]) == ("confirmed", 20)
    assert decide(officer, sighting["id"], action="confirm").status_code == 409
    assert points_of(app, volunteer.id) == 20


def test_officers_set_what_a_category_pays(volunteer, officer, app, someone, area):
    answer = officer.http.put(
        "/api/console/sighting-rewards", json={"category": "fire_risk", "points": 50}
    )
    assert answer.status_code == 200
    paid = {r["category"]: r["points"] for r in answer.get_json()["rewards"]}
    assert (paid["fire_risk"], paid["suspicious_person"]) == (50, 20)
    sighting = send(volunteer, category="fire_risk")
    decide(officer, sighting["id"], action="confirm")
    assert points_of(app, volunteer.id) == 50
    dispatcher = someone(Role.DISPATCHER, area["community_id"])
    refused = dispatcher.http.put(
        "/api/console/sighting-rewards", json={"category": "fire_risk", "points": 1}
    )
    assert refused.status_code == 403
    too_many = officer.http.put(
        "/api/console/sighting-rewards", json={"category": "fire_risk", "points": 10**6}
    )
    assert too_many.status_code == 422


def test_dismissing_needs_a_reason_and_pays_nothing(volunteer, officer, app):
    sighting = send(volunteer)
    refused = decide(officer, sighting["id"], action="dismiss")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "reason"
    done = decide(officer, sighting["id"], action="dismiss", reason="是快递员在送货")
    assert done.get_json()["status"] == "dismissed"
    assert done.get_json()["reason"] == "是快递员在送货"
    assert points_of(app, volunteer.id) == 0


def test_duplicates_are_suggested_nearest_first_linked_and_seconded(
    volunteer, officer, someone, area, app
):
    first = send(volunteer)
    second_person = someone(Role.VOLUNTEER, area["community_id"])
    near = send(second_person, 1, lat=NORTH_100M)
    send(second_person, 2, lat=NORTH_400M)  # too far
    send(second_person, 3, category="fire_risk")  # another category
    found = officer.http.get(f"/api/console/sightings/{near['id']}/duplicates").get_json()
    assert [c["id"] for c in found["candidates"]] == [first["id"]]
    assert 90 < found["candidates"][0]["distance_m"] < 110
    linked = decide(officer, near["id"], action="duplicate", duplicate_of=first["id"])
    assert linked.status_code == 200
    assert (linked.get_json()["status"], linked.get_json()["duplicate_of"]) == (
        "duplicate",
        first["id"],
    )
    assert points_of(app, second_person.id) == 0  # the first is not confirmed yet
    decide(officer, first["id"], action="confirm")
    assert points_of(app, volunteer.id) == 20
    assert points_of(app, second_person.id) == 10
    told = second_person.events("sighting")
    assert told[-1]["status"] == "duplicate"
    assert told[-1]["points"] == 10


def test_a_duplicate_must_name_another_report_of_the_same_area(volunteer, officer):
    sighting = send(volunteer)
    assert decide(officer, sighting["id"], action="duplicate").status_code == 422
    itself = decide(officer, sighting["id"], action="duplicate", duplicate_of=sighting["id"])
    assert itself.status_code == 422
    past = decide(officer, sighting["id"], action="duplicate", duplicate_of=2**31)
    assert past.status_code == 422


def test_escalating_raises_a_prefilled_incident_on_the_console(volunteer, officer, app):
    sighting = send(volunteer, appearance={"clothing": "灰色连帽衫", "height": "一米八"})
    officer.events("incident")
    answer = decide(officer, sighting["id"], action="escalate", priority=1)
    assert answer.status_code == 200
    incident_id = answer.get_json()["incident_id"]
    [incident] = officer.events("incident")
    assert incident["id"] == incident_id
    assert incident["priority"] == 1
    assert "有人在逐个拉停着的电动车车门" in incident["description"]
    with app.app_context():
        row = db.session.get(Incident, incident_id)
        assert row.sighting_id == sighting["id"]
        assert (row.lat, row.lon) == (sighting["lat"], sighting["lon"])


def test_a_muted_reporter_leaves_the_queue_earlier_reports_too(volunteer, officer):
    send(volunteer, 1)
    muted = officer.http.post(f"/api/console/reporters/{volunteer.id}/mute", json={"muted": True})
    assert muted.status_code == 200
    officer.events("sighting")
    send(volunteer, 2)
    assert officer.events("sighting") == []
    assert officer.http.get("/api/console/sightings").get_json()["sightings"] == []
    officer.http.post(f"/api/console/reporters/{volunteer.id}/mute", json={"muted": False})
    assert len(officer.http.get("/api/console/sightings").get_json()["sightings"]) == 2


def test_another_areas_officer_sees_and_decides_nothing(volunteer, officer, outsider, app):
    sighting = send(volunteer)
    other = app.test_client()
    other.post("/login", json={"phone": outsider.phone, "password": STAFF_PASSWORD})
    assert other.get("/api/console/sightings").get_json()["sightings"] == []
    sid = sighting["id"]
    assert other.get(f"/api/console/sightings/{sid}/duplicates").status_code == 404
    assert (
        other.post(f"/api/console/sightings/{sid}/decide", json={"action": "confirm"}).status_code
        == 404
    )
    asked = other.post(f"/api/console/sightings/{sid}/questions", json={"text": "?"})
    assert asked.status_code == 404
    muted = other.post(f"/api/console/reporters/{volunteer.id}/mute", json={"muted": True})
    assert muted.status_code == 404
    assert decide(officer, sid, action="confirm").status_code == 200


def test_field_roles_cannot_triage(volunteer):
    sighting = send(volunteer)
    assert volunteer.http.get("/api/console/sightings").status_code == 403
    assert decide(volunteer, sighting["id"], action="confirm").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/console/sightings/2147483648/duplicates",
        "/api/console/sightings/0/duplicates",
        "/api/console/sightings/99999/duplicates",
    ],
)
def test_ids_out_of_range_or_unknown_are_404(officer, path):
    assert officer.http.get(path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "approve"}, "action"),
        ({"action": "dismiss", "reason": "x" * 301}, "reason"),
        ({"action": "escalate", "priority": 9}, "priority"),
        ({"action": "duplicate", "duplicate_of": "first"}, "duplicate_of"),
    ],
)
def test_malformed_decisions_name_the_field(volunteer, officer, body, field):
    sighting = send(volunteer)
    answer = decide(officer, sighting["id"], **body)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == field


def test_questions_are_short_with_few_choices(volunteer, officer):
    sighting = send(volunteer)
    url = f"/api/console/sightings/{sighting['id']}/questions"
    assert officer.http.post(url, json={"text": ""}).status_code == 422
    five = officer.http.post(url, json={"text": "?", "choices": ["1", "2", "3", "4", "5"]})
    assert five.get_json()["error"]["field"] == "choices"
