"""The OpenAPI 3.1 description of the JSON API, generated from the input and answer models the
endpoints declare with ``app.edge.accepts``; served at ``/api/openapi.json`` and fuzzed by
schemathesis in the test suite."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify
from pydantic import BaseModel

from app.edge import MAX_ID, Declared

bp = Blueprint("openapi", __name__)

# Any endpoint may answer these: a malformed body or failed CSRF check, no login, the wrong role,
# something that does not exist (or is not yours), a conflict, a bad field, too many calls.
ERRORS = {
    400: "Malformed request or CSRF check failed",
    401: "Not logged in",
    403: "Not allowed for this role",
    404: "Not found",
    409: "Conflict with the current state",
    422: "A field is missing or not valid",
    429: "Too many requests",
}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": "string"},
            },
        }
    },
}
AUTHENTICATION = (
    "Log in with POST /login (phone, password); calls carry the login's session cookie and, "
    "for every POST, PATCH or DELETE, the page's CSRF token in the X-CSRFToken header "
    '(from <meta name="csrf-token"> on any page). Endpoints that also serve a page answer '
    "JSON when asked for it with Accept: application/json."
)
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@bp.get("/api/openapi.json")
def openapi() -> Any:
    return jsonify(describe(current_app))


def describe(app: Flask) -> dict[str, Any]:
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        declared: Declared | None = getattr(app.view_functions[rule.endpoint], "declared", None)
        if declared is None or not declared.described:
            continue
        path = _PARAMETER.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, declared, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Wanjia Watch 万家卫士",
            "version": "1",
            "description": AUTHENTICATION,
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _operation(rule: Any, declared: Declared, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": rule.endpoint,
        "summary": declared.summary,
        "parameters": [_path_parameter(kind, name) for kind, name in _PARAMETER.findall(rule.rule)],
        "responses": {
            str(status): _answer(model, schemas) for status, model in declared.answers.items()
        },
    }
    for status, description in ERRORS.items():
        operation["responses"].setdefault(
            str(status),
            {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    if declared.query is not None:
        schema = _schema(declared.query, schemas)
        operation["parameters"] += [
            {
                "name": name,
                "in": "query",
                "required": name in schema.get("required", ()),
                "schema": field,
            }
            for name, field in schema["properties"].items()
        ]
    if declared.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _reference(declared.body, schemas)}},
        }
    if declared.upload is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [declared.upload],
                        "properties": {declared.upload: {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    return operation


def _path_parameter(kind: str, name: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if kind == "id":
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif kind == "int":
        schema = {"type": "integer", "minimum": 0}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _answer(model: type[BaseModel] | None, schemas: dict[str, Any]) -> dict[str, Any]:
    if model is None:
        return {"description": "Done", "content": {"application/json": {"schema": {}}}}
    return {
        "description": (model.__doc__ or model.__name__).strip().split("\n")[0],
        "content": {"application/json": {"schema": _reference(model, schemas)}},
    }


def _reference(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    _schema(model, schemas)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, Any]:
    """The model's JSON Schema, its nested models put among the components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return schema
