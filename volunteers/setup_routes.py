"""HTTP edge for setting up a new server: the one-time link's page (volunteers/setup.py)."""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for

from app.edge import parse, submitted
from app.errors import DomainError, Invalid, wants_json
from app.extensions import db
from app.uow import unit_of_work
from app.web import form_error
from volunteers import setup
from volunteers.admin_areas import AreaDetails
from volunteers.admin_rules import DEFAULT_TIMEZONE, TIMEZONE_CHOICES
from volunteers.admin_schemas import AreaBody, SetUpBody
from volunteers.routes import _start_login

bp = Blueprint("setup", __name__, template_folder="templates")

AREA_FIELDS = ("name", "police_room", "phone", "timezone")
BLANK_AREA = {"name": "", "police_room": "", "phone": "", "timezone": DEFAULT_TIMEZONE}


def _submitted() -> dict[str, Any]:
    """JSON as sent; a browser's form sends each area field once per row (``area_name`` ...),
    and a row left wholly blank is no area."""
    if request.is_json:
        return submitted()
    form = request.form
    data: dict[str, Any] = {k: v for k, v in form.items() if not k.startswith("area_")}
    columns = [form.getlist(f"area_{field}") for field in AREA_FIELDS]
    rows = [
        dict(zip(AREA_FIELDS, values, strict=True))
        for values in zip_longest(*columns, fillvalue="")
    ]
    data["areas"] = [
        row for row in rows if any(str(row[f]).strip() for f in ("name", "police_room", "phone"))
    ]
    return data


def _areas(rows: list[Any]) -> list[AreaDetails]:
    areas = []
    for index, row in enumerate(rows):
        try:
            body = parse(AreaBody, row)
        except Invalid as error:
            raise setup.row_error(index, error) from None
        areas.append(AreaDetails(body.name, body.police_room, body.phone, body.timezone))
    return areas


def _page(token: str, form: dict[str, Any], error: DomainError | None = None) -> Any:
    rows = form.get("areas") if isinstance(form.get("areas"), list) else None
    context = {
        "token": token,
        "form": form,
        "rows": [r for r in (rows or [BLANK_AREA]) if isinstance(r, dict)] or [BLANK_AREA],
        "timezones": TIMEZONE_CHOICES,
    }
    if error is not None:
        return form_error("volunteers/setup.html", error, **context)
    return render_template("volunteers/setup.html", **context)


@bp.route("/setup/<token>", methods=["GET", "POST"])
def set_up(token: str) -> Any:
    """The first admin, the station and its police areas, through the link the server printed."""
    secret = current_app.config["SECRET_KEY"]
    setup.check_link(db.session(), secret, token)  # forged 404, expired 410, set up 409
    if request.method == "GET":
        return _page(token, {})
    data = _submitted()
    try:
        body = parse(SetUpBody, data)
        with unit_of_work() as uow:
            admin = setup.set_up(
                uow,
                name=body.name,
                phone=body.phone,
                password=body.password,
                station_name=body.station_name,
                station_phone=body.station_phone,
                areas=_areas(body.areas),
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
            uow.commit()
    except DomainError as error:
        if isinstance(data, dict):
            data.pop("password", None)  # never sent back into the page
        return _page(token, data if isinstance(data, dict) else {}, error)
    _start_login(admin)
    if wants_json():
        return jsonify(admin={"id": admin.id, "name": admin.name, "role": admin.role}), 201
    return redirect(url_for("admin.areas", welcome=1))
