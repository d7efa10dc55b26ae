"""Permissions as data: each package declares ``PERMISSIONS``; one checker enforces them.

Routes use ``@requires("name")``; socket handlers use ``@socket_requires("name")``. The role x
endpoint tests are generated from the same table, so a new permission is tested automatically.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.errors import Forbidden, Unauthorized, wants_json
from app.roles import Role

F = TypeVar("F", bound=Callable[..., Any])
_REGISTRY: dict[str, frozenset[Role]] = {}


def not_logged_in() -> Unauthorized:
    """A new error for every refusal: a shared instance's traceback would grow with each raise
    and keep every refused request's frames alive."""
    return Unauthorized("login_required", _l("Please log in first."))


def register(permissions: Mapping[str, Iterable[Role]]) -> None:
    for name, roles in permissions.items():
        if name in _REGISTRY and _REGISTRY[name] != frozenset(roles):
            raise ValueError(f"permission {name!r} declared twice with different roles")
        _REGISTRY[name] = frozenset(roles)


def all_permissions() -> dict[str, frozenset[Role]]:
    return dict(_REGISTRY)


def roles_for(permission: str) -> frozenset[Role]:
    return _REGISTRY[permission]


def can(user: Any, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Role(user.role) in _REGISTRY[permission]


def check(user: Any, permission: str) -> None:
    """Raise ``Unauthorized`` for anonymous callers and ``Forbidden`` for the wrong role."""
    if not getattr(user, "is_authenticated", False):
        raise not_logged_in()
    if not can(user, permission):
        raise Forbidden("forbidden_role", _l("Your role is not allowed to do that."))


def requires(permission: str) -> Callable[[F], F]:
    """Route decorator. Anonymous browsers are sent to the login page and brought back."""
    if permission not in _REGISTRY:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user._get_current_object()  # one lookup, not one per attribute
            if not user.is_authenticated and not wants_json():
                return redirect(url_for("volunteers.login", next=request.full_path.rstrip("?")))
            check(user, permission)
            return view(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def socket_requires(permission: str) -> Callable[[F], F]:
    """Socket.IO handler decorator; the error handler turns a refusal into an ``error`` event."""
    if permission not in _REGISTRY:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            check(current_user, permission)
            return handler(*args, **kwargs)

        wrapper.permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
