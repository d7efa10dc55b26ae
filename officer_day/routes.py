"""The officer's day: the page at ``/officer`` and its data as JSON, for the area the officer
picks among their own (the first by default). Thin: walls, one service call, the answer."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import jsonify, render_template
from sqlalchemy import select

import officer_day.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.errors import NotFound
from app.extensions import db
from app.permissions import requires
from app.times import local_zone
from app.types import utcnow
from officer_day import bp
from officer_day.day import day_of
from officer_day.live import EVENT, NAMESPACE
from officer_day.schemas import DayQuery
from police_room.appointment_views import day_panel
from police_room.tip_routes import officer_tips
from realtime import rooms
from volunteers.areas import NOT_HERE, callers_areas
from volunteers.models import PoliceArea


class AreaChoice(NamedTuple):
    id: int
    name: str


def _chosen(query: DayQuery) -> tuple[list[AreaChoice], int | None]:
    """The caller's areas (id, name) and the one asked for: the first unless ``area`` names
    another of them; one outside the caller's areas is a 404, as if it did not exist."""
    areas = callers_areas()
    if query.area is not None:
        areas.check(query.area)
    ids = rooms.area_ids(db.session(), areas)
    choices = [
        AreaChoice(row.id, row.name)
        for row in db.session.execute(
            select(PoliceArea.id, PoliceArea.name)
            .where(PoliceArea.id.in_(ids))
            .order_by(PoliceArea.id)
        )
    ]
    if query.area is not None:
        if query.area not in {choice.id for choice in choices}:
            raise NotFound("not_found", NOT_HERE)  # e.g. an admin asking for no area at all
        return choices, query.area
    return choices, choices[0].id if choices else None


@bp.get("/officer")
@requires("officer_day.view")
@accepts(query=DayQuery, described=False)
def page(query: DayQuery) -> Any:
    """The officer's home: today in one of their police areas."""
    choices, area_id = _chosen(query)
    return render_template(
        "officer_day/day.html",
        choices=choices,
        area_id=area_id,
        tips=officer_tips(area_id, open_only=True) if area_id is not None else [],
        appointments=day_panel(db.session(), area_id, utcnow(), local_zone())
        if area_id is not None
        else None,
        live_event=EVENT,
        live_namespace=NAMESPACE,
    )


@bp.get("/api/officer/day")
@requires("officer_day.view")
@accepts(query=DayQuery, answers={200: None})
def day(query: DayQuery) -> Any:
    """Today in one of the officer's police areas: per grid, per point, per hour, the queues."""
    _choices, area_id = _chosen(query)
    if area_id is None:
        return jsonify(day=None)
    return jsonify(day=day_of(db.session(), area_id, utcnow()).as_json())
