"""A failed login leaves nothing behind: no password in memory, no traceback that grows."""

from __future__ import annotations

import gc
import sys
import types
import uuid

import pytest

from app.errors import Unauthorized
from app.permissions import check
from app.uow import unit_of_work
from volunteers import logins


def _holders(secret: str) -> list[object]:
    """Live objects, other than the frames running now, that hold a string equal to ``secret``."""
    gc.collect()
    running = set()
    frame = sys._getframe()
    while frame is not None:
        running.add(id(frame))
        frame = frame.f_back
    found: list[object] = []
    for obj in gc.get_objects():
        if isinstance(obj, types.FrameType):
            if id(obj) in running:
                continue
            values = list(obj.f_locals.values())
        elif isinstance(obj, dict):
            values = list(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            values = list(obj)
        elif isinstance(obj, BaseException):
            values = list(obj.args)
        else:
            continue
        if any(type(v) is str and v == secret for v in values):
            found.append(obj)
    return found


@pytest.mark.both_databases
@pytest.mark.parametrize("known_number", [True, False], ids=["wrong-password", "unknown-number"])
def test_no_reference_to_a_failed_password_survives_the_request(client, make_user, known_number):
    phone = make_user().phone if known_number else "13912345678"
    for _ in range(3):  # the first attempt, and the ones after it, that a shared error chained
        secret = f"wrong-{uuid.uuid4().hex}"
        response = client.post("/login", json={"phone": phone, "password": secret})
        assert response.status_code == 401
        assert _holders(secret) == []


def test_two_failed_logins_raise_two_errors(app, make_user):
    user = make_user()
    raised = []
    with app.app_context():
        for _ in range(2):
            with pytest.raises(Unauthorized) as caught, unit_of_work(write=False) as uow:
                logins.authenticate(uow, user.phone, "not-the-password")
            raised.append(caught.value)
    assert raised[0] is not raised[1]
    assert raised[1].__context__ is None and raised[1].__traceback__.tb_next is not None
    assert len(list(_chain(raised[1].__traceback__))) == len(list(_chain(raised[0].__traceback__)))


def test_two_refusals_of_an_anonymous_caller_raise_two_errors():
    anonymous = types.SimpleNamespace(is_authenticated=False)
    raised = []
    for _ in range(2):
        with pytest.raises(Unauthorized) as caught:
            check(anonymous, "volunteers.duty.switch")
        raised.append(caught.value)
    assert raised[0] is not raised[1]
    assert raised[1].code == "login_required"


def _chain(tb: types.TracebackType | None):
    while tb is not None:
        yield tb
        tb = tb.tb_next
