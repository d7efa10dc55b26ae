"""Pure rules about the organisation an admin sets up: station and police-area names, 24-hour
duty numbers, time zones. No I/O; the set-up and the admin page's services compose them."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

from app.errors import Invalid

DEFAULT_TIMEZONE = "Asia/Shanghai"
# What the forms offer: the zones police rooms in China and its regions keep. An API caller may
# name any IANA zone; zoneinfo decides whether it is one.
TIMEZONE_CHOICES = {
    "Asia/Shanghai": _l("Beijing time (Asia/Shanghai)"),
    "Asia/Urumqi": _l("Xinjiang time (Asia/Urumqi)"),
    "Asia/Hong_Kong": _l("Hong Kong (Asia/Hong_Kong)"),
    "Asia/Macau": _l("Macao (Asia/Macau)"),
    "Asia/Taipei": _l("Taipei (Asia/Taipei)"),
}
# A duty number as people write it: 0515-88880110, (0515) 8888 0110, +86 515 8888 0110, 110.
_DUTY_NUMBER = re.compile(r"^\+?[\d\s()\-]{3,40}$")
MIN_DUTY_DIGITS = 3


def check_org_name(name: str, field: str, label: Any) -> str:
    """A station's, area's or community's name: 1 to 120 characters, spaces tidied."""
    cleaned = " ".join((name or "").split())
    if not 1 <= len(cleaned) <= 120:
        raise Invalid(
            "name_missing",
            _l("%(label)s: please enter a name (at most 120 characters)."),
            field=field,
            label=label,
        )
    return cleaned


def check_duty_number(number: str, field: str, label: Any) -> str:
    """A 24-hour duty number: digits, with the spaces, dashes and brackets people write."""
    cleaned = " ".join((number or "").split())
    digits = sum(c.isdigit() for c in cleaned)
    if not _DUTY_NUMBER.match(cleaned) or digits < MIN_DUTY_DIGITS:
        raise Invalid(
            "duty_number_malformed",
            _l("%(label)s: please enter a phone number with its area code, e.g. 0515-88880110."),
            field=field,
            label=label,
        )
    return cleaned


def check_address(address: str, field: str, label: Any) -> str:
    cleaned = " ".join((address or "").split())
    if len(cleaned) > 200:
        raise Invalid(
            "address_too_long",
            _l("%(label)s is too long (at most %(limit)s characters)."),
            field=field,
            label=label,
            limit=200,
        )
    return cleaned


def check_timezone(key: str, field: str, label: Any) -> str:
    """An IANA time zone zoneinfo knows, such as Asia/Shanghai."""
    try:
        ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            "timezone_unknown",
            _l("%(label)s: please choose a time zone from the list."),
            field=field,
            label=label,
        ) from None
    return key
