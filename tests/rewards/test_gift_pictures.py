"""A gift's picture goes through the same cleaner as people's photos (app.media): a bomb or
something that is not a picture is refused and nothing is kept; a phone's photo is kept
upright, at most 800 px, without EXIF or GPS."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from app.extensions import db
from app.roles import Role
from rewards.models import Gift
from tests.conftest import log_in
from tests.media_samples import SECRET_TAG, camera_jpeg_12mp, jpeg_with_gps, png_bomb


@pytest.fixture
def officer_client(client, make_user):
    log_in(client, make_user(Role.OFFICER))
    return client


def _upload(client, gift_id: int, data: bytes, name: str = "p.png"):
    return client.post(
        f"/api/gifts/{gift_id}/picture",
        data={"picture": (io.BytesIO(data), name)},
        headers={"Accept": "application/json"},
    )


def _kept(app, gift_id: int) -> tuple[str | None, list[Path]]:
    folder = Path(app.instance_path) / "gifts"
    with app.app_context():
        picture = db.session.get(Gift, gift_id).picture
    return picture, sorted(folder.glob("*")) if folder.exists() else []


def test_a_png_bomb_is_refused_for_a_gift_picture_and_nothing_is_kept(
    app, officer_client, make_gift
):
    gift = make_gift()
    answer = _upload(officer_client, gift.id, png_bomb())
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "photo_too_many_pixels" and error["field"] == "picture"
    assert _kept(app, gift.id) == (None, [])


def test_what_is_not_a_picture_is_refused_by_its_bytes(app, officer_client, make_gift):
    gift = make_gift()
    answer = _upload(officer_client, gift.id, b"<svg onload=alert(1)>", "cup.jpg")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "photo_not_image"
    assert _kept(app, gift.id) == (None, [])


def test_a_picture_over_the_gift_limit_is_413(app, officer_client, make_gift):
    gift = make_gift()
    too_big = camera_jpeg_12mp()
    assert len(too_big) > app.config["GIFT_PICTURE_MAX_BYTES"]
    answer = _upload(officer_client, gift.id, too_big, "cup.jpg")
    assert answer.status_code == 413
    assert answer.get_json()["error"]["code"] == "photo_too_large"
    assert _kept(app, gift.id) == (None, [])


def test_a_phones_photo_is_kept_upright_small_and_without_exif(app, officer_client, make_gift):
    """Stored 1200 x 900 sideways (orientation 6) with GPS: kept 600 x 800, red on the right."""
    gift = make_gift()
    answer = _upload(officer_client, gift.id, jpeg_with_gps(1200, 900), "cup.jpg")
    assert answer.status_code == 200, answer.get_json()
    picture, files = _kept(app, gift.id)
    assert [f.name for f in files] == [picture]
    kept = files[0].read_bytes()
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and image.size == (600, 800)
    assert dict(image.getexif()) == {} and SECRET_TAG.encode() not in kept
    red = image.convert("RGB").getpixel((450, 400))
    assert red[0] > 200 and red[2] < 60, red
