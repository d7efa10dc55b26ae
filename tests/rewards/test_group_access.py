"""Field people read the leaderboards and team pages of their own groups only; another group
answers exactly as one that does not exist. The police room reads every group of its own
police areas (admins: of every area); another area's group answers as a missing one."""

from __future__ import annotations

import pytest

from app.roles import FIELD_ROLES, POLICE_ROLES, Role
from app.uow import unit_of_work
from rewards import ledger, reasons
from tests.conftest import PASSWORD
from volunteers import services
from volunteers.models import Community, Grid, PoliceArea, Team

JSON = {"Accept": "application/json", "Accept-Language": "en"}
NO_SUCH_GROUP = 2_000_000_000  # an id no group has


@pytest.fixture
def elsewhere(app, area):
    """A second police area, community, grid and team, with one person in them who earned 40
    points; returns each scope's other group and that person's name."""
    with app.app_context(), unit_of_work() as uow:
        police_area = PoliceArea(
            station_id=area["station_id"], name="另一警务区", center_lat=33.40, center_lon=120.18
        )
        community = Community(police_area=police_area, name="另一社区")
        grid = Grid(community=community, code="G09", name="第九网格")
        uow.session.add_all([police_area, community, grid])
        uow.session.flush()
        team = Team(community_id=community.id, name="巡防九队")
        uow.session.add(team)
        uow.session.flush()
        stranger = services.create_user(
            uow,
            name="别处的人",
            phone="13599990000",
            password=PASSWORD,
            role=Role.VOLUNTEER,
            placement=services.Placement(community.id, grid.id, team.id),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        ledger.award(
            uow,
            user_id=stranger.id,
            delta=40,
            reason=reasons.CHECKIN,
            source_type="test",
            source_id="elsewhere",
        )
        uow.commit()
        groups = {
            "grid": grid.id,
            "team": team.id,
            "community": community.id,
            "area": police_area.id,
        }
    return {"groups": groups, "name": stranger.name}


def _board(client, scope, group_id=None):
    query = f"/leaderboards?scope={scope}&period=all"
    if group_id is not None:
        query += f"&id={group_id}"
    return client.get(query, headers=JSON)


@pytest.mark.both_databases
@pytest.mark.parametrize("scope", ["grid", "team", "community", "area"])
@pytest.mark.parametrize("role", sorted(FIELD_ROLES))
def test_a_field_role_cannot_read_another_groups_leaderboard(
    client, logged_in, elsewhere, scope, role
):
    """The hole: ``?scope=..&id=..`` showed any group's names and points to any volunteer."""
    logged_in(Role(role))
    other = _board(client, scope, elsewhere["groups"][scope])
    missing = _board(client, scope, NO_SUCH_GROUP)
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()  # a group's existence is not revealed
    assert other.get_json()["error"]["code"] == "group_unknown"
    assert elsewhere["name"] not in other.get_data(as_text=True)


@pytest.mark.parametrize("scope", ["grid", "team", "community", "area"])
def test_a_field_role_reads_its_own_groups_named_or_not(client, logged_in, area, scope):
    me = logged_in(Role.GUARD)
    own = _board(client, scope)
    assert own.status_code == 200, own.get_json()
    assert own.get_json()["me"] is None or own.get_json()["me"]["user_id"] == me.id
    mine = {"grid": area["grid_ids"][0], "team": area["team_id"], "community": area["community_id"]}
    if scope in mine:
        named = _board(client, scope, mine[scope])
        assert named.status_code == 200 and named.get_json() == own.get_json()


def test_the_next_grid_of_the_same_community_is_another_group(client, logged_in, area):
    logged_in(Role.VOLUNTEER)
    assert _board(client, "grid", area["grid_ids"][1]).status_code == 404


@pytest.mark.both_databases
@pytest.mark.parametrize("scope", ["grid", "team", "community", "area"])
@pytest.mark.parametrize("role", sorted(POLICE_ROLES))
def test_the_police_room_reads_another_areas_groups_only_as_admins(
    client, logged_in, elsewhere, scope, role
):
    logged_in(Role(role))
    board = _board(client, scope, elsewhere["groups"][scope])
    if Role(role) == Role.ADMIN:
        assert board.status_code == 200, board.get_json()
        assert [s["name"] for s in board.get_json()["top"]] == [elsewhere["name"]]
    else:
        missing = _board(client, scope, NO_SUCH_GROUP)
        assert board.status_code == missing.status_code == 404
        assert board.get_json() == missing.get_json()


@pytest.mark.both_databases
@pytest.mark.parametrize("role", sorted(FIELD_ROLES))
def test_a_field_role_cannot_open_another_teams_page(client, logged_in, elsewhere, area, role):
    """The hole: ``/teams/<id>`` showed any team's members and points."""
    logged_in(Role(role))
    other = client.get(f"/teams/{elsewhere['groups']['team']}", headers=JSON)
    missing = client.get(f"/teams/{NO_SUCH_GROUP}", headers=JSON)
    assert other.status_code == missing.status_code == 404
    assert other.get_json() == missing.get_json()
    page = client.get(f"/teams/{elsewhere['groups']['team']}").get_data(as_text=True)
    assert elsewhere["name"] not in page
    assert client.get(f"/teams/{area['team_id']}").status_code == 200


@pytest.mark.both_databases
@pytest.mark.parametrize("role", sorted(POLICE_ROLES))
def test_the_police_room_opens_another_areas_team_page_only_as_admins(
    client, logged_in, elsewhere, role
):
    logged_in(Role(role))
    page = client.get(f"/teams/{elsewhere['groups']['team']}")
    if Role(role) == Role.ADMIN:
        assert page.status_code == 200
        assert elsewhere["name"] in page.get_data(as_text=True)
    else:
        assert page.status_code == 404
        assert elsewhere["name"] not in page.get_data(as_text=True)
