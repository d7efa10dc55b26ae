"""Public notices on an area's page (fraud warnings, road works, lost and found): officers post
them for their own area and take them down; they leave the page by themselves when they expire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import jsonify, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import police_room.tip_permissions  # noqa: F401 - registers this package's permissions
from app.edge import Id, Input, accepts, parse, submitted, text
from app.errors import DomainError, Invalid, NotFound, wants_json
from app.extensions import db
from app.permissions import requires
from app.types import utcnow
from app.uow import UnitOfWork, unit_of_work
from app.web import form_error, local_datetime
from broadcasts.models import OPEN, Broadcast
from police_room import bp, staff_area
from police_room.models import Notice
from volunteers.areas import areas_of
from volunteers.person import Person

NOT_HERE = _l("This page or item does not exist.")
KINDS = {"notice": _l("Notice"), "fraud": _l("Fraud warning")}
SHOWN = 10


class NoticeBody(Input):
    labels: ClassVar = {
        "title": _l("Title"),
        "body": _l("Text"),
        "kind": _l("Kind"),
        "expires_at": _l("Shown until"),
    }
    area: Id | None = None
    kind: Literal["notice", "fraud"] = "notice"
    title: Annotated[str, text(120, min_length=2)]
    body: Annotated[str, text(2000)] = ""
    expires_at: Annotated[str, text(30)] = ""


class AreaQuery(Input):
    labels: ClassVar = {"area": _l("Police area")}
    area: Id | None = None


def current(session: Session, area_id: int, now: datetime) -> list[Notice]:
    """The area's notices on show now, newest first."""
    query = (
        select(Notice)
        .where(Notice.police_area_id == area_id, Notice.published_at <= now)
        .where(or_(Notice.expires_at.is_(None), Notice.expires_at > now))
        .order_by(Notice.published_at.desc(), Notice.id.desc())
    )
    return list(session.scalars(query.limit(SHOWN)))


def public_broadcasts(session: Session, area_id: int) -> list[Broadcast]:
    """The area's open broadcasts its officers marked public, newest first."""
    query = (
        select(Broadcast)
        .where(Broadcast.police_area_id == area_id, Broadcast.status == OPEN)
        .where(Broadcast.public.is_(True))
        .order_by(Broadcast.created_at.desc(), Broadcast.id.desc())
    )
    return list(session.scalars(query.limit(SHOWN)))


def post(uow: UnitOfWork, person: Person, area_id: int, body: NoticeBody, now: datetime) -> Notice:
    """Put a notice on the area's page, shown until ``expires_at`` (for good when empty)."""
    areas_of(uow.session, person).check(area_id)
    until = local_datetime(body.expires_at)
    if until is not None and until <= now:
        raise Invalid(
            "notice_expired", _l("The date it is shown until has passed."), field="expires_at"
        )
    notice = Notice(
        police_area_id=area_id,
        kind=body.kind,
        title=body.title,
        body=body.body,
        published_at=now,
        expires_at=until,
        created_by_id=person.id,
    )
    uow.session.add(notice)
    uow.session.flush()
    return notice


def take_down(uow: UnitOfWork, person: Person, notice_id: int, now: datetime) -> Notice:
    """End a notice now (it stays in the list, marked ended)."""
    notice = uow.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("not_found", NOT_HERE)
    areas_of(uow.session, person).check(notice.police_area_id)
    if notice.expires_at is None or notice.expires_at > now:
        notice.expires_at = now
    uow.session.flush()
    return notice


def _page(area_id: int | None, **extra: Any) -> dict[str, Any]:
    session = db.session()
    person = current_user._get_current_object()
    area = staff_area.chosen(session, person, area_id)
    listed: list[Notice] = []
    if area is not None:
        listed = list(
            session.scalars(
                select(Notice)
                .where(Notice.police_area_id == area.id)
                .order_by(Notice.published_at.desc(), Notice.id.desc())
                .limit(50)
            )
        )
    return {
        "area": area,
        "choices": staff_area.own_areas(session, person),
        "notices": listed,
        "kinds": KINDS,
        "now": utcnow(),
        **extra,
    }


@bp.get("/officer/notices")
@requires("police_room.notices")
@accepts(query=AreaQuery, described=False)
def notices_page(query: AreaQuery) -> Any:
    """The area's public notices: post one, take one down."""
    return render_template("police_room/notices.html", **_page(query.area))


@bp.post("/officer/notices")
@requires("police_room.notices")
@accepts(NoticeBody, answers={201: None}, inject=False)
def post_notice() -> Any:
    """Post a public notice on one of the officer's areas' pages."""
    data = submitted()
    try:
        body = parse(NoticeBody, data)
        with unit_of_work() as uow:
            person = current_user._get_current_object()
            area = staff_area.chosen(uow.session, person, body.area)
            if area is None:
                raise NotFound("not_found", NOT_HERE)
            notice = post(uow, person, area.id, body, utcnow())
            uow.commit()
    except DomainError as error:
        area_id = str(data.get("area", "")) if isinstance(data, dict) else ""
        return form_error(
            "police_room/notices.html",
            error,
            **_page(int(area_id) if area_id.isdigit() else None, typed=data),
        )
    return _answer(notice, 201)


def _answer(notice: Notice, status: int) -> Any:
    if wants_json():
        return jsonify(id=notice.id, expires_at=notice.expires_at), status
    return redirect(url_for("police_room.notices_page", area=notice.police_area_id)), 303


@bp.post("/officer/notices/<id:notice_id>/end")
@requires("police_room.notices")
@accepts(answers={200: None})
def end_notice(notice_id: int) -> Any:
    """Take a notice off the public page now."""
    with unit_of_work() as uow:
        notice = take_down(uow, current_user._get_current_object(), notice_id, utcnow())
        uow.commit()
    return _answer(notice, 200)
