"""Setting up a new server without the demo: a one-time link for the first admin, and the set-up
itself (the admin, the station and its police areas) in one unit of work.

The link is a token signed with the app's secret (itsdangerous, salt "setup") that expires; it
needs no table, because it works only while no station exists: once the set-up is done, every
link, used or not, is refused as "already set up". ``wanjia run`` and ``wanjia setup-link``
print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import Conflict, DomainError, Invalid, NotFound
from app.roles import Role
from app.uow import UnitOfWork
from volunteers import admin_rules, services
from volunteers.admin_areas import AreaDetails, checked_area, new_area
from volunteers.models import Station, User

SALT = "setup"
LINK_MAX_AGE = timedelta(hours=24)
_PURPOSE = "first-admin"


class LinkExpired(DomainError):
    status = 410


def is_set_up(session: Session) -> bool:
    """A server is set up once it has a station (the set-up or the demo made one)."""
    return session.scalar(select(Station.id).limit(1)) is not None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def new_link_token(secret_key: str) -> str:
    """A fresh set-up token; it expires after ``LINK_MAX_AGE``."""
    return str(_serializer(secret_key).dumps(_PURPOSE))


def check_link(
    session: Session, secret_key: str, token: str, max_age: timedelta = LINK_MAX_AGE
) -> None:
    """Refuse a forged link (404, as a page that does not exist), an expired one (410) and any
    link once the server is set up (409)."""
    try:
        purpose = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise LinkExpired(
            "setup_link_expired",
            _l(
                "This set-up link has expired. On the server, run `wanjia setup-link` "
                "for a new one."
            ),
        ) from None
    except BadSignature:
        raise _unknown_link() from None
    if purpose != _PURPOSE:
        raise _unknown_link()
    if is_set_up(session):
        raise _already_set_up()


def _unknown_link() -> NotFound:
    return NotFound(
        "setup_link_unknown",
        _l("This set-up link is not valid. Copy the whole link the server printed."),
    )


def _already_set_up() -> Conflict:
    return Conflict(
        "already_set_up",
        _l("This server is already set up. Log in with the administrator's account."),
    )


def row_error(index: int, error: Invalid) -> Invalid:
    """``error`` about one area row of the set-up form, naming the row ("Police area 2")."""
    field = error.params.get("field")
    label = error.params.get("label", field)
    where = {"field": f"areas.{index}" + (f".{field}" if field else "")}
    if label is not None:
        where["label"] = _l("%(row)s · %(field)s", row=row_label(index), field=label)
    return Invalid(error.code, error.message, **error.params | where)


def row_label(index: int) -> Any:
    return _l("Police area %(n)s", n=index + 1)


def _lock_stations(session: Session) -> None:
    """Two people sending the set-up form at once: the second must see the first's station.
    SQLite's writing unit began IMMEDIATE (one writer); PostgreSQL needs the table locked."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE stations IN SHARE ROW EXCLUSIVE MODE"))


def set_up(
    uow: UnitOfWork,
    *,
    name: str,
    phone: str,
    password: str,
    station_name: str,
    station_phone: str,
    areas: Sequence[AreaDetails],
    hash_method: str | None = None,
) -> User:
    """The first admin, the station and its police areas, all or nothing (the caller commits).
    Refused (409) once a station exists."""
    _lock_stations(uow.session)
    if is_set_up(uow.session):
        raise _already_set_up()
    if not areas:
        raise Invalid(
            "areas_missing",
            _l("%(label)s: add at least one police area.", label=_l("Police areas")),
            field="areas",
        )
    admin = services.create_user(
        uow, name=name, phone=phone, password=password, role=Role.ADMIN, hash_method=hash_method
    )
    station = Station(
        name=admin_rules.check_org_name(station_name, "station_name", _l("Police station name")),
        duty_phone=admin_rules.check_duty_number(
            station_phone, "station_phone", _l("Station's 24-hour duty number")
        ),
    )
    for index, details in enumerate(areas):
        try:
            uow.session.add(new_area(uow.session, station, checked_area(details)))
        except Invalid as error:
            raise row_error(index, error) from None
    names = [" ".join(a.name.split()) for a in areas]
    if len(set(names)) != len(names):
        raise Invalid(
            "area_name_taken",
            _l("%(label)s: two areas have the same name.", label=_l("Police areas")),
            field="areas",
        )
    uow.session.flush()  # the station's id, for the admin's place
    admin.station_id = station.id
    uow.session.flush()
    return admin
