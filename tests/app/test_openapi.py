"""The OpenAPI description at /api/openapi.json is generated from the endpoints' models, and
schemathesis fuzzes every operation in it as a logged-in volunteer and as an officer: no answer is
a server error, and every answer matches the description (status, content type, body)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.roles import Role
from app.uow import unit_of_work
from checkins.models import PatrolPoint
from rewards.models import Gift
from tests.conftest import PASSWORD

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 15
META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture
def app_settings():
    return {"WTF_CSRF_ENABLED": True}  # the fuzzer passes the CSRF check as a page does


@pytest.fixture
def seeded(app, area):
    """Something for the ids to find: a point and a gift."""
    with app.app_context(), unit_of_work() as uow:
        uow.session.add(
            PatrolPoint(name="入口", lat=33.38, lon=120.16, grid_id=area["grid_ids"][0])
        )
        uow.session.add(
            Gift(
                police_area_id=area["police_area_id"],
                name="保温杯",
                price=10,
                stock=3,
                pickup_place="警务室",
            )
        )
        uow.commit()


def _login(app, make_user, role: Role) -> dict[str, dict[str, str]]:
    """A login: the session cookie and the page's CSRF token, as a phone sends them."""
    client, user = app.test_client(), make_user(role)
    token = META.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post(
        "/login",
        json={"phone": user.phone, "password": PASSWORD},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200, answer.get_json()
    home = client.get("/", follow_redirects=True)  # an officer's home is /officer
    token = META.search(home.get_data(as_text=True)).group(1)  # the login's own
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    return {"headers": headers, "cookies": {"session": cookie}}


def test_the_description_names_every_json_endpoint_with_its_models(client):
    description = client.get("/api/openapi.json").get_json()
    assert description["openapi"].startswith("3.1")
    check_in = description["paths"]["/api/checkins"]["post"]
    body = check_in["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/CheckInBody") and {"201", "422", "400"} <= set(check_in["responses"])
    order = description["paths"]["/api/gifts/{gift_id}"]["patch"]["parameters"][0]
    assert order["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert "/api/openapi.json" not in description["paths"]


def _fuzz(app, login: dict[str, dict[str, str]]) -> Counter[int]:
    """Every operation in the description, ``MAX_EXAMPLES`` generated calls each; the first
    call answered against the description fails the test with the call to reproduce it.
    Returns how often each status was answered."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            statuses[case.call_and_validate(**login, checks=CHECKS).status_code] += 1

        call()
    return statuses


def test_every_generated_call_as_a_volunteer_is_answered_as_described(app, make_user, seeded):
    statuses = _fuzz(app, _login(app, make_user, Role.VOLUNTEER))
    assert statuses[403] and statuses[422]  # officers' operations refused, bad fields named
    assert sum(n for status, n in statuses.items() if status < 300)  # and some went through


def test_every_generated_call_as_an_officer_is_answered_as_described(app, make_user, seeded):
    statuses = _fuzz(app, _login(app, make_user, Role.OFFICER))
    assert statuses[422] and sum(n for status, n in statuses.items() if status < 300)
