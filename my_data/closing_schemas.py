"""What closing an account accepts (app/edge.py)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from flask_babel import lazy_gettext as _l

from app.edge import Input, text


class CloseBody(Input):
    """The password typed again and the "I understand" tick (a form sends "1" or nothing)."""

    labels: ClassVar[dict[str, Any]] = {
        "password": _l("Password"),
        "understood": _l("I understand"),
    }
    password: Annotated[str, text(200)] = ""
    understood: bool = False
