"""What changes about people tell the rest of the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DutyChanged:
    user_id: int
    name: str
    role: str
    on_duty: bool
