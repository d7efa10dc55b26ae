"""The safety barometer's public page, ``/area/<slug>/barometer`` (no login), and its figures as
JSON for the page's charts: per community, bands and trends of incidents and confirmed sightings
and the patrol coverage, all 24 hours late (police_room/barometer.py, police_room/coverage.py).

The page is server-drawn tables, readable without any script; its script loads the chart
library only after the page has loaded, so the first visit stays within the phone budget."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import jsonify, render_template
from flask_babel import lazy_gettext as _l

from app.edge import accepts
from app.extensions import db
from app.types import utcnow
from police_room import bp
from police_room.barometer import BAND_FLOORS, GROUPS, Place, Trend, barometer
from police_room.coverage import Day, coverage
from police_room.public import area_by_slug
from realtime.labels import KIND_LABELS
from sightings.rules import CATEGORY_LABELS
from volunteers.models import PoliceArea

FIGURES_MAX_AGE = 600  # seconds: the figures change once a day
BAND_LABELS = (_l("fewer than 5"), _l("5 to 9"), _l("10 to 19"), _l("20 to 49"), _l("50 or more"))
GROUP_LABELS = {"incidents": _l("Incidents"), "sightings": _l("Confirmed sightings")}
ALL_OF = {"incidents": _l("All incidents"), "sightings": _l("All confirmed sightings")}
CATEGORY_NAMES = {"incidents": KIND_LABELS, "sightings": CATEGORY_LABELS}
assert len(BAND_LABELS) == len(BAND_FLOORS)  # noqa: S101 - a label for every band


def _trend(found: Trend) -> dict[str, Any]:
    if found.direction == "few":
        words = _l("too few to compare")
    elif found.direction == "steady":
        words = _l("about the same")
    elif found.percent is None:
        words = _l("up") if found.direction == "up" else _l("down")
    elif found.direction == "up":
        words = _l("up %(percent)s%%", percent=found.percent)
    else:
        words = _l("down %(percent)s%%", percent=-found.percent)
    return {"direction": found.direction, "percent": found.percent, "text": str(words)}


def _row(
    group: str, label: str, latest: int, previous: int, trend: Trend, total: bool = False
) -> dict[str, Any]:
    return {
        "group": group,
        "label": label,
        "total": total,
        "latest": str(BAND_LABELS[latest]),
        "previous": str(BAND_LABELS[previous]),
        "trend": _trend(trend),
    }


def short_day(day: date) -> str:
    """A day as residents read it: 12月3日."""
    return str(_l("%(month)s/%(day)s", month=day.month, day=day.day))


def _day(day: Day) -> dict[str, Any]:
    share = round(day.patrolled * 100 / day.points) if day.points else None
    return {
        "day": day.day.isoformat(),
        "label": short_day(day.day),
        "patrolled": day.patrolled,
        "points": day.points,
        "percent": share,
    }


def _place(place: Place, days: tuple[Day, ...], name: str) -> dict[str, Any]:
    rows = []
    for g in GROUPS:  # each group's total, then its categories
        rows.append(
            _row(g, str(ALL_OF[g]), place.weekly[g][-1], place.weekly[g][-2], place.trends[g], True)
        )
        for row in (r for r in place.categories if r.group == g):
            label = str(CATEGORY_NAMES[g].get(row.category, row.category))
            rows.append(_row(g, label, row.latest, row.previous, row.trend))
    return {
        "name": name,
        "has_boundary": place.has_boundary,
        "weekly": {g: list(place.weekly[g]) for g in GROUPS},
        "rows": rows,
        "coverage": [_day(d) for d in days],
    }


def _week(first: date) -> dict[str, str]:
    last = first + timedelta(days=6)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "label": short_day(first),
        "to_label": short_day(last),
    }


def figures(area: PoliceArea) -> dict[str, Any]:
    """The barometer and the coverage of ``area`` as residents read them (translated words)."""
    session, now = db.session(), utcnow()
    found = barometer(session, area, now)
    patrols = coverage(session, area, now)
    places = [_place(found.area, patrols.area.days, str(_l("The whole police area")))]
    places += [
        _place(place, days.days, place.name or "")
        for place, days in zip(found.communities, patrols.communities, strict=True)
    ]
    return {
        "area": {"name": area.name, "slug": area.slug},
        "last_day": (found.until - timedelta(days=1)).isoformat(),
        "last_day_label": short_day(found.until - timedelta(days=1)),
        "weeks": [_week(first) for first in found.weeks],
        "bands": [str(label) for label in BAND_LABELS],
        "groups": {g: str(GROUP_LABELS[g]) for g in GROUPS},
        "places": places,
    }


@bp.get("/area/<slug>/barometer")
def barometer_page(slug: str) -> Any:
    """The safety barometer (治安晴雨表) of a police area, with its patrol coverage."""
    area = area_by_slug(db.session(), slug)
    return render_template("police_room/barometer.html", area=area, figures=figures(area))


@bp.get("/api/area/<slug>/barometer")
@accepts(answers={200: None})
def barometer_figures(slug: str) -> Any:
    """A police area's safety barometer and patrol coverage, 24 hours late, counts in bands."""
    area = area_by_slug(db.session(), slug)
    answer = jsonify(barometer=figures(area))
    answer.cache_control.public = True
    answer.cache_control.max_age = FIGURES_MAX_AGE
    return answer
