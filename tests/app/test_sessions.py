"""Signed-cookie sessions keep one serializer per set of keys, and rotating keys still works."""

from __future__ import annotations


def test_one_serializer_per_key_and_a_new_one_when_the_key_rotates(app):
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    old_key = app.secret_key
    app.secret_key = "a rotated secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    cookie = first.dumps({"lang": "zh"})
    assert rotated.loads(cookie) == {"lang": "zh"}  # a cookie signed with the old key still opens


def test_a_login_survives_requests_with_the_shared_serializer(client, make_user):
    from tests.conftest import PASSWORD

    user = make_user()
    assert (
        client.post("/login", json={"phone": user.phone, "password": PASSWORD}).status_code == 200
    )
    for _ in range(3):
        assert client.get("/api/me").get_json()["user"]["id"] == user.id
