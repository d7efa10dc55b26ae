"""The officer's day (issue 18): one page, ``/officer``, that shows a police area's patrols,
queues and incidents for today, live.

Why a package of its own, on top of ``realtime``: the page reads all four domains (points and
check-ins, orders, incidents, people on duty), and domains import downwards only, so it can only
live in ``realtime`` or above it. It lives above it, in the import-linter contract's top layer,
so that it only reads the domains' models and services and changes none of them (``realtime``
keeps its own work on walls and widening to itself). Its live part needs no socket handler of
its own either: the page listens on the console room of its area, which ``/console`` already
joins officers to, and ``officer_day.live`` adds one small event to that room.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("officer_day", __name__, template_folder="templates")

from officer_day import live, routes  # noqa: E402, F401 - the views and the live hook, on this bp
