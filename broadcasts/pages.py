"""The officer's broadcast form: its templates, the areas and grids to choose from, and the
form's answer turned into the service's input."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from broadcasts import photos
from broadcasts.schemas import NewBroadcastBody
from broadcasts.services import NewBroadcast
from broadcasts.settings import pacing
from volunteers.areas import Areas
from volunteers.models import Community, Grid, PoliceArea

# kind -> (label, title, a hint of what to look for, what to do): the form's starting text.
TEMPLATES: dict[str, tuple[Any, Any, Any, Any]] = {
    "missing_person": (
        _l("Missing person"),
        _l("Missing person"),
        _l("e.g. man, about 80, grey jacket, walks with a stick, may seem confused"),
        _l("Do not approach; stay with him if he agrees, and report at once."),
    ),
    "fraud_warning": (
        _l("Fraud warning"),
        _l("Fraud warning"),
        _l("e.g. people visiting the elderly selling 'health products' or asking for bank cards"),
        _l("Do not approach; note where they go and report."),
    ),
    "weather": (
        _l("Weather"),
        _l("Severe weather"),
        _l("e.g. loose signs, fallen trees, flooded underpasses"),
        _l("Keep clear; report where it is."),
    ),
    "road_closure": (
        _l("Road closure"),
        _l("Road closed"),
        _l("e.g. the road and the detour"),
        _l("Tell drivers about the detour; report problems."),
    ),
    "other": (_l("Other"), "", "", _l("Do not approach; report.")),
}


def templates_json() -> dict[str, dict[str, str]]:
    return {
        kind: {"label": str(label), "title": str(title), "hint": str(hint), "what_to_do": str(todo)}
        for kind, (label, title, hint, todo) in TEMPLATES.items()
    }


def form_context(areas: Areas) -> dict[str, Any]:
    """The areas the caller may send in and each area's grids."""
    session = db.session()
    police_areas = session.execute(
        select(PoliceArea.id, PoliceArea.name, PoliceArea.center_lat, PoliceArea.center_lon)
        .where(areas.where(PoliceArea.id))
        .order_by(PoliceArea.id)
    ).all()
    grids = session.execute(
        select(Grid.id, Grid.code, Grid.name, Community.police_area_id)
        .join(Community, Community.id == Grid.community_id)
        .where(areas.where(Community.police_area_id))
        .order_by(Community.police_area_id, Grid.code)
    ).all()
    return {
        "areas": [
            {"id": a.id, "name": a.name, "lat": a.center_lat, "lon": a.center_lon}
            for a in police_areas
        ],
        "grids": [
            {"id": g.id, "code": g.code, "name": g.name, "area_id": g.police_area_id} for g in grids
        ],
        "templates": templates_json(),
        "pacing": pacing(),
    }


def new_broadcast(body: NewBroadcastBody) -> NewBroadcast:
    center = (
        (body.center_lat, body.center_lon)
        if body.center_lat is not None and body.center_lon is not None
        else None
    )
    return NewBroadcast(
        kind=body.kind,
        title=body.title or str(TEMPLATES[body.kind][1]),
        look_for=body.look_for,
        what_to_do=body.what_to_do,
        urgent=body.urgent,
        public=body.public,
        audience=body.audience,
        grid_ids=list(body.grid_ids) if body.grid_ids is not None else None,
        center=center,
        stages=[s.model_dump() for s in body.stages],
        police_area_id=body.police_area_id,
        photo=photos.uploaded(body.photo) if body.photo else None,
    )
