"""People and the organisation they patrol in: station -> police area -> community -> grid, and
teams in a community."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.roles import ALL_ROLES
from app.types import UTCDateTime, utcnow

ROLE_VALUES = ", ".join(f"'{role.value}'" for role in sorted(ALL_ROLES))


class Station(Model):
    """A police station (派出所): one server runs one station's police areas, or a district's
    stations."""

    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    duty_phone: Mapped[str] = mapped_column(String(40), default="")  # 24-hour duty number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    areas: Mapped[list[PoliceArea]] = relationship(back_populates="station")


class PoliceArea(Model):
    """A community police room's area of responsibility (警务区). Everything officers,
    dispatchers and field people see and change is walled to their area."""

    __tablename__ = "police_areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    police_room: Mapped[str] = mapped_column(String(200), default="")  # the room's address
    phone: Mapped[str] = mapped_column(String(40), default="")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    # The online police room's address, /area/<slug> (pinyin of the name, e.g. "chengnan").
    slug: Mapped[str | None] = mapped_column(String(60), unique=True)
    reception_hours: Mapped[str] = mapped_column(String(200), default="", server_default="")
    center_lat: Mapped[float]
    center_lon: Mapped[float]
    station: Mapped[Station] = relationship(back_populates="areas")
    communities: Mapped[list[Community]] = relationship(back_populates="police_area")


class Community(Model):
    """A residential community (社区) with its boundary as a GeoJSON Polygon."""

    __tablename__ = "communities"
    id: Mapped[int] = mapped_column(primary_key=True)
    police_area_id: Mapped[int] = mapped_column(ForeignKey("police_areas.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    police_area: Mapped[PoliceArea] = relationship(back_populates="communities")
    grids: Mapped[list[Grid]] = relationship(back_populates="community", order_by="Grid.code")


class Grid(Model):
    """A management grid (网格) looked after by a grid worker; boundary as a GeoJSON Polygon."""

    __tablename__ = "grids"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    boundary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    community: Mapped[Community] = relationship(back_populates="grids")


class Team(Model):
    """A patrol team (巡防队)."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))


class User(Model):
    """A person who logs in with a mobile number. Never deleted while they have history. In a
    request, whoever is logged in is a ``Person`` (volunteers/person.py), not this row."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("communities.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # Police-room staff: an officer or dispatcher of one area, or of the whole station.
    police_area_id: Mapped[int | None] = mapped_column(ForeignKey("police_areas.id"), index=True)
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    on_duty_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    grid: Mapped[Grid | None] = relationship()
    team: Mapped[Team | None] = relationship()
    community: Mapped[Community | None] = relationship()


class LoginSession(Model):
    """One login on one device. Revoking the row makes that device's cookies useless."""

    __tablename__ = "login_sessions"
    # A check-in counts the people logged in on its device lately (checkins/attempts.py): without
    # this index that read scans every login the station ever had, with it only the device's.
    __table_args__ = (
        Index("ix_login_sessions_device", "address", "user_agent", "created_at", "user_id"),
    )
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class InviteCode(Model):
    """A code an officer hands out so a resident can register as a volunteer."""

    __tablename__ = "invite_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grids.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    max_uses: Mapped[int] = mapped_column(Integer, default=50)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Consent(Model):
    """What a person agreed to (or withdrew) and when; append-only, the newest row counts."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    granted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FirstLoginCode(Model):
    """A one-time code on a printed first-login sheet: scanning it opens the set-your-password
    page. Only its SHA-256 is kept (the code is 128 random bits, so a fast hash is enough);
    it works once and expires. Printing a person's sheet again replaces their unused code."""

    __tablename__ = "first_login_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
