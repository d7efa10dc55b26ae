"""People are walled by police area: an officer of another area cannot disable this area's
people (404, as for someone who does not exist), place staff or issue invites in its
communities; nothing changes."""

from __future__ import annotations

import pytest

from app.errors import NotFound
from app.roles import Role
from app.uow import unit_of_work
from tests.conftest import log_in
from volunteers import services
from volunteers.models import Community, PoliceArea, User
from volunteers.person import Person

LONG = "a-long-pass-2026"


@pytest.fixture
def outsider(app, area):
    """An officer of a second area of the same station."""
    with app.app_context(), unit_of_work() as uow:
        police_area = PoliceArea(
            station_id=area["station_id"], name="城北警务区", center_lat=33.41, center_lon=120.16
        )
        community = Community(police_area=police_area, name="北湖社区")
        uow.session.add_all([police_area, community])
        uow.session.flush()
        officer = services.create_user(
            uow,
            name="王警官",
            phone="13900000101",
            password=LONG,
            role=Role.OFFICER,
            placement=services.Placement(community.id),
            hash_method=app.config["PASSWORD_HASH_METHOD"],
        )
        uow.commit()
    return officer


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_disable_this_areas_people(
    app, client, make_user, outsider
):
    volunteer = make_user(Role.VOLUNTEER)
    log_in(client, outsider, password=LONG)
    response = client.post(f"/officer/people/{volunteer.id}/active", json={"active": False})
    assert response.status_code == 404
    with app.app_context(), unit_of_work(write=False) as uow:
        assert uow.session.get(User, volunteer.id).active is True


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_place_people_or_invites_here(app, area, outsider):
    actor = Person.of(outsider)
    with app.app_context(), unit_of_work() as uow:
        with pytest.raises(NotFound):
            services.create_staff(
                uow,
                actor,
                name="越区志愿者",
                phone="13512340000",
                password=LONG,
                role="volunteer",
                placement=services.Placement(area["community_id"]),
            )
        with pytest.raises(NotFound):
            services.issue_invite(uow, actor, community_id=area["community_id"])
    with app.app_context(), unit_of_work(write=False) as uow:
        assert uow.session.query(User).filter_by(phone="13512340000").count() == 0
