"""The broadcasts' hourly sweep: a photo uploaded for a broadcast that was never sent goes after
a day; the photos of sent broadcasts and of "seen it" answers stay and are still served."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest

from app.media_store import UNREFERENCED_FOR
from app.roles import Role
from broadcasts import tasks
from broadcasts.photos import STORE
from tests.app.test_media_sweep import age
from tests.broadcasts.conftest import send
from tests.broadcasts.test_routes import JSON, _jpeg
from tests.conftest import log_in

pytestmark = pytest.mark.both_databases


def _upload(http):
    answer = http.post(
        "/officer/broadcasts/photos", data={"photo": (BytesIO(_jpeg()), "p.jpg")}, headers=JSON
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["photo"]


def test_an_unsent_upload_goes_and_sent_photos_stay(app, officer_client, make_user):
    volunteer = app.test_client()
    log_in(volunteer, make_user(Role.VOLUNTEER))
    never_sent = _upload(officer_client)
    sent = send(officer_client, audience="everyone", photo=_upload(officer_client)).get_json()
    seen = volunteer.post(
        f"/broadcasts/{sent['id']}/seen",
        data={"lat": "33.38", "lon": "120.16", "photo": (BytesIO(_jpeg()), "there.jpg")},
        headers=JSON,
    ).get_json()
    with app.app_context():
        folder = Path(app.instance_path) / STORE.folder
        for path in folder.iterdir():
            age(STORE, path.name, UNREFERENCED_FOR + timedelta(hours=1))

    assert tasks.sweep_unreferenced_photos() == 2  # the unsent photo and its thumbnail

    with app.app_context():
        assert not {p.name for p in folder.iterdir()} & set(never_sent.split(":"))
    for url in (sent["photo"], sent["photo"] + "?size=thumb", seen["photo"]):
        assert officer_client.get(url).status_code == 200, url
    assert volunteer.get(seen["photo"]).status_code == 200
