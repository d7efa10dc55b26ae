"""The officer's hotspots page and its API: the latest run's heat and proposals (the console's
heat layer reads the same), "run now", and accepting or dismissing a proposal."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from flask_login import current_user

import hotspots.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.errors import NotFound
from app.extensions import db
from app.permissions import requires
from app.times import local_zone
from app.uow import unit_of_work
from hotspots import bp, proposals, tasks, views
from hotspots.schemas import AcceptBody, Decided, Hotspots, Queued
from realtime.rooms import area_ids
from volunteers.areas import NOT_HERE, callers_areas
from volunteers.models import PoliceArea


def _own_area() -> int:
    """The caller's area (a station's or an admin's first one)."""
    mine = area_ids(db.session(), callers_areas())
    if not mine:
        raise NotFound("not_found", NOT_HERE)
    return mine[0]


@bp.get("/officer/hotspots")
@requires("hotspots.manage")
def page() -> Any:
    """The map with the heat layer, the proposals to accept or dismiss, and "run now"."""
    area = db.session.get_one(PoliceArea, _own_area())
    return render_template("hotspots/page.html", area=area, labels=views.page_labels())


@bp.get("/api/hotspots")
@requires("hotspots.view")
@accepts(answers={200: Hotspots})
def latest() -> Any:
    """The caller's area's latest run: its scores, heat grid and proposals."""
    session, area_id = db.session(), _own_area()
    run = proposals.latest_run(session, area_id)
    return jsonify(
        run=views.run_json(run),
        heat=run.heat if run else [],
        proposals=[views.proposal_json(p) for p in proposals.open_proposals(session, area_id)],
    )


@bp.post("/api/hotspots/run")
@requires("hotspots.manage")
@accepts(answers={202: Queued})
def run_now() -> Any:
    """Analyse the caller's area now, on the worker."""
    tasks.run_area.delay(_own_area())
    return jsonify(queued=True), 202


@bp.post("/api/hotspots/proposals/<id:proposal_id>/accept")
@requires("hotspots.manage")
@accepts(AcceptBody, answers={200: Decided})
def accept(proposal_id: int, body: AcceptBody) -> Any:
    """Make the proposed temporary patrol point; its poster prints from the points' endpoint."""
    with unit_of_work() as uow:
        proposal = proposals.accept(
            uow,
            current_user._get_current_object(),
            proposal_id,
            callers_areas(),
            local_zone(),
            body.ends_on,
        )
        uow.commit()
    return jsonify(proposal=views.proposal_json(proposal))


@bp.post("/api/hotspots/proposals/<id:proposal_id>/dismiss")
@requires("hotspots.manage")
@accepts(answers={200: Decided})
def dismiss(proposal_id: int) -> Any:
    """Decline the proposal; it stays listed as dismissed."""
    with unit_of_work() as uow:
        proposal = proposals.dismiss(
            uow, current_user._get_current_object(), proposal_id, callers_areas()
        )
        uow.commit()
    return jsonify(proposal=views.proposal_json(proposal))
