"""Officers keep their own public profile: title, phone, photo (cleaned: no EXIF, small),
weekly reception times and the area's reception hours, as the public page shows them."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from app.errors import NotFound
from app.extensions import db
from app.media_store import UNREFERENCED_FOR
from app.roles import Role
from app.uow import unit_of_work
from police_room import tasks
from police_room.models import OfficerProfile
from police_room.public import PHOTOS
from tests.app.test_media_sweep import age
from tests.conftest import STAFF_PASSWORD, log_in
from tests.police_room import tip_fixtures
from tests.police_room.tip_fixtures import SLUG
from volunteers.models import PoliceArea, User

public_area = tip_fixtures.public_area
pytestmark = pytest.mark.usefixtures("public_area")
FORM = {
    "shown": "true",
    "title": "社区民警",
    "public_phone": "0515-666",
    "slot_minutes": "20",
    "start_0": "09:00",
    "end_0": "11:30",
    "start_3": "14:00",
    "end_3": "17:00",
    "reception_hours": "工作日 9:00–17:00",
}


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 900), "navy")
    exif = Image.Exif()
    exif[0x8825] = {2: (33.0, 22.0, 11.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture
def officer(app, client, make_user, public_area):
    person = make_user(Role.OFFICER, name="陈警官", password=STAFF_PASSWORD)
    with app.app_context(), unit_of_work() as uow:
        uow.session.get_one(User, person.id).police_area_id = public_area["police_area_id"]
        uow.commit()
    log_in(client, person, STAFF_PASSWORD)
    return person


@pytest.mark.both_databases
def test_an_officer_saves_the_profile_and_residents_see_it(app, client, officer):
    data = FORM | {"photo": (io.BytesIO(_photo_with_gps()), "me.jpg")}
    saved = client.post("/officer/profile", data=data, content_type="multipart/form-data")
    assert saved.status_code == 303
    with app.app_context():
        profile = db.session.get_one(OfficerProfile, officer.id)
        assert profile.reception == [
            {"weekday": 0, "start": "09:00", "end": "11:30"},
            {"weekday": 3, "start": "14:00", "end": "17:00"},
        ]
        assert profile.slot_minutes == 20 and profile.photo_name
        area = db.session.scalar(db.select(PoliceArea).where(PoliceArea.slug == SLUG))
        assert area.reception_hours == "工作日 9:00–17:00"
    client.post("/logout")
    html = client.get(f"/area/{SLUG}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for seen in (
        "陈警官",
        "社区民警",
        "0515-666",
        "周一 09:00–11:30",
        "周四 14:00–17:00",
        "工作日 9:00–17:00",
    ):
        assert seen in html, seen
    photo = client.get(f"/area/{SLUG}/officers/{officer.id}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(photo.data))
    assert max(image.size) <= 160 and not image.getexif() and len(photo.data) < 8000


def test_a_hidden_officer_and_their_photo_are_not_shown(app, client, officer):
    data = {k: v for k, v in FORM.items() if k != "shown"}  # the box left unticked
    data["photo"] = (io.BytesIO(_photo_with_gps()), "me.jpg")
    assert (
        client.post("/officer/profile", data=data, content_type="multipart/form-data").status_code
        == 303
    )
    client.post("/logout")
    assert "陈警官" not in client.get(f"/area/{SLUG}").get_data(as_text=True)
    assert client.get(f"/area/{SLUG}/officers/{officer.id}/photo").status_code == 404


def test_the_photo_is_only_on_the_officers_own_areas_page(client, officer):
    data = FORM | {"photo": (io.BytesIO(_photo_with_gps()), "me.jpg")}
    client.post("/officer/profile", data=data, content_type="multipart/form-data")
    other = tip_fixtures.OTHER_SLUG
    assert client.get(f"/area/{other}/officers/{officer.id}/photo").status_code == 404
    assert client.get(f"/area/{SLUG}/officers/{2**31}/photo").status_code == 404


@pytest.mark.parametrize(
    "bad",
    [
        {"start_1": "09:00"},
        {"start_1": "11:00", "end_1": "09:00"},
        {"start_1": "25:00", "end_1": "26:00"},
        {"slot_minutes": "5"},
        {"title": "x" * 61},
        {"photo": (io.BytesIO(b"not an image"), "x.jpg")},
    ],
)
def test_bad_profiles_are_refused_and_nothing_is_kept(app, client, officer, bad):
    answer = client.post("/officer/profile", data=FORM | bad, content_type="multipart/form-data")
    assert answer.status_code in (400, 413, 422)
    assert 'data-code="' in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OfficerProfile, officer.id) is None


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.DISPATCHER, Role.RESIDENT, Role.ADMIN])
def test_only_officers_keep_a_public_profile(client, make_user, role):
    log_in(client, make_user(role, password=STAFF_PASSWORD), STAFF_PASSWORD)
    assert client.get("/officer/profile", headers={"Accept": "application/json"}).status_code == 403
    assert client.post("/officer/profile", data=FORM).status_code == 403


@pytest.mark.both_databases
def test_the_hourly_sweep_leaves_the_profiles_photo_and_takes_a_stray(app, client, officer):
    data = FORM | {"photo": (io.BytesIO(_photo_with_gps()), "me.jpg")}
    assert client.post("/officer/profile", data=data).status_code == 303
    with app.app_context():
        stray = PHOTOS.save(b"kept before a commit that failed", "jpg")
        for path in (Path(app.instance_path) / PHOTOS.folder).iterdir():
            age(PHOTOS, path.name, UNREFERENCED_FOR + timedelta(hours=1))

    assert tasks.sweep_unreferenced_photos() == 1

    with app.app_context(), pytest.raises(NotFound):
        PHOTOS.path_of(stray)
    assert client.get(f"/area/{SLUG}/officers/{officer.id}/photo").status_code == 200
