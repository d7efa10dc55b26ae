"""Volunteers register themselves with an officer's invite code; bad input changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.roles import Role
from app.types import utcnow
from app.uow import unit_of_work
from volunteers import services
from volunteers.models import Consent, InviteCode, User
from volunteers.person import Person


@pytest.fixture
def invite(app, make_user, area):
    officer = Person.of(make_user(Role.OFFICER))
    with app.app_context(), unit_of_work() as uow:
        code = services.issue_invite(
            uow, officer, community_id=area["community_id"], grid_id=area["grid_ids"][1], max_uses=2
        ).code
        uow.commit()
    return code


def _register(client, code, phone="13912345678", **extra):
    body = {
        "invite_code": code,
        "name": "王秀英",
        "phone": phone,
        "password": "abc12345",
        "agree": True,
    }
    body.update(extra)
    return client.post("/register", json=body, headers={"Accept-Language": "zh-CN"})


def _users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.both_databases
def test_a_volunteer_registers_with_an_invite_and_is_logged_in(app, client, invite, area):
    response = _register(client, invite.lower().replace("", " ").strip())
    assert response.status_code == 201
    assert client.get("/api/me").get_json()["user"]["role"] == "volunteer"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "13912345678"))
        assert (user.grid_id, user.community_id) == (area["grid_ids"][1], area["community_id"])
        consent = db.session.scalar(select(Consent).where(Consent.user_id == user.id))
        assert (consent.kind, consent.granted) == ("terms", True)
        assert db.session.scalar(select(InviteCode.uses)) == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"invite_code": "ZZZZ9999"}, 404, "invite_unknown"),
        ({"phone": "12345"}, 422, "phone_malformed"),
        ({"phone": "23912345678"}, 422, "phone_malformed"),
        ({"password": "123"}, 422, "password_too_short"),
        ({"name": "  "}, 422, "name_missing"),
        ({"agree": False}, 422, "terms_not_agreed"),
    ],
)
def test_bad_registration_is_refused_and_changes_nothing(app, client, invite, change, status, code):
    before = _users(app)
    response = _register(client, invite, **change)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), "message is in Chinese"
    assert _users(app) == before
    with app.app_context():
        assert db.session.scalar(select(InviteCode.uses)) == 0


def test_a_phone_number_registers_once(app, client, invite, make_user):
    make_user(phone="13912345678")
    response = _register(client, invite)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "phone_taken"
    with app.app_context():
        assert db.session.scalar(select(InviteCode.uses)) == 0


def test_phone_numbers_are_normalised_so_duplicates_are_caught(app, client, invite, make_user):
    make_user(phone="13912345678")
    assert _register(client, invite, phone="+86 139-1234-5678").status_code == 409


def test_an_invite_is_used_up_after_its_uses(app, client, invite):
    assert _register(client, invite, phone="13900000101").status_code == 201
    client.post("/logout", json={})
    assert _register(client, invite, phone="13900000102").status_code == 201
    client.post("/logout", json={})
    third = _register(client, invite, phone="13900000103")
    assert third.status_code == 409
    assert third.get_json()["error"]["code"] == "invite_used_up"


def test_an_expired_invite_is_refused(app, client, invite):
    with app.app_context(), unit_of_work() as uow:
        row = uow.session.scalar(select(InviteCode))
        row.expires_at = utcnow() - timedelta(minutes=1)
        uow.commit()
    assert _register(client, invite).get_json()["error"]["code"] == "invite_used_up"


def test_the_registration_form_shows_the_error_and_keeps_what_was_typed(client, invite):
    response = client.post(
        "/register",
        data={
            "invite_code": invite,
            "name": "李桂兰",
            "phone": "139",
            "password": "abc12345",
            "agree": "1",
        },
        headers={"Accept-Language": "zh-CN"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-code="phone_malformed"' in page
    assert "请输入 11 位手机号码。" in page
    assert 'value="李桂兰"' in page


def test_officers_issue_invites_only_within_sane_limits(ctx, make_user, area):
    officer = Person.of(make_user(Role.OFFICER))
    with unit_of_work() as uow:
        with pytest.raises(Invalid):
            services.issue_invite(uow, officer, community_id=area["community_id"], max_uses=0)
        with pytest.raises(NotFound):
            services.issue_invite(uow, officer, community_id=area["community_id"], grid_id=99999)


def test_registering_with_an_unknown_role_is_impossible(ctx, area):
    with unit_of_work() as uow, pytest.raises(Invalid):
        services.create_user(uow, name="x", phone="13911112222", password="abcdef", role="chief")


def test_officers_cannot_create_police_accounts(ctx, make_user, area):
    officer = Person.of(make_user(Role.OFFICER))
    with unit_of_work() as uow, pytest.raises(Exception) as caught:
        services.create_staff(
            uow,
            officer,
            name="x",
            phone="13911112222",
            password="abcdef",
            role="dispatcher",
            placement=services.Placement(area["community_id"]),
        )
    assert caught.value.code == "role_not_creatable"


def test_two_people_racing_for_the_last_use_cannot_both_register(app, make_user, area):
    officer = Person.of(make_user(Role.OFFICER))
    with app.app_context(), unit_of_work() as uow:
        code = services.issue_invite(
            uow, officer, community_id=area["community_id"], max_uses=1
        ).code
        uow.commit()
    with app.app_context(), unit_of_work() as uow:
        services.register_volunteer(
            uow,
            invite_code=code,
            name="甲",
            phone="13900000201",
            password="abcdef",
            agreed_to_terms=True,
            hash_method="pbkdf2:sha256:1000",
        )
        uow.commit()
    with app.app_context(), unit_of_work() as uow, pytest.raises(Conflict):
        services.register_volunteer(
            uow,
            invite_code=code,
            name="乙",
            phone="13900000202",
            password="abcdef",
            agreed_to_terms=True,
            hash_method="pbkdf2:sha256:1000",
        )
    assert _users(app) == 2
