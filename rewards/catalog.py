"""Officers manage the gift catalog: prices, stock, limits, periods, pickup place, picture.

Each gift belongs to one police area: an officer manages only their own areas' gifts (another
area's answers as a missing one), and a new gift goes to the area the officer works in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Invalid, NotFound, TooLarge
from app.media import clean_photo
from app.uow import UnitOfWork
from rewards.models import Gift
from volunteers.areas import Areas
from volunteers.models import PoliceArea

PICTURE_SIDE = 800


@dataclass(frozen=True)
class GiftFields:
    name: str | None = None
    description: str | None = None
    price: Any = None
    stock: Any = None
    per_person_limit: Any = None
    pickup_place: str | None = None
    active_from: datetime | None = None
    active_until: datetime | None = None
    retired: bool | None = None


def _whole(value: Any, low: int, high: int, code: str, message: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(code, message, low=low, high=high) from exc
    if not low <= number <= high:
        raise Invalid(code, message, low=low, high=high)
    return number


def _apply(gift: Gift, fields: GiftFields) -> None:
    if fields.name is not None:
        name = " ".join(fields.name.split())
        if not 1 <= len(name) <= 120:
            raise Invalid("gift_name_missing", _l("Please give the gift a name."))
        gift.name = name
    if fields.description is not None:
        gift.description = fields.description.strip()[:1000]
    if fields.price is not None:
        gift.price = _whole(
            fields.price,
            1,
            100_000,
            "price_range",
            _l("The price must be between %(low)d and %(high)d points."),
        )
    if fields.stock is not None:
        gift.stock = _whole(
            fields.stock,
            0,
            100_000,
            "stock_range",
            _l("The stock must be between %(low)d and %(high)d."),
        )
    if fields.per_person_limit is not None:
        gift.per_person_limit = _whole(
            fields.per_person_limit,
            1,
            100,
            "limit_range",
            _l("The limit per person must be between %(low)d and %(high)d."),
        )
    if fields.pickup_place is not None:
        gift.pickup_place = fields.pickup_place.strip()[:200]
    if fields.active_from is not None or fields.active_until is not None:
        gift.active_from, gift.active_until = fields.active_from, fields.active_until
        if gift.active_from and gift.active_until and gift.active_until <= gift.active_from:
            raise Invalid("period_invalid", _l("The end of the period must be after its start."))
    if fields.retired is not None:
        gift.retired = fields.retired


def areas_to_choose(session: Session, areas: Areas) -> list[PoliceArea]:
    """The police areas an officer may put a new gift in (every area for admins)."""
    return list(
        session.scalars(
            select(PoliceArea).where(areas.where(PoliceArea.id)).order_by(PoliceArea.id)
        )
    )


def _area_for(session: Session, areas: Areas, chosen: int | None) -> int:
    """The area named (if the officer works there), else the officer's only area."""
    mine = [area.id for area in areas_to_choose(session, areas)]
    if chosen is not None:
        if chosen not in mine:
            raise NotFound("area_unknown", _l("This page or item does not exist."))
        return chosen
    if len(mine) != 1:
        raise Invalid(
            "area_needed", _l("Choose the police area of this gift."), field="police_area_id"
        )
    return mine[0]


def create_gift(
    uow: UnitOfWork, fields: GiftFields, areas: Areas, police_area_id: int | None = None
) -> Gift:
    """A new gift in one of ``areas``: the one named, or the officer's only one."""
    if fields.name is None or fields.price is None:
        raise Invalid("gift_fields_missing", _l("A new gift needs a name and a price."))
    gift = Gift(
        police_area_id=_area_for(uow.session, areas, police_area_id),
        stock=0,
        per_person_limit=1,
        description="",
        pickup_place="",
        retired=False,
    )
    _apply(gift, fields)
    uow.session.add(gift)
    uow.session.flush()
    return gift


def get_gift(session: Session, gift_id: int, areas: Areas) -> Gift:
    """The gift, if it is in ``areas``; another area's answers as a missing one."""
    gift = session.get(Gift, gift_id)
    if gift is None or not areas.allows(gift.police_area_id):
        raise NotFound("gift_unavailable", _l("This gift is not available at the moment."))
    return gift


def update_gift(uow: UnitOfWork, gift_id: int, fields: GiftFields, areas: Areas) -> Gift:
    gift = get_gift(uow.session, gift_id, areas)
    _apply(gift, fields)
    uow.session.flush()
    return gift


def set_picture(
    uow: UnitOfWork, gift_id: int, data: bytes, folder: Path, max_bytes: int, areas: Areas
) -> Gift:
    """Store the picture through the shared cleaner (app.media): its type decided by the bytes,
    a bomb refused before decoding, turned upright, re-encoded as a JPEG of long side at most
    ``PICTURE_SIDE`` without EXIF (GPS included)."""
    gift = get_gift(uow.session, gift_id, areas)
    if len(data) > max_bytes:
        raise TooLarge(
            "photo_too_large",
            _l("The picture is larger than %(mb)s MB."),
            field="picture",
            mb=max_bytes // (1024 * 1024),
        )
    photo = clean_photo(data, long_side=PICTURE_SIDE, field="picture")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{gift.id}-{secrets.token_hex(6)}.jpg"
    (folder / name).write_bytes(photo.jpeg)
    gift.picture = name
    uow.session.flush()
    return gift
