"""The console's sighting API: the review queue, duplicates, questions, decisions, muting and
what each category pays. Live news goes out on the console's socket (sightings/live.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, jsonify
from flask_login import current_user

import sightings.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts
from app.errors import NotFound
from app.extensions import db
from app.permissions import requires
from app.types import utcnow
from app.uow import unit_of_work
from realtime.rooms import area_ids
from realtime.settings import dispatch_settings
from rewards import earning, reasons
from sightings import bp, rules, triage, views
from sightings.schemas import (
    Candidates,
    ConsoleSighting,
    ConsoleSightings,
    DecideBody,
    MuteBody,
    Muted,
    QuestionBody,
    RewardBody,
    Rewards,
)
from volunteers.areas import NOT_HERE, callers_areas

DECIDED_SHOWN = timedelta(hours=12)  # decided ones stay listed this long, below the queue


def _settings() -> triage.TriageSettings:
    config = current_app.config
    return triage.TriageSettings(
        default_points=earning.points_for(reasons.TIP_CONFIRMED, config),
        duplicate_radius_m=float(config["SIGHTING_DUPLICATE_RADIUS_M"]),
        duplicate_window=timedelta(hours=float(config["SIGHTING_DUPLICATE_HOURS"])),
    )


def _one(sighting: Any) -> Any:
    [view] = views.console_list(db.session(), [sighting])
    return jsonify(view)


@bp.get("/api/console/sightings")
@requires("sightings.triage")
@accepts(answers={200: ConsoleSightings})
def console_sightings() -> Any:
    """The review queue (oldest first) and the last hours' decided reports."""
    found = triage.queue(db.session(), callers_areas(), since=utcnow() - DECIDED_SHOWN)
    return jsonify(sightings=views.console_list(db.session(), found))


@bp.get("/api/console/sightings/<id:sighting_id>/duplicates")
@requires("sightings.triage")
@accepts(answers={200: Candidates})
def duplicate_candidates(sighting_id: int) -> Any:
    """Reports that may be the same thing: same category, open, nearest first, at most 5."""
    found = triage.duplicates(db.session(), sighting_id, callers_areas(), _settings())
    return jsonify(
        candidates=[
            {
                "id": s.id,
                "category": s.category,
                "behaviour": s.behaviour,
                "distance_m": metres,
                "created_at": s.created_at.isoformat(),
                "status": s.status,
            }
            for s, metres in found
        ]
    )


@bp.post("/api/console/sightings/<id:sighting_id>/decide")
@requires("sightings.triage")
@accepts(DecideBody, answers={200: ConsoleSighting})
def decide(sighting_id: int, body: DecideBody) -> Any:
    """Confirm (pays once), dismiss (with a reason), link as a duplicate, or raise an incident."""
    with unit_of_work() as uow:
        sighting = triage.decide(
            uow,
            current_user._get_current_object(),
            sighting_id,
            body.action,
            reason=body.reason,
            duplicate_of=body.duplicate_of,
            priority=body.priority,
            areas=callers_areas(),
            now=utcnow(),
            settings=_settings(),
            dispatch=dispatch_settings(),
        )
        uow.commit()
    return _one(sighting)


@bp.post("/api/console/sightings/<id:sighting_id>/questions")
@requires("sightings.triage")
@accepts(QuestionBody, answers={200: ConsoleSighting})
def ask(sighting_id: int, body: QuestionBody) -> Any:
    """Ask the reporter; their phone shows the choices as buttons."""
    with unit_of_work() as uow:
        sighting = triage.ask(
            uow,
            current_user._get_current_object(),
            sighting_id,
            body.text,
            list(body.choices),
            areas=callers_areas(),
            now=utcnow(),
        )
        uow.commit()
    return _one(sighting)


@bp.post("/api/console/reporters/<id:user_id>/mute")
@requires("sightings.manage")
@accepts(MuteBody, answers={200: Muted})
def mute(user_id: int, body: MuteBody) -> Any:
    """Mute a person's reports in one's areas (earlier ones leave the queue), or unmute."""
    with unit_of_work() as uow:
        triage.mute(uow, current_user._get_current_object(), user_id, body.muted, callers_areas())
        uow.commit()
    return jsonify(user_id=user_id, muted=body.muted)


def _rewards(area_id: int) -> Any:
    chosen = triage.rewards(db.session(), area_id, _settings().default_points)
    return jsonify(
        rewards=[
            {"category": c, "category_label": str(rules.CATEGORY_LABELS[c]), "points": p}
            for c, p in chosen.items()
        ]
    )


def _own_area() -> int:
    """The officer's area (a station's or admin's first one)."""
    mine = area_ids(db.session(), callers_areas())
    if not mine:
        raise NotFound("not_found", NOT_HERE)
    return mine[0]


@bp.get("/api/console/sighting-rewards")
@requires("sightings.manage")
@accepts(answers={200: Rewards})
def sighting_rewards() -> Any:
    """What a confirmed sighting of each category pays in the officer's area."""
    return _rewards(_own_area())


@bp.put("/api/console/sighting-rewards")
@requires("sightings.manage")
@accepts(RewardBody, answers={200: Rewards})
def set_sighting_reward(body: RewardBody) -> Any:
    """Set what a category pays in the officer's area (一事一奖)."""
    area = _own_area()
    with unit_of_work() as uow:
        triage.set_reward(
            uow,
            current_user._get_current_object(),
            area,
            body.category,
            body.points,
            callers_areas(),
        )
        uow.commit()
    return _rewards(area)
