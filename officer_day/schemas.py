"""Input of the officer's day."""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l

from app.edge import Id, Input


class DayQuery(Input):
    """Which of the officer's police areas to show; the first when left out."""

    area: Id | None = None
    labels: ClassVar = {"area": _l("Police area")}
