"""Police-room accounts need a password of 10+ characters that is not a common one."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.config import Config
from app.demo import seed_demo
from app.errors import Invalid
from app.roles import FIELD_ROLES, POLICE_ROLES, Role
from app.uow import unit_of_work
from volunteers import rules, services

POLICE = sorted(POLICE_ROLES)
COMMON = [
    "1234567890",
    "qwertyuiop",
    "Password123",
    "m@nch3st3r",  # l33t for manchester
    "1111111111",
    "0123456789",
]


def _create(role: Role, password: str, phone: str = "13911112222") -> None:
    with unit_of_work() as uow:
        services.create_user(
            uow,
            name="新账号",
            phone=phone,
            password=password,
            role=role,
            hash_method="pbkdf2:sha256:1",
        )
        uow.commit()


@pytest.mark.both_databases
@pytest.mark.parametrize("role", POLICE)
def test_a_police_room_account_needs_ten_characters(ctx, role):
    with pytest.raises(Invalid) as caught:
        _create(role, "x7#kq-2vz")  # nine
    assert caught.value.code == "password_too_short"
    assert caught.value.params == {"n": 10}
    _create(role, "x7#kq-2vzw")


@pytest.mark.both_databases
@pytest.mark.parametrize("password", COMMON)
@pytest.mark.parametrize("role", POLICE)
def test_a_police_room_account_refuses_a_common_password(ctx, role, password):
    with pytest.raises(Invalid) as caught:
        _create(role, password)
    assert caught.value.code == "password_common"


@pytest.mark.both_databases
@pytest.mark.parametrize("role", sorted(FIELD_ROLES))
def test_field_roles_keep_the_six_character_rule(ctx, role):
    with pytest.raises(Invalid):
        _create(role, "abc12")
    _create(role, "abc123")
    _create(role, "1234567890", phone="13911113333")


def test_the_refusal_is_in_chinese_and_english(app):
    with app.app_context():
        with pytest.raises(Invalid) as caught:
            rules.check_password("qwertyuiop", Role.DISPATCHER)
        with force_locale("zh_CN"):
            assert (
                caught.value.text()
                == "这个密码太常见，或是 1111111111、qwertyuiop 这类简单规律，请换一个。"
            )
        with force_locale("en"):
            assert caught.value.text().startswith("This password is one of the most common ones")
        with pytest.raises(Invalid) as short:
            rules.check_password("short-one", Role.ADMIN)
        with force_locale("zh_CN"):
            assert short.value.text() == "密码至少需要 10 位。"


def test_the_demo_password_passes_the_police_room_rule():
    for role in POLICE_ROLES:
        rules.check_password(Config.DEMO_PASSWORD, role)


@pytest.mark.parametrize("app_settings", [{"DEMO_PASSWORD": "1234567890"}])
def test_the_demo_refuses_a_common_demo_password(ctx, app_settings):
    with pytest.raises(Invalid):
        seed_demo()


def test_create_user_on_the_command_line_refuses_a_weak_police_password(runner):
    args = ["create-user", "--name", "赵所长", "--phone", "13911119999", "--role", "admin"]
    weak = runner.invoke(args=[*args, "--password", "qwertyuiop"])
    assert weak.exit_code != 0
    assert "password_common" in weak.output
    short = runner.invoke(args=[*args, "--password", "short"])
    assert "password_too_short" in short.output
    assert runner.invoke(args=[*args, "--password", "xinhe-dispatch-7"]).exit_code == 0
