"""Stored codes in the reader's words, for the codes no domain labels itself."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l

CHECKIN_STATUS = {
    "valid": _l("Counted"),
    "refused": _l("Refused"),
    "held": _l("Waiting for an officer"),
    "rejected": _l("Turned down by an officer"),
}
ROUTE_STATUS = {
    "completed": _l("Walked in full"),
    "partial": _l("Partly walked"),
    "missed": _l("Not walked"),
}
TIP_STATUS = {"new": _l("Waiting for a reply"), "replied": _l("Replied"), "closed": _l("Closed")}
YES, NO = _l("Yes"), _l("No")


def words(labels: Mapping[str, object], code: str | None) -> str:
    """A stored code in the reader's words (the code itself if it has none)."""
    return "" if code is None else str(labels.get(code, code))
