"""Photos on broadcasts and on "seen it" answers: cleaned by app/media.py (EXIF stripped, a
thumbnail made), kept by app/media_store.py outside ``static/``, and served only to the area's
police and to the people the broadcast was delivered to."""

from __future__ import annotations

from typing import Any

from flask import request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.edge import accepts
from app.errors import Invalid, NotFound, TooLarge
from app.extensions import db
from app.media import MAX_PHOTO_BYTES, clean_photo
from app.media_store import MediaStore
from app.permissions import can, requires
from broadcasts import bp, services
from broadcasts.models import Broadcast, SeenAnswer
from volunteers.areas import callers_areas

STORE = MediaStore("broadcast_media")
NOT_HERE = _l("This page or item does not exist.")


def keep(data: bytes) -> tuple[str, str]:
    """Clean and keep a photo: the names of the photo and of its thumbnail."""
    photo = clean_photo(data)
    return STORE.save(photo.jpeg, "jpg"), STORE.save(photo.thumb, "jpg")


def kept_photo(field: str) -> tuple[str, str] | None:
    """The photo uploaded in the form's ``field``, cleaned and kept; None if none was sent."""
    upload = request.files.get(field)
    if upload is None:
        return None
    data = upload.read(MAX_PHOTO_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge("photo_too_large", _l("The photo is too large."), field=field)
    return keep(data)


def uploaded(names: str) -> tuple[str, str]:
    """The photo and thumbnail an earlier upload answered with (``photo:thumb``)."""
    photo, _sep, thumb = names.partition(":")
    for name in (photo, thumb):
        STORE.path_of(name)  # a name not of ours, or no longer there, is refused as gone
    return photo, thumb


def _may_see(broadcast: Broadcast) -> bool:
    """The police of its area, and the people it was delivered to."""
    if can(current_user, "broadcasts.send"):
        return callers_areas().allows(broadcast.police_area_id)
    if can(current_user, "broadcasts.receive"):
        return current_user.id in services.recipients(db.session(), broadcast.id)
    return False


def _send(name: str | None, thumb: str | None) -> Any:
    chosen = thumb if request.args.get("size") == "thumb" and thumb else name
    if chosen is None:
        raise NotFound("not_found", NOT_HERE)
    response = send_file(STORE.path_of(chosen), mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/officer/broadcasts/photos")
@requires("broadcasts.send")
@accepts(answers={201: None}, upload="photo")
def upload_photo() -> Any:
    """A photo for a broadcast about to be sent: cleaned and kept; its names are sent along."""
    kept = kept_photo("photo")
    if kept is None:
        raise Invalid("photo_missing", _l("Choose a photo."), field="photo")
    return {"photo": ":".join(kept)}, 201


@bp.get("/broadcasts/<id:broadcast_id>/photo")
def broadcast_photo(broadcast_id: int) -> Any:
    """A broadcast's photo (``?size=thumb`` for the small one)."""
    broadcast = db.session.get(Broadcast, broadcast_id)
    if broadcast is None or not current_user.is_authenticated or not _may_see(broadcast):
        raise NotFound("not_found", NOT_HERE)
    return _send(broadcast.photo_name, broadcast.thumb_name)


@bp.get("/broadcasts/seen/<id:answer_id>/photo")
def seen_photo(answer_id: int) -> Any:
    """A "seen it" photo: for the area's police and the person who took it."""
    answer = db.session.get(SeenAnswer, answer_id)
    if answer is None or not current_user.is_authenticated:
        raise NotFound("not_found", NOT_HERE)
    broadcast = db.session.get_one(Broadcast, answer.broadcast_id)
    mine = answer.user_id == current_user.id
    police = can(current_user, "broadcasts.send") and callers_areas().allows(
        broadcast.police_area_id
    )
    if not (mine or police):
        raise NotFound("not_found", NOT_HERE)
    return _send(answer.photo_name, answer.thumb_name)
