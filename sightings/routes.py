"""The phone's sighting API: report, add photos and a voice note, answer a question, my
reports; and the media files, for the reporter and the area's police only."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user

import sightings.permissions  # noqa: F401 - registers this package's permissions
from app.edge import accepts, parse
from app.errors import Invalid, NotFound, TooManyRequests
from app.extensions import db, limiter, per_person
from app.permissions import can, requires
from app.types import utcnow
from app.uow import unit_of_work
from sightings import bp, reporting, views
from sightings.models import SightingMedia
from sightings.schemas import AnswerBody, MediaForm, MediaOut, MySightings, ReportBody, SightingOut
from volunteers.areas import NOT_HERE, areas_of


def _report_limit() -> str:
    return str(current_app.config["SIGHTING_RATE_LIMIT"])


def _media_limit() -> str:
    return str(current_app.config["SIGHTING_MEDIA_RATE_LIMIT"])


def _too_many(_limit: Any) -> None:
    raise TooManyRequests(
        "too_many_reports",
        _l("You have sent many reports in a short time. Please wait a few minutes."),
    )


def _placement() -> reporting.Placement:
    return reporting.Placement(slack_m=float(current_app.config["SIGHTING_AREA_SLACK_M"]))


@bp.post("/api/sightings")
@limiter.limit(_report_limit, key_func=per_person, on_breach=_too_many)
@requires("sightings.report")
@accepts(ReportBody, answers={201: SightingOut, 200: SightingOut})
def create_sighting(body: ReportBody) -> Any:
    """Send a sighting: under review at once (201; 200 for a resend of the same client_id)."""
    with unit_of_work() as uow:
        reporter = current_user._get_current_object()
        sighting, created = reporting.report(
            uow, reporter, body, placement=_placement(), now=utcnow()
        )
        uow.commit()
    [view] = views.reporters_list(db.session(), [sighting])
    return jsonify(view), 201 if created else 200


@bp.post("/api/sightings/<id:sighting_id>/media")
@limiter.limit(_media_limit, key_func=per_person, on_breach=_too_many)
@requires("sightings.report")
@accepts(answers={201: MediaOut, 200: MediaOut}, upload="file")
def add_media(sighting_id: int) -> Any:
    """Add a photo (JPEG, PNG or WebP) or the voice note (WebM/Opus or MP4/AAC) to one's own
    report; ``part`` numbers it, so a resend is stored once (200)."""
    form = parse(MediaForm, request.form.to_dict())
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("invalid_input", _l("Choose a file to send."), field="file")
    with unit_of_work() as uow:
        reporter = current_user._get_current_object()
        media, created = reporting.attach(
            uow, reporter, sighting_id, form.kind, form.part, upload.read()
        )
        uow.commit()
    answer = {
        "id": media.id,
        "kind": media.kind,
        "part": media.part,
        "url": views.media_url(media.id),
        "thumb_url": views.media_url(media.id, thumb=True) if media.thumb_name else None,
    }
    return jsonify(MediaOut.model_validate(answer).model_dump(mode="json")), 201 if created else 200


@bp.get("/api/sightings/mine")
@requires("sightings.report")
@accepts(answers={200: MySightings})
def my_sightings() -> Any:
    """My reports, newest first, with their outcomes and the police room's questions."""
    mine = reporting.mine(db.session(), current_user._get_current_object())
    return jsonify(sightings=views.reporters_list(db.session(), mine))


@bp.post("/api/sightings/<id:sighting_id>/questions/<id:question_id>/answer")
@requires("sightings.report")
@accepts(AnswerBody, answers={200: SightingOut})
def answer_question(sighting_id: int, question_id: int, body: AnswerBody) -> Any:
    """Answer the police room's question about one's report (the first answer stands)."""
    with unit_of_work() as uow:
        reporter = current_user._get_current_object()
        sighting = reporting.answer(uow, reporter, sighting_id, question_id, body.answer, utcnow())
        uow.commit()
    [view] = views.reporters_list(db.session(), [sighting])
    return jsonify(view)


def _viewable(media_id: int) -> SightingMedia:
    """A photo or voice note, for its reporter and the police of its area; 404 to anyone
    else, as if it did not exist."""
    if not current_user.is_authenticated:
        raise NotFound("not_found", NOT_HERE)
    media = db.session.get(SightingMedia, media_id)
    person = current_user._get_current_object()
    if media is None:
        raise NotFound("not_found", NOT_HERE)
    sighting = media.sighting
    if sighting.reporter_id == person.id:
        return media
    if can(person, "sightings.triage") and areas_of(db.session(), person).allows(
        sighting.police_area_id
    ):
        return media
    raise NotFound("not_found", NOT_HERE)


def _send(name: str, mime: str) -> Any:
    response = send_file(reporting.STORE.path_of(name), mimetype=mime, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/media/sightings/<id:media_id>")
def media_file(media_id: int) -> Any:
    media = _viewable(media_id)
    return _send(media.stored_name, media.mime)


@bp.get("/media/sightings/<id:media_id>/thumb")
def media_thumb(media_id: int) -> Any:
    media = _viewable(media_id)
    if media.thumb_name is None:
        raise NotFound("not_found", NOT_HERE)
    return _send(media.thumb_name, "image/jpeg")
