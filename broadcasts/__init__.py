"""Area broadcasts: the police room tells the people on duty (or everyone) in chosen grids or a
widening circle what to look for and what to do; phones answer "seen it" with their position.

A package of its own above ``realtime``: it reads live positions and publishes through realtime,
and realtime knows nothing of it."""

from flask import Blueprint

bp = Blueprint("broadcasts", __name__, template_folder="templates")

from broadcasts import routes  # noqa: E402, F401 - the views, on this bp
