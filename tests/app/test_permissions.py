"""The role x endpoint matrix, generated from the permission table and the URL map."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.config import TestConfig
from app.permissions import all_permissions
from app.roles import ALL_ROLES, Role


def _protected_endpoints():
    """Every (rule, method, permission) whose view is guarded by ``@requires``."""
    app = create_app(
        {k: v for k, v in vars(TestConfig).items() if k.isupper()} | {"DATABASE_URL": "sqlite://"}
    )
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        permission = getattr(view, "permission", None)
        if permission is None:
            continue
        path = re.sub(r"<(?:int|id):\w+>", "1", rule.rule)
        path = re.sub(r"<\w+>", "png", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((path, method, permission))
    return found


ENDPOINTS = _protected_endpoints()


def test_every_guarded_endpoint_names_a_known_permission():
    assert ENDPOINTS, "no guarded endpoints found"
    known = all_permissions()
    assert all(permission in known for _path, _method, permission in ENDPOINTS)


@pytest.mark.parametrize(("path", "method", "permission"), ENDPOINTS)
def test_anonymous_api_callers_are_told_to_log_in(client, path, method, permission):
    response = client.open(
        path,
        method=method,
        json={} if method == "POST" else None,
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "login_required"


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
@pytest.mark.parametrize(("path", "method", "permission"), ENDPOINTS)
def test_each_role_reaches_exactly_what_its_permissions_allow(
    logged_in, client, role, path, method, permission
):
    logged_in(Role(role))
    response = client.open(
        path,
        method=method,
        json={} if method == "POST" else None,
        headers={"Accept": "application/json", "Accept-Language": "en"},
    )
    if Role(role) in all_permissions()[permission]:
        assert response.status_code not in (401, 403), response.get_json()
    else:
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "forbidden_role"


def test_a_volunteer_opening_an_officer_page_sees_a_translated_refusal(logged_in, client):
    logged_in(Role.VOLUNTEER)
    response = client.get("/officer/people", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 403
    assert "您的身份不能进行此操作。" in response.get_data(as_text=True)
