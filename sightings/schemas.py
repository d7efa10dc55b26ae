"""What the sighting endpoints accept and answer (app/edge.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field, StringConstraints

from app.edge import Id, Input, text
from checkins.schemas import Latitude, Longitude, Metres

Category = Literal[
    "suspicious_person",
    "suspicious_vehicle",
    "suspicious_situation",
    "fire_risk",
    "blocked_fire_lane",
    "fraud_attempt",
]
Detail = Annotated[str, text(100)] | None


class Appearance(Input):
    clothing: Detail = None
    height: Detail = None
    build: Detail = None
    hair: Detail = None
    carrying: Detail = None
    vehicle: Detail = None


class ReportBody(Input):
    """A sighting as the phone sends it; photos and a voice note follow in their own uploads."""

    labels: ClassVar[dict[str, Any]] = {
        "category": _l("What kind of thing"),
        "behaviour": _l("What is happening"),
        "lat": _l("Position"),
        "lon": _l("Position"),
    }
    # Made by the phone once per report, so a resend after a lost answer stores it once.
    client_id: Annotated[
        str, StringConstraints(min_length=8, max_length=36, pattern=r"^[A-Za-z0-9-]+$")
    ]
    category: Category
    behaviour: Annotated[str, text(500, min_length=1)]
    appearance: Appearance = Appearance()
    name_hidden: bool = False
    lat: Latitude
    lon: Longitude
    accuracy_m: Metres | None = None
    position_source: Literal["gps", "map"] = "gps"
    photos: Annotated[int, Field(ge=0, le=3)] = 0
    voice: bool = False


class MediaForm(Input):
    labels: ClassVar[dict[str, Any]] = {"kind": _l("Kind of file"), "part": _l("Number")}
    kind: Literal["photo", "voice"]
    part: Annotated[int, Field(ge=0, le=2)] = 0


class AnswerBody(Input):
    labels: ClassVar[dict[str, Any]] = {"answer": _l("Answer")}
    answer: Annotated[str, text(200, min_length=1)]


class DecideBody(Input):
    labels: ClassVar[dict[str, Any]] = {
        "action": _l("Decision"),
        "reason": _l("Reason"),
        "duplicate_of": _l("Earlier report"),
    }
    action: Literal["confirm", "dismiss", "duplicate", "escalate"]
    reason: Annotated[str, text(300)] = ""
    duplicate_of: Id | None = None
    priority: Annotated[int, Field(ge=1, le=3)] = 2


class QuestionBody(Input):
    labels: ClassVar[dict[str, Any]] = {"text": _l("Question"), "choices": _l("Answers to tap")}
    text: Annotated[str, text(200, min_length=1)]
    choices: Annotated[list[Annotated[str, text(20, min_length=1)]], Field(max_length=4)] = []


class MuteBody(Input):
    muted: bool


class RewardBody(Input):
    labels: ClassVar[dict[str, Any]] = {"points": _l("Points")}
    category: Category
    points: Annotated[int, Field(ge=0, le=1000)]


# Answers


class MediaOut(BaseModel):
    id: int
    kind: str
    part: int
    url: str
    thumb_url: str | None


class QuestionOut(BaseModel):
    id: int
    text: str
    choices: list[str]
    answer: str | None
    asked_at: datetime
    answered_at: datetime | None


class SightingOut(BaseModel):
    """A report as its reporter sees it."""

    id: int
    client_id: str
    category: str
    category_label: str
    behaviour: str
    appearance: dict[str, str]
    lat: float
    lon: float
    position_source: str
    name_hidden: bool
    status: str
    status_label: str
    reason: str
    created_at: datetime
    photos_expected: int
    voice_expected: bool
    media: list[MediaOut]
    questions: list[QuestionOut]
    duplicate_of: int | None
    points: int | None


class Reporter(BaseModel):
    id: int
    name: str
    role: str
    phone: str


class AreaRef(BaseModel):
    id: int
    name: str


class ConsoleSighting(SightingOut):
    """A report as the police room sees it: who sent it, from which area."""

    reporter: Reporter
    area: AreaRef
    muted: bool
    incident_id: int | None


class MySightings(BaseModel):
    sightings: list[SightingOut]


class ConsoleSightings(BaseModel):
    sightings: list[ConsoleSighting]


class Candidate(BaseModel):
    id: int
    category: str
    behaviour: str
    distance_m: float
    created_at: datetime
    status: str


class Candidates(BaseModel):
    candidates: list[Candidate]


class Muted(BaseModel):
    user_id: int
    muted: bool


class RewardOut(BaseModel):
    category: str
    category_label: str
    points: int


class Rewards(BaseModel):
    rewards: list[RewardOut]
