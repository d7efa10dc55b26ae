"""A person's own data: what the platform keeps about them, as a spreadsheet to download, and
closing their account.

Why a package of its own, on top of every domain: a person's data lies in all of them (the
account, check-ins, points and orders, offers, sightings, broadcasts, tips and appointments),
and domains import downwards only, so what reads or closes all of it can only live above them
(the import-linter contract's top layer, beside ``officer_day``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("my_data", __name__, template_folder="templates")

from my_data import closing_routes, routes  # noqa: E402, F401 - the views, on this bp
