"""Thin routes: the officer's form and actions, the phone's list and "seen it", the photos."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template
from flask_login import current_user

import broadcasts.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.extensions import db
from app.permissions import requires
from app.types import utcnow
from app.uow import unit_of_work
from broadcasts import bp, pages, photos, services, views
from broadcasts.schemas import CloseBody, NewBroadcastBody, SeenBody
from broadcasts.settings import pacing
from realtime.presence_backend import presence_for
from volunteers.areas import callers_areas


@bp.get("/officer/broadcasts")
@requires("broadcasts.send")
def page() -> Any:
    return render_template("broadcasts/form.html", **pages.form_context(callers_areas()))


@bp.post("/officer/broadcasts")
@requires("broadcasts.send")
@accepts(NewBroadcastBody, answers={201: None})
def send(body: NewBroadcastBody) -> Any:
    """Send a broadcast to the people of grids or a widening circle of one police area."""
    with unit_of_work() as uow:
        broadcast = services.create(
            uow,
            current_user._get_current_object(),
            pages.new_broadcast(body),
            areas=callers_areas(),
            presence=presence_for(current_app),
            pacing=pacing(),
            now=utcnow(),
        )
        uow.commit()
    return jsonify(views.console_json(db.session(), broadcast)), 201


@bp.get("/officer/broadcasts/open")
@requires("broadcasts.send")
@accepts(answers={200: None})
def open_list() -> Any:
    """The open broadcasts of the caller's police areas with their counts and answers."""
    session = db.session()
    found = services.open_in(session, callers_areas())
    return jsonify(broadcasts=[views.console_json(session, b) for b in found])


@bp.post("/officer/broadcasts/<id:broadcast_id>/close")
@requires("broadcasts.send")
@accepts(CloseBody, answers={200: None})
def close(broadcast_id: int, body: CloseBody) -> Any:
    """Close a broadcast as found or cancelled; everyone who got it is told."""
    with unit_of_work() as uow:
        broadcast = services.close(
            uow,
            current_user._get_current_object(),
            broadcast_id,
            body.outcome,
            areas=callers_areas(),
            now=utcnow(),
        )
        uow.commit()
    return jsonify(views.console_json(db.session(), broadcast))


@bp.get("/broadcasts/mine")
@requires("broadcasts.receive")
@accepts(answers={200: None})
def mine() -> Any:
    """The open broadcasts delivered to me (shown again when the phone opens)."""
    found = services.open_delivered_to(db.session(), current_user.id)
    return jsonify(broadcasts=[views.field_json(b) for b in found])


@bp.post("/broadcasts/<id:broadcast_id>/seen")
@requires("broadcasts.receive")
@accepts(SeenBody, answers={201: None}, upload="photo")
def seen(broadcast_id: int, body: SeenBody) -> Any:
    """ "I saw it": where I am now (and optionally a photo), to the police room's map."""
    photo = photos.kept_photo("photo")
    with unit_of_work() as uow:
        answer = services.seen_it(
            uow,
            current_user._get_current_object(),
            broadcast_id,
            lat=body.lat,
            lon=body.lon,
            accuracy_m=body.accuracy,
            note=body.note,
            photo=photo,
            now=utcnow(),
        )
        uow.commit()
    return jsonify(views.seen_json(answer, current_user.name)), 201
