"""Photos and voice notes for tests, made here rather than kept as files: what phones send
(a camera JPEG with GPS in its EXIF, Chrome's WebM/Opus, Safari's MP4/AAC) and what an attacker
might (an image bomb, a "voice note" with a video in it).

Every sample also carries tags that must not survive cleaning (``SECRET_TAG``, a GPS position).
"""

from __future__ import annotations

import math
import struct
import zlib
from functools import lru_cache
from io import BytesIO

import av
import numpy as np
from PIL import Image, ImageCms

SECRET_TAG = "WANJIA-SECRET-TAG"
GPS_LATITUDE = (31.0, 13.0, 49.44)  # 31°13'49.44"N 121°28'25.32"E, the Bund
GPS_LONGITUDE = (121.0, 28.0, 25.32)
ORIENTATION_ROTATE_90_CW = 6  # stored sideways: show it turned a quarter clockwise


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = SECRET_TAG  # Model
    exif[0x0112] = orientation
    exif[0x0132] = "2026:12:05 10:00:00"  # DateTime
    exif[0x8825] = {  # the GPS IFD
        1: "N",
        2: GPS_LATITUDE,
        3: "E",
        4: GPS_LONGITUDE,
    }
    return exif


def _save_jpeg(image: Image.Image, orientation: int, quality: int) -> bytes:
    out = BytesIO()
    image.save(
        out,
        "JPEG",
        quality=quality,
        exif=_exif(orientation),
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
        comment=SECRET_TAG.encode(),
    )
    return out.getvalue()


def jpeg_with_gps(width: int = 800, height: int = 600) -> bytes:
    """A JPEG stored ``width`` x ``height`` with GPS, camera, orientation (6: turn a quarter
    clockwise to show), an ICC profile and a comment. Its top half is red and bottom half blue
    as stored, so shown upright its right half is red and its left half blue."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width, height // 2))
    return _save_jpeg(image, ORIENTATION_ROTATE_90_CW, 90)


@lru_cache(maxsize=1)
def camera_jpeg_12mp() -> bytes:
    """A 4000 x 3000 photo as a phone's camera saves it (a few MB, EXIF with GPS, upright):
    smooth shapes under fine sensor noise, so it compresses as a real photo does."""
    rng = np.random.default_rng(12)
    coarse = Image.fromarray(rng.integers(0, 256, (30, 40, 3), dtype=np.uint8))
    scene = np.asarray(coarse.resize((4000, 3000), Image.Resampling.BICUBIC), dtype=np.int16)
    noise = rng.integers(-12, 13, (3000, 4000, 1), dtype=np.int16)
    pixels = np.clip(scene + noise, 0, 255).astype(np.uint8)
    return _save_jpeg(Image.fromarray(pixels), 1, 85)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid black-and-white PNG of ``width`` x ``height`` (900 megapixels by default) that
    is a few dozen KB: every row compresses to almost nothing."""
    row = b"\x00" + bytes(math.ceil(width / 8))  # filter byte, then 1 bit per pixel
    packer = zlib.compressobj(9)
    rows = [packer.compress(row) for _ in range(height)]
    data = b"".join(rows) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def _sine_frames(seconds: float, rate: int, frame_size: int) -> list[av.AudioFrame]:
    frames = []
    total = int(seconds * rate)
    for start in range(0, total, frame_size):
        t = np.arange(start, min(total, start + frame_size)) / rate
        samples = (0.3 * np.sin(2 * math.pi * 440 * t)).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="flt", layout="mono")
        frame.sample_rate = rate
        frame.pts = start
        frames.append(frame)
    return frames


def _record(
    muxer: str, codec: str, seconds: float, options: dict[str, str], video: bool = False
) -> bytes:
    out = BytesIO()
    rate = 48_000
    with av.open(out, "w", format=muxer, container_options=options) as container:
        container.metadata["title"] = SECRET_TAG
        container.metadata["location"] = "+31.2304+121.4737/"
        audio = container.add_stream(codec, rate=rate, layout="mono")
        audio.metadata["title"] = SECRET_TAG
        picture = None
        if video:
            picture = container.add_stream("libvpx", rate=10)
            picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
        for frame in _sine_frames(seconds, rate, 960):
            container.mux(audio.encode(frame))
        container.mux(audio.encode(None))
        if picture is not None:
            for index in range(int(seconds * 10)):
                still = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
                still.pts = index
                container.mux(picture.encode(still))
            container.mux(picture.encode(None))
    return out.getvalue()


def webm_voice(seconds: float) -> bytes:
    """What Chrome's MediaRecorder makes: WebM/Opus written live (no duration, no cues)."""
    return _record("webm", "libopus", seconds, {"live": "1"})


def mp4_voice(seconds: float) -> bytes:
    """What Safari's MediaRecorder makes: fragmented MP4 holding AAC."""
    return _record("mp4", "aac", seconds, {"movflags": "frag_keyframe+empty_moov"})


def webm_with_video(seconds: float = 2) -> bytes:
    """A WebM with an Opus track and a VP8 video track."""
    return _record("webm", "libopus", seconds, {}, video=True)
