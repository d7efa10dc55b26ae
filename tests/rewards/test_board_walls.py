"""Leaderboards and team pages are walled by police area: the police room reads any group of
its own areas, and another area's grid, team, community or area answers as a missing group;
field people read only their own groups, as before."""

from __future__ import annotations

import pytest

from app.roles import Role
from tests.conftest import STAFF_PASSWORD, log_in

GROUPS = {
    "grid": lambda area: area["grid_ids"][0],
    "team": lambda area: area["team_id"],
    "community": lambda area: area["community_id"],
    "area": lambda area: area["police_area_id"],
}


@pytest.mark.both_databases
@pytest.mark.parametrize("scope", sorted(GROUPS))
def test_another_areas_officer_gets_not_found_for_this_areas_board(client, area, outsider, scope):
    log_in(client, outsider, password=STAFF_PASSWORD)
    response = client.get(
        f"/leaderboards?scope={scope}&id={GROUPS[scope](area)}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "group_unknown"


@pytest.mark.parametrize("scope", sorted(GROUPS))
def test_the_areas_own_officer_reads_any_of_its_boards(app, client, area, make_user, scope):
    log_in(client, make_user(Role.DISPATCHER))
    response = client.get(
        f"/leaderboards?scope={scope}&id={GROUPS[scope](area)}",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.get_json()["scope"] == scope


def test_a_board_of_a_group_that_does_not_exist_is_not_found(client, make_user):
    log_in(client, make_user(Role.OFFICER))
    response = client.get("/leaderboards?scope=team&id=999", headers={"Accept": "application/json"})
    assert response.status_code == 404


@pytest.mark.both_databases
def test_another_areas_officer_does_not_see_this_areas_team_page(
    app, client, area, outsider, make_user
):
    log_in(client, outsider, password=STAFF_PASSWORD)
    assert client.get(f"/teams/{area['team_id']}").status_code == 404
    own = app.test_client()
    log_in(own, make_user(Role.OFFICER))
    assert own.get(f"/teams/{area['team_id']}").status_code == 200
