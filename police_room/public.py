"""A police area's public page, ``/area/<slug>`` (no login): the room's address and map,
reception hours, the station's 24-hour duty number, the officers, public notices and the
"not an emergency line" banner; its printable QR poster; the officers' photos.

Light for a slow link: server-drawn HTML and the shared stylesheet; the map's library loads
only when someone taps "show the map"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Response, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import public_url
from app.errors import NotFound
from app.extensions import db
from app.media_store import MediaStore
from app.roles import Role
from app.types import utcnow
from police_room import bp, notices
from police_room.models import OfficerProfile
from police_room.public_poster import area_poster_pdf
from police_room.ratings import public_ratings
from volunteers.models import PoliceArea, User

PHOTOS = MediaStore("officer_photos")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
NO_SUCH_AREA = _l("There is no online police room at this address. Please check the address.")
NOT_HERE = _l("This page or item does not exist.")
WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


@dataclass(frozen=True)
class OfficerCard:
    id: int
    name: str
    title: str
    phone: str
    photo: bool
    reception: list[str]  # "周一 09:00–11:30"


def area_by_slug(session: Session, slug: str) -> PoliceArea:
    """The area whose page lives at /area/<slug>; NotFound for any other address."""
    area = None
    if SLUG.fullmatch(slug):
        area = session.scalar(select(PoliceArea).where(PoliceArea.slug == slug))
    if area is None:
        raise NotFound("area_unknown", NO_SUCH_AREA)
    return area


def slot_text(slot: dict[str, Any]) -> str:
    return f"{WEEKDAYS[int(slot['weekday'])]} {slot['start']}–{slot['end']}"


def officers_of(session: Session, area_id: int) -> list[OfficerCard]:
    """The area's officers as residents see them; one who chose not to be shown is left out."""
    rows = session.execute(
        select(User, OfficerProfile)
        .outerjoin(OfficerProfile, OfficerProfile.user_id == User.id)
        .where(User.police_area_id == area_id, User.role == Role.OFFICER.value)
        .where(User.active.is_(True))
        .order_by(User.id)
    )
    cards = []
    for user, profile in rows:
        if profile is not None and not profile.shown:
            continue
        reception = profile.reception if profile else []
        slots = sorted(reception, key=lambda s: (s["weekday"], s["start"]))
        cards.append(
            OfficerCard(
                id=user.id,
                name=user.name,
                title=profile.title if profile else "",
                phone=profile.public_phone if profile else "",
                photo=bool(profile and profile.photo_name),
                reception=[slot_text(slot) for slot in slots],
            )
        )
    return cards


def page_address(area: PoliceArea) -> str:
    """The page's address as phones reach it (the poster encodes it)."""
    return public_url.base() + url_for("police_room.area_page", slug=area.slug)


@bp.get("/area/<slug>")
def area_page(slug: str) -> Any:
    """The police room's public page."""
    session = db.session()
    area = area_by_slug(session, slug)
    officers = officers_of(session, area.id)
    return render_template(
        "police_room/area.html",
        area=area,
        duty_phone=area.station.duty_phone,
        officers=officers,
        notices=notices.current(session, area.id, utcnow()),
        broadcasts=notices.public_broadcasts(session, area.id),
        ratings=public_ratings(session, [officer.id for officer in officers]),
    )


@bp.get("/area/<slug>/poster.pdf")
def area_poster(slug: str) -> Any:
    """An A4 poster with the QR code of the page, to put up at the police room and notice boards."""
    area = area_by_slug(db.session(), slug)
    pdf = area_poster_pdf(area.name, page_address(area), area.police_room, area.station.duty_phone)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="police-room-{area.slug}.pdf"'},
    )


@bp.get("/area/<slug>/officers/<id:user_id>/photo")
def officer_photo(slug: str, user_id: int) -> Any:
    """An officer's public photo, for the page of the officer's own area only."""
    session = db.session()
    area = area_by_slug(session, slug)
    profile = session.get(OfficerProfile, user_id)
    if profile is None or not profile.shown or profile.photo_name is None:
        raise NotFound("not_found", NOT_HERE)
    if profile.user.police_area_id != area.id:
        raise NotFound("not_found", NOT_HERE)
    response = send_file(PHOTOS.path_of(profile.photo_name), mimetype="image/jpeg", max_age=86400)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
