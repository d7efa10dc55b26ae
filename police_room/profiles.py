"""An officer's own public profile (title, public phone, photo, weekly reception slots) and the
reception hours text of the officer's police area, as the area's public page shows them.

The photo goes through app.media.clean_photo (EXIF and GPS stripped, re-encoded) and is kept
small: the public page must stay light on a slow link."""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

import police_room.tip_permissions  # noqa: F401 - registers this package's permissions
from app.edge import Input, accepts, parse, submitted, text
from app.errors import DomainError, Invalid, TooLarge
from app.extensions import db
from app.media import MAX_PHOTO_BYTES, clean_photo
from app.permissions import requires
from app.uow import UnitOfWork, unit_of_work
from app.web import form_error
from police_room import bp, staff_area
from police_room.models import OfficerProfile
from police_room.public import PHOTOS, WEEKDAYS
from volunteers.person import Person

PHOTO_LONG_SIDE = 160  # shown at 64-80 px: a few kilobytes each
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
BAD_SLOT = _l("Each reception time needs a start and an end like 09:00 and 11:30, the end later.")


class ProfileBody(Input):
    labels: ClassVar = {
        "title": _l("Title"),
        "public_phone": _l("Public phone"),
        "slot_minutes": _l("Minutes per appointment"),
        "reception_hours": _l("The police room's reception hours"),
    }
    title: Annotated[str, text(60)] = ""
    public_phone: Annotated[str, text(40)] = ""
    shown: bool = False
    slot_minutes: Annotated[int, Field(ge=10, le=120)] = 30
    reception_hours: Annotated[str, text(200)] = ""
    remove_photo: bool = False


def slots_from(form: dict[str, Any]) -> list[dict[str, Any]]:
    """One reception time per weekday from the form's ``start_0``..``end_6``; an empty day has
    none. Invalid names the first day whose times are incomplete or backwards."""
    slots = []
    for day in range(7):
        start = str(form.get(f"start_{day}", "")).strip()
        end = str(form.get(f"end_{day}", "")).strip()
        if not start and not end:
            continue
        if not (TIME.fullmatch(start) and TIME.fullmatch(end)) or start >= end:
            raise Invalid("reception_slot_invalid", BAD_SLOT, field=f"start_{day}")
        slots.append({"weekday": day, "start": start, "end": end})
    return slots


def _photo_upload() -> bytes | None:
    upload = request.files.get("photo")
    data = upload.read(MAX_PHOTO_BYTES + 1) if upload is not None else b""
    if len(data) > MAX_PHOTO_BYTES:
        raise TooLarge("photo_too_large", _l("The photo is too large."), field="photo")
    return data or None


def save(
    uow: UnitOfWork,
    person: Person,
    body: ProfileBody,
    slots: list[dict[str, Any]],
    photo: bytes | None,
) -> OfficerProfile:
    """Change the officer's own profile, and the reception hours of the officer's first area."""
    session = uow.session
    profile = session.get(OfficerProfile, person.id) or OfficerProfile(user_id=person.id)
    profile.title, profile.public_phone = body.title, body.public_phone
    profile.shown, profile.slot_minutes, profile.reception = body.shown, body.slot_minutes, slots
    old = profile.photo_name
    if photo is not None:
        profile.photo_name = PHOTOS.save(clean_photo(photo, long_side=PHOTO_LONG_SIDE).jpeg, "jpg")
    elif body.remove_photo:
        profile.photo_name = None
    if old and old != profile.photo_name:
        uow.after_commit(lambda: PHOTOS.remove(old))
    session.add(profile)
    area = staff_area.chosen(session, person, None)
    if area is not None:
        area.reception_hours = body.reception_hours
    session.flush()
    return profile


def _page(**extra: Any) -> dict[str, Any]:
    session = db.session()
    person = current_user._get_current_object()
    profile = session.get(OfficerProfile, person.id)
    by_day = {slot["weekday"]: slot for slot in (profile.reception if profile else [])}
    return {
        "profile": profile,
        "area": staff_area.chosen(session, person, None),
        "days": [(day, WEEKDAYS[day], by_day.get(day)) for day in range(7)],
        **extra,
    }


@bp.get("/officer/profile")
@requires("police_room.profile")
def profile_page() -> Any:
    """The officer's public profile as residents see it, to change."""
    return render_template("police_room/profile.html", **_page())


@bp.post("/officer/profile")
@requires("police_room.profile")
@accepts(ProfileBody, answers={200: None}, upload="photo", inject=False, described=False)
def save_profile() -> Any:
    """Save the officer's public profile (a multipart form: the photo is optional)."""
    data = submitted()
    try:
        body = parse(ProfileBody, data)
        slots = slots_from(data)
        with unit_of_work() as uow:
            save(uow, current_user._get_current_object(), body, slots, _photo_upload())
            uow.commit()
    except DomainError as error:
        return form_error("police_room/profile.html", error, **_page(typed=data))
    return redirect(url_for("police_room.profile_page", saved=1)), 303
