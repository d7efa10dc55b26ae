"""What the officer's people page shows: the search and its page of people, the counts, and
what the add-a-person, import and first-login-sheet forms offer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.edge import parse
from app.errors import DomainError
from app.extensions import db
from volunteers import people_list
from volunteers.first_login import awaiting_first_login
from volunteers.models import User
from volunteers.roster_schemas import PeopleQuery

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
