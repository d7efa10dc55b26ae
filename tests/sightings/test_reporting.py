"""Reporting a sighting from the phone: what it must say, where it may be, resends, media."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.roles import Role
from tests import media_samples
from tests.sightings.conftest import jpeg, report_body, upload

pytestmark = pytest.mark.both_databases


def test_a_report_is_under_review_at_once_and_reaches_the_areas_console(volunteer, officer):
    answer = volunteer.http.post("/api/sightings", json=report_body())
    assert answer.status_code == 201, answer.get_json()
    sighting = answer.get_json()
    assert sighting["status"] == "review"
    assert sighting["behaviour"] == "有人在逐个拉停着的电动车车门"
    [seen] = officer.events("sighting")
    assert seen["id"] == sighting["id"]
    assert seen["reporter"]["id"] == volunteer.id
    assert seen["status"] == "review"


def test_a_resent_report_is_stored_once(volunteer, officer):
    first = volunteer.http.post("/api/sightings", json=report_body())
    again = volunteer.http.post("/api/sightings", json=report_body(behaviour="changed on resend"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["behaviour"] == "有人在逐个拉停着的电动车车门"
    listed = officer.http.get("/api/console/sightings").get_json()["sightings"]
    assert [s["id"] for s in listed] == [first.get_json()["id"]]


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("behaviour", "一个河南口音的男人在小区转悠"),
        ("behaviour", "看着像少数民族的人"),
        ("behaviour", "A man with a foreign accent"),
        ("appearance.clothing", "新疆人打扮"),
    ],
)
def test_origin_accent_or_ethnicity_asks_for_behaviour_instead(volunteer, field, text):
    body = report_body(appearance={"height": "一米七左右", "clothing": "黑色外套"})
    if field == "behaviour":
        body["behaviour"] = text
    else:
        body["appearance"]["clothing"] = text
    answer = volunteer.http.post("/api/sightings", json=body)
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert (error["code"], error["field"]) == ("describe_behaviour", field)
    assert volunteer.http.get("/api/sightings/mine").get_json()["sightings"] == []


def test_the_refusal_is_in_the_persons_language(volunteer):
    answer = volunteer.http.post(
        "/api/sightings",
        json=report_body(behaviour="外地口音的人"),
        headers={"Accept-Language": "zh-CN"},
    )
    assert "在做什么" in answer.get_json()["error"]["message"]


def test_one_appearance_detail_alone_is_refused_two_are_enough(volunteer):
    one = volunteer.http.post("/api/sightings", json=report_body(appearance={"hair": "光头"}))
    assert one.status_code == 422
    assert one.get_json()["error"]["code"] == "appearance_two_details"
    two = volunteer.http.post(
        "/api/sightings", json=report_body(appearance={"hair": "光头", "clothing": "红色上衣"})
    )
    assert two.status_code == 201
    assert two.get_json()["appearance"] == {"hair": "光头", "clothing": "红色上衣"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"behaviour": ""}, "behaviour"),
        ({"behaviour": None}, "behaviour"),
        ({"category": "ufo"}, "category"),
        ({"lat": "north"}, "lat"),
        ({"lat": 95}, "lat"),
        ({"photos": 4}, "photos"),
        ({"client_id": "x"}, "client_id"),
        ({"client_id": "<script>alert(1)</script>"}, "client_id"),
        ({"behaviour": "x" * 501}, "behaviour"),
    ],
)
def test_malformed_reports_name_the_field(volunteer, change, field):
    answer = volunteer.http.post("/api/sightings", json=report_body(**change))
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == field


def test_a_body_that_is_not_json_is_refused(volunteer):
    answer = volunteer.http.post(
        "/api/sightings", data="{not json", content_type="application/json"
    )
    assert answer.status_code == 422


def test_a_place_far_outside_the_area_is_refused(volunteer):
    answer = volunteer.http.post("/api/sightings", json=report_body(lat=31.23, lon=121.47))
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert (error["code"], error["field"]) == ("sighting_outside_area", "lat")


def test_police_roles_do_not_report_and_strangers_must_log_in(officer, client):
    assert officer.http.post("/api/sightings", json=report_body()).status_code == 403
    assert client.post("/api/sightings", json=report_body()).status_code == 401


def test_photos_lose_their_exif_and_are_served_only_to_reporter_and_area_police(
    volunteer, officer, someone, area, outsider, app
):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    answer = upload(volunteer, sighting["id"], jpeg())
    assert answer.status_code == 201, answer.get_json()
    media = answer.get_json()
    photo = volunteer.http.get(media["url"])
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    cleaned = Image.open(io.BytesIO(photo.data))
    assert not cleaned.getexif()
    assert officer.http.get(media["thumb_url"]).status_code == 200
    other = someone(Role.VOLUNTEER, area["community_id"])
    assert other.http.get(media["url"]).status_code == 404
    assert other.http.get(media["thumb_url"]).status_code == 404
    stranger = app.test_client()
    assert stranger.get(media["url"]).status_code == 404
    from tests.conftest import STAFF_PASSWORD

    stranger.post("/login", json={"phone": outsider.phone, "password": STAFF_PASSWORD})
    assert stranger.get(media["url"]).status_code == 404
    assert volunteer.http.get("/media/sightings/2147483648").status_code == 404


def test_a_resent_photo_is_stored_once_and_a_fourth_is_refused(volunteer):
    sighting = volunteer.http.post("/api/sightings", json=report_body(photos=3)).get_json()
    first = upload(volunteer, sighting["id"], jpeg(), part=0)
    again = upload(volunteer, sighting["id"], jpeg(), part=0)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json()["id"] == first.get_json()["id"]
    for part in (1, 2):
        assert upload(volunteer, sighting["id"], jpeg(), part=part).status_code == 201
    assert upload(volunteer, sighting["id"], jpeg(), part=3).status_code == 422
    mine = volunteer.http.get("/api/sightings/mine").get_json()["sightings"][0]
    assert [m["part"] for m in mine["media"]] == [0, 1, 2]


def test_a_fake_photo_is_refused_and_nothing_kept(volunteer):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    answer = upload(volunteer, sighting["id"], b"GIF89a definitely not a photo")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "file"
    mine = volunteer.http.get("/api/sightings/mine").get_json()["sightings"][0]
    assert mine["media"] == []


def test_an_oversized_upload_is_413(volunteer):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    answer = upload(volunteer, sighting["id"], b"\xff\xd8" + b"0" * (9 * 1024 * 1024))
    assert answer.status_code == 413


def test_nobody_adds_media_to_another_persons_report(volunteer, someone, area):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    other = someone(Role.VOLUNTEER, area["community_id"])
    assert upload(other, sighting["id"], jpeg()).status_code == 404
    assert upload(other, 2**31, jpeg()).status_code == 404


def test_a_media_upload_without_its_kind_names_the_field(volunteer):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    answer = volunteer.http.post(
        f"/api/sightings/{sighting['id']}/media",
        data={"file": (io.BytesIO(jpeg()), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "kind"


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}])
def test_a_flood_of_reports_from_one_person_is_slowed(volunteer, app_settings):
    codes = [
        volunteer.http.post(
            "/api/sightings", json=report_body(client_id=f"flood-000-{n:04d}")
        ).status_code
        for n in range(6)
    ]
    assert codes == [201] * 5 + [429]


@pytest.mark.parametrize(
    ("make", "mime"),
    [(media_samples.webm_voice, "audio/webm"), (media_samples.mp4_voice, "audio/mp4")],
)
def test_a_voice_note_is_kept_remuxed_and_played_back_to_the_police(volunteer, officer, make, mime):
    sighting = volunteer.http.post("/api/sightings", json=report_body(voice=True)).get_json()
    answer = upload(volunteer, sighting["id"], make(5), kind="voice")
    assert answer.status_code == 201, answer.get_json()
    played = officer.http.get(answer.get_json()["url"])
    assert played.status_code == 200
    assert played.mimetype == mime
    assert upload(volunteer, sighting["id"], make(5), kind="voice", part=1).status_code == 422


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"RIFF....WAVEfmt " + b"0" * 64, "voice_not_audio"),
        (media_samples.webm_with_video(), "voice_not_audio"),
        (media_samples.webm_voice(70), "voice_too_long"),
    ],
)
def test_a_voice_note_that_is_not_audio_or_too_long_is_refused(volunteer, data, code):
    sighting = volunteer.http.post("/api/sightings", json=report_body(voice=True)).get_json()
    answer = upload(volunteer, sighting["id"], data, kind="voice")
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == code
    assert volunteer.http.get("/api/sightings/mine").get_json()["sightings"][0]["media"] == []


def test_an_image_bomb_is_refused_without_decoding(volunteer):
    sighting = volunteer.http.post("/api/sightings", json=report_body()).get_json()
    answer = upload(volunteer, sighting["id"], media_samples.png_bomb())
    assert answer.status_code == 422
    assert answer.get_json()["error"]["code"] == "photo_too_many_pixels"
