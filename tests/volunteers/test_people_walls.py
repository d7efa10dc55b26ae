"""People are walled by police area: an officer of another area cannot disable this area's
people (404, as for someone who does not exist), place staff or issue invites in its
communities; nothing changes."""

from __future__ import annotations

import pytest

from app.errors import NotFound
from app.roles import Role
from app.uow import unit_of_work
from tests.conftest import STAFF_PASSWORD, log_in
from volunteers import services
from volunteers.models import User
from volunteers.person import Person


@pytest.mark.both_databases
def test_an_officer_of_another_area_cannot_disable_this_areas_people(
    app, client, make_user, outsider
):
    volunteer = make_user(Role.VOLUNTEER)
    log_in(client, outsider, password=STAFF_PASSWORD)
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
                password=STAFF_PASSWORD,
                role="volunteer",
                placement=services.Placement(area["community_id"]),
            )
        with pytest.raises(NotFound):
            services.issue_invite(uow, actor, community_id=area["community_id"])
    with app.app_context(), unit_of_work(write=False) as uow:
        assert uow.session.query(User).filter_by(phone="13512340000").count() == 0
