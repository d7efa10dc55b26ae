"""Pure rules of the tip box: the tip code people keep, when a reply is due, how old a tip is.

The code is short enough to copy by hand, has no look-alike characters (no 0/O, 1/I/L, no
vowel-made words beyond chance), and is drawn from ``secrets``: 31**10 (about 2**49) codes, read
behind a per-address rate limit, so guessing someone's code is hopeless."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
_TYPED = re.compile(r"[\s\-_.·]+")
COMPLEX_DAYS = 3  # a complex tip is answered within 3 days, counting the day it came


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """``K7QM9XR2TW`` as people read and copy it: ``K7QM-9XR-2TW``."""
    return f"{code[:4]}-{code[4:7]}-{code[7:]}"


def typed_code(text: str) -> str | None:
    """A code as someone typed it (any case, spaces or dashes anywhere), or None when it cannot
    be one of ours."""
    code = _TYPED.sub("", text).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def due_at(created_at: datetime, is_complex: bool, zone: ZoneInfo) -> datetime:
    """When the reply is due: by the end of the local day the tip came, or for a complex tip
    by the end of the third day."""
    day = created_at.astimezone(zone).date()
    days = COMPLEX_DAYS if is_complex else 1
    return datetime.combine(day + timedelta(days=days), time.min, tzinfo=zone)


def age_parts(created_at: datetime, now: datetime) -> tuple[int, int, int]:
    """How old a tip is as (days, hours, minutes), never negative."""
    minutes = max(0, int((now - created_at).total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes
