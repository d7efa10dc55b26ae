"""Input declared at the edge: every JSON endpoint and socket event names a pydantic model, and
its handler receives a validated object, never a raw dict.

A malformed body, a wrong type or a value out of range is an ``Invalid`` error that names the
field, in the person's language; it never reaches a service, so it is never stored as evidence.
The OpenAPI description (app/openapi.py) is generated from the same models.

Pydantic rather than marshmallow/flask-smorest: the models are plain typed classes that Socket.IO
handlers, Celery tasks and tests use the same way as routes, and its JSON Schema output is
OpenAPI 3.1's own dialect, so no Blueprint subclass or schema plugin stands between us and Flask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from werkzeug.routing import IntegerConverter

from app.errors import Invalid

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)

MAX_ID = 2**31 - 1  # an INTEGER primary key on PostgreSQL; SQLite's are wider
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]  # an INTEGER column; services narrow it


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


# A form's empty field is "not given", as JSON's null or a missing key.
Blank = BeforeValidator(_blank_is_none)
OptionalId = Annotated[Id | None, Blank]
OptionalInt32 = Annotated[Int32 | None, Blank]


def text(max_length: int, min_length: int = 0) -> StringConstraints:
    """A string field's limits, as ``Annotated[str, text(n)]``: at most ``max_length``
    characters (the column's), spaces trimmed."""
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


class Input(BaseModel):
    """Base of every input model: unknown fields are ignored, the object is read-only.
    ``labels`` names fields as a form shows them (lazily translated), for the error message;
    the answer's ``field`` keeps the machine name."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    labels: ClassVar[Mapping[str, Any]] = {}


class IdConverter(IntegerConverter):
    """``<id:name>`` in a URL: a positive id within the column's range, else 404 (an id past
    2**31 would otherwise reach PostgreSQL and fail there)."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


@dataclass(frozen=True)
class Declared:
    """What an endpoint accepts and answers, for the OpenAPI description."""

    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    answers: Mapping[int, type[BaseModel] | None] = field(default_factory=dict)
    summary: str = ""
    upload: str | None = None  # the form field of a multipart file upload
    described: bool = True  # in the OpenAPI description (and so fuzzed)


def accepts(
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    answers: Mapping[int, type[BaseModel] | None] | None = None,
    *,
    upload: str | None = None,
    described: bool = True,
    inject: bool = True,
) -> Callable[[F], F]:
    """Route decorator: validate the JSON body (or the submitted form) against ``body`` and the
    query string against ``query``; the view gets them as the ``body`` and ``query`` arguments.
    ``answers`` maps each success status to its answer model, for the OpenAPI description;
    ``upload`` names a multipart file field the view reads itself. A view that shows a form
    again with the error (``inject=False``) parses ``submitted()`` itself, inside its ``try``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if body is not None and inject:
                kwargs["body"] = parse(body, submitted())
            if query is not None and inject:
                kwargs["query"] = parse(query, request.args.to_dict())
            return view(*args, **kwargs)

        summary = (view.__doc__ or "").strip().split("\n")[0]
        wrapper.declared = Declared(  # type: ignore[attr-defined]
            body, query, answers or {}, summary, upload, described
        )
        return wrapper  # type: ignore[return-value]

    return decorate


def refuse_unnamed_form_fields() -> None:
    """A before-request check, registered ahead of CSRF protection: a multipart part without a
    name (werkzeug keys it None) is refused as malformed, where Flask-WTF's token search would
    fail on it with a server error."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded") and (
        None in request.form or None in request.files
    ):
        raise Invalid("body_malformed", _l("The request body is not a well-formed form."))


def submitted() -> Any:
    """The JSON body, or the form of a browser's plain POST; a body that is not JSON is refused."""
    if request.is_json:
        data = request.get_json(silent=True)
        if data is None:
            raise Invalid("body_malformed", _l("The request body is not valid JSON."))
        return data
    return request.form.to_dict()


def parse(model: type[M], data: Any) -> M:
    """``data`` as ``model``, or ``Invalid`` naming the first field that is wrong."""
    if not isinstance(data, Mapping):
        raise Invalid("body_malformed", _l("The request body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        labels = model.labels if issubclass(model, Input) else {}
        raise _invalid(exc.errors()[0], labels) from None  # a chain would keep the input alive


_MESSAGES: dict[str, Any] = {
    "missing": _l("%(label)s is required."),
    "int_parsing": _l("%(label)s must be a whole number."),
    "int_type": _l("%(label)s must be a whole number."),
    "int_from_float": _l("%(label)s must be a whole number."),
    "float_parsing": _l("%(label)s must be a number."),
    "float_type": _l("%(label)s must be a number."),
    "finite_number": _l("%(label)s must be a number."),
    "bool_parsing": _l("%(label)s must be yes or no."),
    "bool_type": _l("%(label)s must be yes or no."),
    "string_type": _l("%(label)s must be text."),
    "string_too_long": _l("%(label)s is too long (at most %(limit)s characters)."),
    "string_too_short": _l("%(label)s is too short (at least %(limit)s characters)."),
    "greater_than_equal": _l("%(label)s must be at least %(limit)s."),
    "greater_than": _l("%(label)s must be more than %(limit)s."),
    "less_than_equal": _l("%(label)s must be at most %(limit)s."),
    "less_than": _l("%(label)s must be less than %(limit)s."),
    "literal_error": _l("%(label)s is not one of the allowed values."),
    "enum": _l("%(label)s is not one of the allowed values."),
    "list_type": _l("%(label)s must be a list."),
    "too_long": _l("%(label)s has too many items (at most %(limit)s)."),
    "datetime_from_date_parsing": _l("%(label)s must be a date and time."),
    "datetime_parsing": _l("%(label)s must be a date and time."),
    "datetime_type": _l("%(label)s must be a date and time."),
    "timezone_aware": _l("%(label)s must include its time zone."),
    "time_parsing": _l("%(label)s must be a time of day as hours and minutes, e.g. 21:00."),
    "time_type": _l("%(label)s must be a time of day as hours and minutes, e.g. 21:00."),
}
_LIMITS = ("ge", "gt", "le", "lt", "max_length", "min_length")


def _invalid(error: Mapping[str, Any], labels: Mapping[str, Any]) -> Invalid:
    name = ".".join(str(part) for part in error["loc"]) or "body"
    context = error.get("ctx") or {}
    limit = next((context[key] for key in _LIMITS if key in context), "")
    message = _MESSAGES.get(error["type"], _l("%(label)s is not valid."))
    label = labels.get(str(error["loc"][0]), name) if error["loc"] else name
    return Invalid("invalid_input", message, field=name, label=label, limit=limit)
