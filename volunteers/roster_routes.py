"""HTTP edge for people in bulk: the roster's preview and import, the first-login sheet, the
set-your-password page, the XLSX export and the blank template."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

import volunteers.permissions  # noqa: F401 - registers this package's permissions
from app import public_url
from app.edge import accepts, parse, submitted
from app.errors import DomainError, Invalid, NotFound, wants_json
from app.extensions import db
from app.permissions import requires
from app.types import utcnow
from app.uow import unit_of_work
from app.uploads import UploadStore
from app.web import form_error
from app.xlsx import XLSX, Sheet, workbook
from volunteers import first_login, people_list, roster
from volunteers.first_login_sheet import Card, first_login_sheet_pdf
from volunteers.models import Grid
from volunteers.people_page import filters_from_request, officer_community_id, people_context
from volunteers.roster_file import MAX_BYTES, read_roster, too_large
from volunteers.roster_schemas import (
    FirstLoginBody,
    ImportBody,
    RosterImportedOut,
    RosterPreviewOut,
    RosterProblemOut,
    SheetBody,
)
from volunteers.routes import _me, _start_login

bp = Blueprint("roster", __name__, template_folder="templates")

PEOPLE_PAGE = "volunteers/officer_people.html"
UPLOAD_FIELD = "file"
TEMPLATE_EXAMPLE = ("张三", "13800000000", "志愿者", "G01", "巡防一队")
FIRST_LOGIN_PAGE = "volunteers/first_login.html"
UPLOADS = UploadStore(folder="rosters", kind="roster")


def _page(status: int = 200, **extra: Any) -> Any:
    return render_template(PEOPLE_PAGE, **people_context(officer_community_id(), **extra)), status


@bp.post("/officer/people/import")
@requires("volunteers.people.manage")
@accepts(answers={200: RosterPreviewOut}, upload=UPLOAD_FIELD)
def preview() -> Any:
    """Check a roster (XLSX or CSV): every row's problems; nothing is written."""
    community_id = officer_community_id()
    upload = request.files.get(UPLOAD_FIELD)
    try:
        if upload is None:
            raise Invalid("roster_missing", _l("Please choose a spreadsheet file first."))
        data = upload.stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise too_large()
        checked = roster.check_roster(db.session(), community_id, read_roster(data))
    except DomainError as error:
        if wants_json():
            raise
        return _page(error.status, error=error)
    token = UPLOADS.keep(current_user.id, data) if checked.ready else None
    if wants_json():
        return jsonify(
            RosterPreviewOut(
                rows=len(checked.rows),
                ready=checked.ready,
                token=token,
                problems=[
                    RosterProblemOut(
                        line=p.line, field=p.field, code=p.code, message=str(p.message)
                    )
                    for p in checked.problems
                ],
            ).model_dump()
        )
    return _page(preview=checked, token=token, filename=upload.filename or "")


@bp.post("/officer/people/import/confirm")
@requires("volunteers.people.manage")
@accepts(ImportBody, answers={201: RosterImportedOut}, inject=False)
def confirm() -> Any:
    """Import the checked roster: everyone in it, or no one."""
    community_id = officer_community_id()
    try:
        body = parse(ImportBody, submitted())
        data = UPLOADS.read(current_user.id, body.token)
        with unit_of_work() as uow:
            rows = read_roster(data)
            people = roster.import_roster(uow, current_user, community_id, rows)
            uow.commit()
        UPLOADS.discard(current_user.id, body.token)
    except DomainError as error:
        return form_error(PEOPLE_PAGE, error, **people_context(community_id))
    if wants_json():
        return jsonify(imported=len(people), sheet_url=url_for("roster.sheet")), 201
    return redirect(url_for("volunteers.officer_people", imported=len(people), status="awaiting"))


@bp.post("/officer/people/first-login-sheet")
@requires("volunteers.people.manage")
def sheet() -> Any:
    """The first-login sheet (PDF) for everyone who has not chosen a password, or one grid's.
    Printing issues new codes: an earlier sheet's codes for these people stop working."""
    community_id = officer_community_id()
    body = parse(SheetBody, submitted())
    session = db.session()
    people = people_list.awaiting_people(session, community_id, body.grid_id)
    if not people:
        raise NotFound(
            "nobody_awaiting",
            _l("Everyone here has chosen a password already: there is no sheet to print."),
        )
    grids = dict(
        session.execute(select(Grid.id, Grid.name).where(Grid.community_id == community_id)).all()
    )
    base = public_url.base()
    with unit_of_work() as uow:
        issued = first_login.issue_codes(uow, current_user, people, days=first_login.CODE_DAYS)
        cards = [
            Card(
                name=item.user.name,
                grid=grids.get(item.user.grid_id or 0, ""),
                phone=item.user.phone,
                url=base + url_for("roster.first_login_page", code=item.code),
            )
            for item in issued
        ]
        uow.commit()
    until = (utcnow() + timedelta(days=first_login.CODE_DAYS)).strftime("%Y-%m-%d")
    note = f"二维码 {until} 前有效，只能用一次"
    pdf = first_login_sheet_pdf("万家卫士 · 首次登录单", cards, note=note)
    return send_file(
        io.BytesIO(pdf), mimetype="application/pdf", download_name="first-login-sheet.pdf"
    )


@bp.get("/first-login/<code>")
def first_login_page(code: str) -> Any:
    """The page a first-login sheet's QR code opens: a greeting by name, a new password twice."""
    try:
        person = first_login.person_for_code(db.session(), code)
    except DomainError as error:
        return render_template(FIRST_LOGIN_PAGE, error=error, person=None), error.status
    return render_template(FIRST_LOGIN_PAGE, person=person, code=code)


@bp.post("/first-login/<code>")
@accepts(FirstLoginBody, answers={200: None}, inject=False)
def first_login_set(code: str) -> Any:
    """Choose a password with a first-login sheet's code; the person is then logged in."""
    try:
        body = parse(FirstLoginBody, submitted())
        with unit_of_work() as uow:
            user = first_login.redeem(
                uow,
                code,
                body.password,
                body.password_again,
                hash_method=current_app.config.get("PASSWORD_HASH_METHOD"),
            )
            uow.commit()
    except DomainError as error:
        if wants_json():
            raise
        try:
            person = first_login.person_for_code(db.session(), code)
        except DomainError:  # spent or expired: the page says so, with no form
            person = None
        return render_template(FIRST_LOGIN_PAGE, error=error, person=person, code=code), (
            error.status
        )
    logged_in = _start_login(user)
    if wants_json():
        return jsonify(user=_me(logged_in))
    return redirect(url_for("volunteers.profile", welcome=1))


@bp.get("/officer/people/export.xlsx")
@requires("volunteers.people.manage")
def export() -> Any:
    """The list as the search shows it, every page, as XLSX (the import reads it back)."""
    query, error = filters_from_request()
    if error is not None:
        raise error
    filters = people_list.Filters(query.q, query.role, query.grid_id, query.team_id, query.status)
    data = people_list.export_xlsx(db.session(), officer_community_id(), filters)
    name = f"people-{utcnow():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/officer/people/template.xlsx")
@requires("volunteers.people.manage")
def template() -> Any:
    """A blank roster with the columns the import reads and one example row."""
    data = workbook([Sheet("人员", people_list.EXPORT_HEADERS[:5], [TEMPLATE_EXAMPLE])])
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name="roster-template.xlsx",
    )
