"""What the officer's people page shows: the search and its page of people, the counts, and
what the add-a-person, import and first-login-sheet forms offer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from app.edge import parse
from app.errors import DomainError, NotFound
from app.extensions import db
from volunteers import people_list
from volunteers.areas import area_of_community, callers_areas
from volunteers.first_login import awaiting_first_login
from volunteers.models import Community, User
from volunteers.roster_schemas import PeopleQuery
from volunteers.schemas import CommunityChoice

# The community an officer last chose on the people pages (checked against their areas on use).
PEOPLE_COMMUNITY_KEY = "people_community"

# A problem's column as the roster's header names it (the page's "Role" is 身份, the file's 角色).
COLUMN_LABELS = {
    "name": _l("Name"),
    "phone": _l("Mobile number"),
    "role": _l("Role column"),
    "grid": _l("Grid"),
    "team": _l("Team column"),
}
STATUS_LABELS = {
    "active": _l("Active"),
    "on_duty": _l("On duty"),
    "awaiting": _l("Not logged in yet"),
    "disabled": _l("Disabled"),
    "closed": _l("Account closed by its owner"),
}


def _filters(query: PeopleQuery) -> people_list.Filters:
    return people_list.Filters(
        q=query.q,
        role=query.role,
        grid_id=query.grid_id,
        team_id=query.team_id,
        status=query.status,
    )


def filters_from_request() -> tuple[PeopleQuery, DomainError | None]:
    """The list's query from the URL; a wrong one shows everyone, with the error."""
    try:
        return parse(PeopleQuery, request.args.to_dict()), None
    except DomainError as error:
        return PeopleQuery(), error


def people_context(community_id: int, **extra: Any) -> dict[str, Any]:
    """Everything officer_people.html needs; ``extra`` (form, error, preview ...) wins."""
    query, query_error = filters_from_request()
    session = db.session()
    page = people_list.search(session, community_id, _filters(query), query.page or 1)
    awaiting = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.community_id == community_id, User.active.is_(True), awaiting_first_login())
    )
    shown = {k: v for k, v in query.model_dump().items() if v not in (None, "") and k != "page"}
    context = people_list.organisation(session, community_id)
    context.update(
        communities=session.execute(
            select(Community.id, Community.name)
            .where(callers_areas().where(Community.police_area_id))
            .order_by(Community.id)
        ).all(),
        page=page,
        query=query,
        query_string=urlencode(shown),
        awaiting=awaiting or 0,
        statuses=people_list.STATUSES,
        status_labels=STATUS_LABELS,
        column_labels=COLUMN_LABELS,
        form={},
        query_error=query_error,
    )
    context.update(extra)
    return context


def officer_community_id() -> int:
    """The community the people pages show and change: the one a page or form names
    (``community_id``, remembered for the pages after it), else the one chosen before, the
    officer's own, or the first of their police areas. Another area's is 404; an officer placed
    in no area has none (404), never another area's."""
    areas = callers_areas()
    asked = request.values.get("community_id")
    if asked is None and request.is_json:
        body = request.get_json(silent=True)
        asked = body.get("community_id") if isinstance(body, dict) else None
    if asked not in (None, ""):
        chosen = parse(CommunityChoice, {"community_id": asked}).community_id
        if not areas.allows(area_of_community(db.session(), chosen)):
            raise NotFound("community_unknown", _l("That community does not exist."))
        session[PEOPLE_COMMUNITY_KEY] = chosen
        return chosen
    for remembered in (session.get(PEOPLE_COMMUNITY_KEY), current_user.community_id):
        if remembered is not None and areas.allows(area_of_community(db.session(), remembered)):
            return int(remembered)
    first = db.session.scalar(
        select(Community.id)
        .where(areas.where(Community.police_area_id))
        .order_by(Community.id)
        .limit(1)
    )
    if first is None:
        raise NotFound("community_unknown", _l("That community does not exist."))
    return int(first)
