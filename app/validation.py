"""Checks on numbers from forms, APIs and sockets, shared by every package."""

from __future__ import annotations

import math
from typing import Any

from app.errors import Invalid


def number_in_range(value: Any, low: float, high: float, code: str, message: Any) -> float:
    """A finite number between ``low`` and ``high``, or ``Invalid(code)`` (the message may
    name ``%(low)s`` and ``%(high)s``)."""
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(code, message, low=low, high=high) from exc
    if not math.isfinite(number) or not low <= number <= high:
        raise Invalid(code, message, low=low, high=high)
    return number
