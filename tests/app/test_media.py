"""Photos and voice notes are made safe before they are kept: the type decided by the bytes,
bombs refused from the header, metadata (GPS included) gone, audio re-muxed, server-made names."""

from __future__ import annotations

import io
import os
import time
import wave
from pathlib import Path

import av
import pytest
from PIL import Image, ImageFile

from app.errors import Invalid, NotFound, TooLarge
from app.media import (
    MAX_PHOTO_BYTES,
    MAX_VOICE_BYTES,
    clean_photo,
    clean_voice,
)
from app.media_store import MediaStore
from tests.media_samples import (
    SECRET_TAG,
    camera_jpeg_12mp,
    jpeg_with_gps,
    mp4_voice,
    png_bomb,
    webm_voice,
    webm_with_video,
)

# What a container of the clean copy may still name: the muxer, and MP4's own file-type box.
CONTAINER_FIELDS = {"encoder", "major_brand", "minor_version", "compatible_brands"}


def _refused(call, data: bytes, code: str) -> Invalid:
    with pytest.raises(Invalid) as refused:
        call(data)
    assert refused.value.code == code
    assert refused.value.params["field"] == "file"
    return refused.value


# --- photos ---------------------------------------------------------------------------------


def test_gps_and_all_exif_are_gone_after_cleaning():
    original = jpeg_with_gps(800, 600)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the sample has GPS
    photo = clean_photo(original)
    for kept in (photo.jpeg, photo.thumb):
        image = Image.open(io.BytesIO(kept))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(image.info)
        assert b"Exif\x00\x00" not in kept and SECRET_TAG.encode() not in kept


def test_the_orientation_tag_is_applied():
    """Stored 800x600 with its red half on top and orientation 6: kept 600x800, red on the
    right, as the phone showed it."""
    photo = clean_photo(jpeg_with_gps(800, 600))
    assert (photo.width, photo.height) == (600, 800)
    image = Image.open(io.BytesIO(photo.jpeg)).convert("RGB")
    assert image.size == (600, 800)
    red, blue = image.getpixel((450, 400)), image.getpixel((150, 400))
    assert red[0] > 200 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue
    assert Image.open(io.BytesIO(photo.thumb)).size == (240, 320)


def test_a_camera_photo_is_scaled_down_to_1600_and_gets_a_320_thumbnail():
    photo = clean_photo(camera_jpeg_12mp())
    assert (photo.width, photo.height) == (1600, 1200)
    assert Image.open(io.BytesIO(photo.jpeg)).size == (1600, 1200)
    assert Image.open(io.BytesIO(photo.thumb)).size == (320, 240)
    assert len(photo.jpeg) < 600_000 and len(photo.thumb) < 40_000


@pytest.mark.parametrize(
    ("width", "height"),
    [(30_000, 30_000), (8_000, 6_000)],
    ids=["900-megapixels-pillow-refuses-too", "48-megapixels-over-our-cap"],
)
def test_an_image_bomb_is_refused_from_its_header_without_decoding(monkeypatch, width, height):
    bomb = png_bomb(width, height)
    assert len(bomb) < 200_000

    def no_decoding(self):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    started = time.perf_counter()
    _refused(clean_photo, bomb, "photo_too_many_pixels")
    assert time.perf_counter() - started < 0.5


def test_a_caller_may_keep_pictures_smaller_and_name_its_own_upload_field():
    """A gift keeps 800 px pictures: the camera photo is decoded small and fits 800 x 600; a
    refusal names the form field the caller's upload came in."""
    photo = clean_photo(camera_jpeg_12mp(), long_side=800)
    assert (photo.width, photo.height) == (800, 600)
    assert Image.open(io.BytesIO(photo.jpeg)).size == (800, 600)
    with pytest.raises(Invalid) as refused:
        clean_photo(b"not a photo", field="picture")
    assert refused.value.as_dict()["error"]["field"] == "picture"


def test_text_named_jpg_is_refused():
    """Nothing but the bytes decides: a text file called photo.jpg is not a photo."""
    _refused(clean_photo, b"<svg onload=alert(1)> photo.jpg, honest", "photo_not_image")


def test_a_truncated_jpeg_is_refused():
    whole = jpeg_with_gps(800, 600)
    _refused(clean_photo, whole[: len(whole) // 2], "photo_not_image")


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_pictures_in_formats_phones_do_not_send_are_refused(kind):
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, kind)
    _refused(clean_photo, out.getvalue(), "photo_not_image")


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_png_and_webp_become_jpeg_and_transparency_turns_white(kind):
    out = io.BytesIO()
    Image.new("RGBA", (40, 30), (0, 0, 0, 0)).save(out, kind)
    photo = clean_photo(out.getvalue())
    image = Image.open(io.BytesIO(photo.jpeg))
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (40, 30)
    assert min(image.getpixel((20, 15))) > 240


def test_a_photo_over_the_limit_is_413_before_it_is_opened():
    too_big = jpeg_with_gps(80, 60) + bytes(MAX_PHOTO_BYTES)
    with pytest.raises(TooLarge) as refused:
        clean_photo(too_big)
    assert refused.value.status == 413 and refused.value.code == "photo_too_large"


# --- voice notes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "mime", "ext", "codec"),
    [(webm_voice, "audio/webm", "webm", "opus"), (mp4_voice, "audio/mp4", "m4a", "aac")],
    ids=["chrome-webm-opus", "safari-mp4-aac"],
)
def test_webm_and_mp4_voices_are_accepted_and_remuxed_without_tags(record, mime, ext, codec):
    original = record(5)
    voice = clean_voice(original)
    assert (voice.mime, voice.ext) == (mime, ext)
    assert voice.duration_s == pytest.approx(5, abs=0.1)
    assert SECRET_TAG.encode() not in voice.data and b"Lavf6" not in voice.data
    with av.open(io.BytesIO(voice.data), "r") as container:
        [stream] = container.streams
        assert stream.type == "audio" and stream.codec_context.name == codec
        assert set(container.metadata) <= CONTAINER_FIELDS
        assert "title" not in stream.metadata and "name" not in stream.metadata
        assert container.duration is not None  # a fresh container knows its length
        assert container.duration / 1_000_000 == pytest.approx(5, abs=0.1)
        assert len([p for p in container.demux(stream) if p.size]) > 200  # packets, unchanged
    if ext == "m4a":
        assert voice.data.index(b"moov") < voice.data.index(b"mdat")  # plays while loading


def test_a_voice_note_of_60_seconds_is_accepted_and_one_of_70_refused():
    assert clean_voice(webm_voice(60)).duration_s == pytest.approx(60, abs=0.1)
    _refused(clean_voice, webm_voice(70), "voice_too_long")
    _refused(clean_voice, mp4_voice(70), "voice_too_long")


def _wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(int(seconds * 16000)))
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(os.urandom(50_000), id="random-bytes"),
        pytest.param(_wav(2), id="a-wav"),
        pytest.param(webm_with_video(), id="a-webm-with-video"),
        pytest.param(b"", id="nothing"),
        pytest.param(b"\x1a\x45\xdf\xa3" + os.urandom(5000), id="webm-magic-then-junk"),
        pytest.param(b"\x00\x00\x00\x18ftypmp42" + os.urandom(5000), id="mp4-magic-then-junk"),
        pytest.param(jpeg_with_gps(80, 60), id="a-photo"),
    ],
)
def test_what_is_not_a_voice_note_is_refused(data):
    _refused(clean_voice, data, "voice_not_audio")


def test_a_voice_note_over_the_limit_is_413():
    with pytest.raises(TooLarge) as refused:
        clean_voice(webm_voice(1) + bytes(MAX_VOICE_BYTES))
    assert refused.value.status == 413 and refused.value.code == "voice_too_large"


def test_refusals_are_told_in_chinese(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        error = _refused(clean_photo, b"not a photo", "photo_not_image")
        assert error.text() == "这不是照片，请重新拍一张。"
        long = _refused(clean_voice, webm_voice(70), "voice_too_long")
        assert "60" in long.text() and "秒" in long.text()


# --- the store ------------------------------------------------------------------------------


def test_store_names_never_come_from_input_and_files_stay_out_of_static(app):
    store = MediaStore("test-media")
    with app.app_context():
        first, second = store.save(b"one", "jpg"), store.save(b"one", "jpg")
        assert first != second
        for name in (first, second):
            stem, ext = name.split(".")
            assert len(stem) == 32 and int(stem, 16) >= 0 and ext == "jpg"
        path = store.path_of(first)
        assert path.read_bytes() == b"one"
        assert path.parent == Path(app.instance_path) / "test-media"
        assert "static" not in path.parts
        with pytest.raises(ValueError):
            store.save(b"<?php", "php")
        store.remove(first)
        store.remove(first)  # gone already: fine
        with pytest.raises(NotFound):
            store.path_of(first)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "0" * 32 + ".jpg",
        "0" * 32 + ".php",
        "A" * 32 + ".jpg",
        "/etc/passwd",
        "",
    ],
)
def test_a_name_not_of_our_shape_or_missing_is_gone(app, name):
    with app.app_context(), pytest.raises(NotFound) as gone:
        MediaStore("test-media").path_of(name)
    assert gone.value.code == "media_gone"


@pytest.mark.parametrize("folder", ["../static", "a/b", "", "."])
def test_a_store_folder_is_one_plain_name(folder):
    with pytest.raises(ValueError):
        MediaStore(folder)
