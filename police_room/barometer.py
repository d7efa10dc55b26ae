"""The safety barometer (治安晴雨表): per community of a police area, its incidents and confirmed
sightings by category, week by week, with the change against the week before (环比).

What residents see is cautious on purpose: counts only as bands (under 5 reads "fewer than 5"),
trends as words, communities in their fixed order (never a ranking of named places: one named
"most burgled" was feared for house prices), no position or address of any event, and nothing
from the last 24 hours (``shown_until``). Events are placed in a community by their position
inside its drawn boundary; those outside every boundary count for the whole area only.

Pure computation from a session: two reads (the area's events of the weeks shown, its
communities), then shapely and plain Python."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from realtime.labels import KIND_LABELS
from realtime.models import Incident
from sightings.models import Sighting
from sightings.rules import CATEGORY_LABELS
from volunteers.models import Community, PoliceArea

LATE = timedelta(hours=24)  # nothing newer is shown
WEEKS = 12
FEWER_THAN = 5  # a count under this reads "fewer than 5"
BAND_FLOORS = (0, FEWER_THAN, 10, 20, 50)  # band i holds counts from BAND_FLOORS[i]
STEADY_PERCENT = 10  # a change smaller than this reads "about the same"
INCIDENTS, SIGHTINGS = "incidents", "sightings"
GROUPS = (INCIDENTS, SIGHTINGS)
CONFIRMED = "confirmed"  # a sighting an officer confirmed (sightings/triage.py)
# The categories in the order every community shows them, per group.
CATEGORY_ORDER = {INCIDENTS: tuple(KIND_LABELS), SIGHTINGS: tuple(CATEGORY_LABELS)}

Direction = Literal["up", "down", "steady", "few"]


@dataclass(frozen=True)
class Trend:
    """The change of the latest week against the one before: ``few`` when both are under 5
    (too few to compare); a percent only when both are 5 or more."""

    direction: Direction
    percent: int | None = None


@dataclass(frozen=True)
class CategoryRow:
    group: str  # incidents | sightings
    category: str  # an incident kind or a sighting category
    latest: int  # band index of the latest week
    previous: int  # band index of the week before
    trend: Trend


@dataclass(frozen=True)
class Place:
    """A community's barometer (or the whole area's, ``name`` None)."""

    name: str | None
    has_boundary: bool
    weekly: dict[str, tuple[int, ...]]  # group -> band index per week, oldest first
    trends: dict[str, Trend]  # group -> latest week against the one before
    categories: tuple[CategoryRow, ...]


@dataclass(frozen=True)
class Barometer:
    until: date  # the first day not shown: events before its local midnight count
    weeks: tuple[date, ...]  # each week's first day, oldest first; a week is 7 days
    area: Place
    communities: tuple[Place, ...]


def band(count: int) -> int:
    """The band a count falls in: 0 is "fewer than 5"."""
    return bisect_right(BAND_FLOORS, count) - 1


def trend(current: int, previous: int) -> Trend:
    """环比 without revealing a count under 5: a direction only when one side is under 5."""
    if current < FEWER_THAN and previous < FEWER_THAN:
        return Trend("few")
    if current < FEWER_THAN or previous < FEWER_THAN:
        return Trend("up" if current > previous else "down")
    percent = round((current - previous) * 100 / previous)
    if abs(percent) < STEADY_PERCENT:
        return Trend("steady", percent)
    return Trend("up" if percent > 0 else "down", percent)


def shown_until(now: datetime, zone: ZoneInfo) -> date:
    """The first local day not shown: whole days only, each at least 24 hours after its end
    (at 10:00 on the 5th, the 3rd is the last day shown)."""
    return (now - LATE).astimezone(zone).date()


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts, in UTC (as the columns store it)."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _events(
    session: Session, area_id: int, since: datetime, until: datetime
) -> list[tuple[str, str, float, float, datetime]]:
    """(group, category, lat, lon, when) of the area's incidents and confirmed sightings."""
    incidents = session.execute(
        select(Incident.kind, Incident.lat, Incident.lon, Incident.created_at).where(
            Incident.police_area_id == area_id,
            Incident.created_at >= since,
            Incident.created_at < until,
        )
    ).all()
    sightings = session.execute(
        select(Sighting.category, Sighting.lat, Sighting.lon, Sighting.created_at).where(
            Sighting.police_area_id == area_id,
            Sighting.status == CONFIRMED,
            Sighting.created_at >= since,
            Sighting.created_at < until,
        )
    ).all()
    return [(INCIDENTS, *row) for row in incidents] + [(SIGHTINGS, *row) for row in sightings]


def _polygon(boundary: dict[str, Any] | None) -> Any:
    """A community's boundary as a prepared shapely geometry, or None when it has none usable."""
    if not boundary:
        return None
    try:
        geometry = shape(boundary)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
        return None
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    shapely.prepare(geometry)
    return geometry


def _place(
    name: str | None,
    has_boundary: bool,
    counts: dict[tuple[str, str], list[int]],
    shown: Sequence[tuple[str, str]],
    weeks: int,
) -> Place:
    weekly, trends = {}, {}
    for group in GROUPS:
        totals = [sum(counts[key][w] for key in counts if key[0] == group) for w in range(weeks)]
        weekly[group] = tuple(band(n) for n in totals)
        trends[group] = trend(totals[-1], totals[-2] if weeks > 1 else 0)
    rows = []
    for key in shown:
        series = counts.get(key, [0] * weeks)
        previous = series[-2] if weeks > 1 else 0
        rows.append(
            CategoryRow(*key, band(series[-1]), band(previous), trend(series[-1], previous))
        )
    return Place(name, has_boundary, weekly, trends, tuple(rows))


def barometer(session: Session, area: PoliceArea, now: datetime, weeks: int = WEEKS) -> Barometer:
    """The area's barometer as of ``now``: ``weeks`` whole weeks ending at ``shown_until``."""
    zone = ZoneInfo(area.timezone)
    until = shown_until(now, zone)
    firsts = tuple(until - timedelta(days=7 * (weeks - i)) for i in range(weeks))
    starts = [midnight(day, zone) for day in firsts]
    events = _events(session, area.id, starts[0], midnight(until, zone))
    communities = session.execute(
        select(Community.name, Community.boundary)
        .where(Community.police_area_id == area.id)
        .order_by(Community.id)
    ).all()
    polygons = [_polygon(c.boundary) for c in communities]

    lats = np.array([e[2] for e in events], dtype=float)
    lons = np.array([e[3] for e in events], dtype=float)
    inside = [
        shapely.contains_xy(p, lons, lats) if p is not None and events else None for p in polygons
    ]
    whole: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * weeks)
    per: list[dict[tuple[str, str], list[int]]] = [
        defaultdict(lambda: [0] * weeks) for _ in communities
    ]
    for i, (group, category, _lat, _lon, when) in enumerate(events):
        week = bisect_right(starts, when) - 1
        whole[(group, category)][week] += 1
        for c, hits in enumerate(inside):
            if hits is not None and hits[i]:
                per[c][(group, category)][week] += 1
                break  # communities do not overlap; the first holding it has it

    # Every community shows the same rows (the categories seen anywhere in the area), so a
    # row's absence never tells "none here" from "fewer than 5".
    shown = [(g, c) for g in GROUPS for c in CATEGORY_ORDER[g] if (g, c) in whole]
    shown += sorted(key for key in whole if key not in shown)  # a kind no label knows yet
    return Barometer(
        until=until,
        weeks=firsts,
        area=_place(None, True, whole, shown, weeks),
        communities=tuple(
            _place(c.name, polygons[i] is not None, per[i], shown, weeks)
            for i, c in enumerate(communities)
        ),
    )
