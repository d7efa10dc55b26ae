"""Photos and voice notes people send, made safe to keep and to show: bytes in, clean bytes out.

The type is decided by the bytes, never by a file name or a claimed MIME type. A photo is opened
by Pillow as JPEG, PNG or WebP only, its pixel count checked from the header before anything is
decoded (a small file can claim a picture of billions of pixels), then turned upright, drawn
into a fresh RGB image and saved as a new JPEG: EXIF (GPS included), ICC profiles and comments
never reach the copy we keep. A voice note must be the WebM (Chrome, Firefox, Android) or MP4
(Safari) a phone's recorder makes, holding one audio stream and no video; its length is measured
from its packets (Chrome's WebM carries no duration), and its packets are copied unchanged into a
fresh container of the same kind that carries none of the original's tags.

No Flask request here: routes read the upload and pass the bytes.
"""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import av
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps

from app.errors import Invalid, TooLarge

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 40-megapixel camera; beyond is a bomb or not a phone's photo
PHOTO_LONG_SIDE = 1600
THUMB_LONG_SIDE = 320
PHOTO_QUALITY = 82
THUMB_QUALITY = 75

MAX_VOICE_BYTES = 2 * 1024 * 1024
MAX_VOICE_SECONDS = 60
_VOICE_SLACK_SECONDS = 1.0  # a recorder stopped at 60 s hands over a little more


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes
    thumb: bytes
    width: int
    height: int


@dataclass(frozen=True)
class CleanVoice:
    data: bytes
    mime: str
    ext: str
    duration_s: float


@dataclass(frozen=True)
class _Container:
    """A container we take: the demuxer that reads it, the muxer that writes the clean copy."""

    demuxer: str
    muxer: str
    codecs: frozenset[str]
    mime: str
    ext: str
    options: tuple[tuple[str, str], ...]


_WEBM = _Container(
    "matroska", "webm", frozenset({"opus", "vorbis"}), "audio/webm", "webm",
    (("fflags", "+bitexact"),),
)  # fmt: skip
_MP4 = _Container(
    "mp4", "mp4", frozenset({"aac", "opus"}), "audio/mp4", "m4a",
    (("fflags", "+bitexact"), ("movflags", "+faststart")),
)  # fmt: skip


def _not_image(field: str) -> Invalid:
    return Invalid(
        "photo_not_image", _l("This is not a photo. Please take one again."), field=field
    )


def _too_many_pixels(field: str) -> Invalid:
    return Invalid(
        "photo_too_many_pixels",
        _l("This picture is too big to open. Please take a photo with the camera."),
        field=field,
    )


def _not_audio() -> Invalid:
    return Invalid(
        "voice_not_audio",
        _l("This is not a voice recording we can play. Please record it again."),
        field="file",
    )


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, long_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    # No exif=, icc_profile= or comment=: the copy is a fresh image whose info is empty.
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _open_upright(data: bytes, long_side: int, field: str) -> Image.Image:
    """The picture ``data`` holds, decoded at no more than about twice the size we keep."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=["JPEG", "PNG", "WEBP"])
            if image.width * image.height > MAX_PHOTO_PIXELS:  # from the header: nothing decoded
                raise _too_many_pixels(field)
            # A JPEG decodes straight at 1/2, 1/4 or 1/8 scale when that is still large enough.
            image.draft("RGB", _fit(image.size, long_side))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(field) from None
    except Invalid:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError):
        # Not one of our formats (UnidentifiedImageError is an OSError), truncated, corrupt.
        raise _not_image(field) from None
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
        return image  # a broken orientation tag: the photo as stored rather than no photo


def clean_photo(
    data: bytes, *, long_side: int = PHOTO_LONG_SIDE, field: str = "file"
) -> CleanPhoto:
    """A re-encoded JPEG (long side at most ``long_side`` px, 1600 unless a caller keeps its
    pictures smaller) and a 320 px thumbnail of the photo in ``data``, carrying no metadata at
    all. Raises ``TooLarge`` or ``Invalid`` naming ``field``, the upload's form field."""
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge(
            "photo_too_large",
            _l("This photo is too large (at most 8 MB). Please take it again."),
            field=field,
        )
    image = _open_upright(data, long_side, field)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    else:
        image = image.convert("RGB")
    size = _fit(image.size, long_side)
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    fresh = Image.new("RGB", size)  # its own, empty info: nothing of the upload's metadata
    fresh.paste(image)
    thumb = fresh.resize(_fit(fresh.size, THUMB_LONG_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(
        jpeg=_jpeg(fresh, PHOTO_QUALITY),
        thumb=_jpeg(thumb, THUMB_QUALITY),
        width=fresh.width,
        height=fresh.height,
    )


def _container_of(data: bytes) -> _Container:
    if data[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska / WebM
        return _WEBM
    if data[4:8] == b"ftyp":  # ISO base media: MP4 / M4A
        return _MP4
    raise _not_audio()


def clean_voice(data: bytes) -> CleanVoice:
    """The voice note in ``data`` copied, packet for packet, into a fresh WebM or MP4 (moov first,
    so it plays while loading) without tags. Raises ``TooLarge`` or ``Invalid`` naming ``file``."""
    if len(data) > MAX_VOICE_BYTES:
        raise TooLarge(
            "voice_too_large",
            _l("This voice note is too large. Please record a shorter one."),
            field="file",
        )
    kind = _container_of(data)
    with tempfile.TemporaryDirectory(prefix="wanjia-voice-") as folder:
        # A file, not memory: MP4's faststart rewrites the file to move the index to the front.
        path = Path(folder) / f"voice.{kind.ext}"
        try:
            duration = _remux(data, kind, path)
        except (av.FFmpegError, OSError, ValueError, EOFError, TypeError):
            raise _not_audio() from None
        clean = path.read_bytes()
    return CleanVoice(data=clean, mime=kind.mime, ext=kind.ext, duration_s=duration)


def _too_long() -> Invalid:
    return Invalid(
        "voice_too_long",
        _l("A voice note can be at most %(seconds)s seconds. Please record a shorter one."),
        field="file",
        seconds=MAX_VOICE_SECONDS,
    )


def _remux(data: bytes, kind: _Container, path: Path) -> float:
    """Copy the one audio stream of ``data`` into ``path``; its length in seconds."""
    with av.open(BytesIO(data), "r", format=kind.demuxer) as source:
        audio = [s for s in source.streams if s.type == "audio"]
        if len(audio) != 1 or any(s.type == "video" for s in source.streams):
            raise _not_audio()
        stream = audio[0]
        if stream.codec_context.name not in kind.codecs or stream.time_base is None:
            raise _not_audio()
        limit = (MAX_VOICE_SECONDS + _VOICE_SLACK_SECONDS) / stream.time_base  # in ticks
        start: int | None = None
        end = 0
        with av.open(
            str(path), "w", format=kind.muxer, container_options=dict(kind.options)
        ) as target:
            copy = target.add_stream_from_template(stream)
            for packet in source.demux(stream):
                if packet.pts is None:  # the demuxer's empty packet at the end
                    continue
                start = packet.pts if start is None else min(start, packet.pts)
                end = max(end, packet.pts + (packet.duration or 0))
                if end - start > limit:
                    raise _too_long()
                packet.stream = copy
                target.mux(packet)
        if start is None:
            raise _not_audio()
        return round(float((end - start) * stream.time_base), 3)
