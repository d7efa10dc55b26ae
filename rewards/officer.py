"""The officer's side of the store: the catalog page and its API, gift pictures; each walled to
the caller's police areas (another area's gift answers as a missing one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import rewards.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.errors import Invalid, NotFound
from app.extensions import db
from app.permissions import requires
from app.uow import unit_of_work
from app.web import local_datetime
from rewards import catalog, queries
from rewards.models import Gift, Order
from rewards.schemas import GiftBody, NewGiftBody
from volunteers.areas import callers_areas

bp = Blueprint("catalog", __name__, template_folder="templates")


def _folder() -> Path:
    return Path(current_app.instance_path) / "gifts"


def _fields(body: GiftBody) -> catalog.GiftFields:
    return catalog.GiftFields(
        name=body.name,
        description=body.description,
        price=body.price,
        stock=body.stock,
        per_person_limit=body.per_person_limit,
        pickup_place=body.pickup_place,
        active_from=local_datetime(body.active_from),
        active_until=local_datetime(body.active_until),
        retired=body.retired,
    )


@bp.get("/officer/gifts")
@requires("rewards.catalog.manage")
def page() -> Any:
    mine = callers_areas()
    gifts = db.session.scalars(
        select(Gift).where(mine.where(Gift.police_area_id)).order_by(Gift.retired, Gift.price)
    ).all()
    pending = db.session.scalars(
        select(Order)
        .join(Gift, Gift.id == Order.gift_id)
        .where(Order.status == "pending", mine.where(Gift.police_area_id))
        .order_by(Order.created_at.desc())
        .limit(50)
    ).all()
    areas = catalog.areas_to_choose(db.session(), mine)
    return render_template(
        "rewards/officer_gifts.html",
        gifts=gifts,
        pending=pending,
        areas=areas,
        area_names={a.id: a.name for a in areas},
    )


@bp.post("/api/gifts")
@requires("rewards.catalog.manage")
@accepts(NewGiftBody, answers={201: None})
def create(body: NewGiftBody) -> Any:
    """Add a gift to the catalog of the officer's police area (a station's officer names it)."""
    with unit_of_work() as uow:
        gift = catalog.create_gift(uow, _fields(body), callers_areas(), body.police_area_id)
        uow.commit()
    return jsonify(gift=queries.gift_json(gift)), 201


@bp.route("/api/gifts/<id:gift_id>", methods=["PATCH"])
@requires("rewards.catalog.manage")
@accepts(GiftBody, answers={200: None})
def update(gift_id: int, body: GiftBody) -> Any:
    """Change a gift's fields."""
    with unit_of_work() as uow:
        gift = catalog.update_gift(uow, gift_id, _fields(body), callers_areas())
        uow.commit()
    return jsonify(gift=queries.gift_json(gift))


@bp.post("/api/gifts/<id:gift_id>/picture")
@requires("rewards.catalog.manage")
@accepts(answers={200: None}, upload="picture")
def upload_picture(gift_id: int) -> Any:
    """The gift's picture (JPEG, PNG or WebP; resized, metadata stripped)."""
    upload = request.files.get("picture")
    if upload is None:
        raise Invalid("picture_unreadable", _l("This file is not a picture we can read."))
    with unit_of_work() as uow:
        gift = catalog.set_picture(
            uow,
            gift_id,
            upload.read(),
            _folder(),
            current_app.config["GIFT_PICTURE_MAX_BYTES"],
            callers_areas(),
        )
        uow.commit()
    return jsonify(gift=queries.gift_json(gift))


@bp.get("/gifts/<id:gift_id>/picture")
def picture(gift_id: int) -> Any:
    """A gift's picture, for the people of its area (and their officers) only."""
    gift = db.session.get(Gift, gift_id)
    if (
        gift is None
        or not gift.picture
        or not current_user.is_authenticated
        or not callers_areas().allows(gift.police_area_id)
    ):
        raise NotFound("not_found", _l("This page or item does not exist."))
    return send_from_directory(_folder(), gift.picture, max_age=86400)
