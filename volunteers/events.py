"""What changes about people tell the rest of the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DutyChanged:
    user_id: int
    name: str
    role: str
    on_duty: bool


@dataclass(frozen=True)
class LoginsEnded:
    """One login ended (``login_session_id``), or every login of a person (``user_id``)."""

    login_session_id: str | None = None
    user_id: int | None = None
