"""Pure rules for sightings (no I/O): what a report must say, which words turn it from
behaviour to who someone is, which earlier reports may be the same thing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from geopy.distance import distance

CATEGORY_LABELS = {
    "suspicious_person": _l("Suspicious person"),
    "suspicious_vehicle": _l("Suspicious vehicle"),
    "suspicious_situation": _l("Suspicious situation"),
    "fire_risk": _l("Fire risk"),
    "blocked_fire_lane": _l("Blocked fire lane"),
    "fraud_attempt": _l("Fraud attempt"),
}
CATEGORIES = tuple(CATEGORY_LABELS)

# The incident kind (realtime/labels.py) a sighting becomes when it is escalated.
INCIDENT_KIND = {
    "suspicious_person": "suspicious",
    "suspicious_vehicle": "suspicious",
    "suspicious_situation": "suspicious",
    "fire_risk": "fire",
    "blocked_fire_lane": "traffic",
    "fraud_attempt": "other",
}

STATUS_LABELS = {
    "review": _l("Under review"),
    "confirmed": _l("Confirmed"),
    "dismissed": _l("Dismissed"),
    "duplicate": _l("Already reported"),
    "escalated": _l("Police dispatched"),
}
OPEN = "review"

APPEARANCE_FIELDS = ("clothing", "height", "build", "hair", "carrying", "vehicle")

# Who someone is rather than what they do: origin, accent, ethnicity (Nextdoor's behaviour-first
# form cut profiling posts by 75%; people then write it into free text, so free text is checked).
_PLACES = (
    "北京|天津|河北|山西|内蒙古?|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|"
    "湖南|广东|广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|东北|西北|外地|外省|农村|乡下"
)
_PROFILING = re.compile(
    r"籍贯|口音|方言|民族|种族|肤色|黑人|白人|老外|外国人|"
    r"汉族|回族|维族|维吾尔|藏族|蒙古族|壮族|苗族|彝族|朝鲜族|"
    rf"(?:{_PLACES})(?:人|籍|口音|话|佬)|"
    r"\b(?:race|racial|ethnic\w*|accent|nationality|skin\s+colou?r|foreigner)\b",
    re.IGNORECASE,
)


def profiling_word(text: str) -> str | None:
    """The first word in ``text`` that describes who someone is instead of what they do."""
    found = _PROFILING.search(text)
    return found.group(0) if found else None


def first_profiling_field(texts: Mapping[str, str]) -> str | None:
    """The name of the first field whose text profiles rather than describes behaviour."""
    return next((name for name, text in texts.items() if text and profiling_word(text)), None)


def appearance_details(appearance: Mapping[str, str | None]) -> dict[str, str]:
    """The appearance fields actually filled in."""
    return {
        k: v.strip() for k, v in appearance.items() if k in APPEARANCE_FIELDS and v and v.strip()
    }


def enough_appearance(details: Mapping[str, str]) -> bool:
    """No appearance at all, or at least two details: one trait alone points at a type of
    person, not at the person seen."""
    return len(details) != 1


@dataclass(frozen=True)
class Nearby:
    id: int
    category: str
    lat: float
    lon: float
    created_at: datetime


@dataclass(frozen=True)
class Suggestion:
    id: int
    distance_m: float


def metres_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(distance(a, b).m)


def suggest_duplicates(
    report: Nearby,
    candidates: Iterable[Nearby],
    *,
    radius_m: float,
    window: timedelta,
    limit: int = 5,
) -> list[Suggestion]:
    """FixMyStreet's rule: the same category, within ``radius_m`` and ``window`` of the report,
    nearest first, at most ``limit`` (``candidates`` are the area's open reports)."""
    found = []
    for other in candidates:
        if other.id == report.id or other.category != report.category:
            continue
        if abs(other.created_at - report.created_at) > window:
            continue
        metres = metres_between((report.lat, report.lon), (other.lat, other.lon))
        if metres <= radius_m:
            found.append(Suggestion(other.id, round(metres, 1)))
    return sorted(found, key=lambda s: (s.distance_m, s.id))[:limit]


def seconder_points(points: int) -> int:
    """A duplicate's reporter seconds the confirmed report: half its points, at least one
    (none where the category pays nothing)."""
    return max(1, points // 2) if points > 0 else 0
