"""The application shell: ``create_app`` wires settings, extensions, packages and errors."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app import assets, metrics, request_log, security_headers, socket_rooms
from app.config import load_settings
from app.edge import IdConverter, refuse_unnamed_form_fields
from app.extensions import babel, csrf, db, limiter, login_manager, migrate, socketio
from app.i18n import compile_catalogs, select_locale

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Utf8JSONProvider(DefaultJSONProvider):
    """Chinese as UTF-8 (3 bytes a character), not ``\\uXXXX`` escapes (6): JSON answers and
    the labels pages embed with ``tojson`` are mostly Chinese, and phones are on 3G."""

    ensure_ascii = False


def create_app(
    config: type | dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app; ``instance_path`` (or ``WANJIA_INSTANCE_PATH``) holds the database, keys."""
    app = Flask(
        __name__,
        instance_path=os.path.abspath(
            instance_path
            or os.environ.get("WANJIA_INSTANCE_PATH")
            or os.path.join(ROOT, "instance")
        ),
        static_folder=os.path.join(ROOT, "static"),
    )
    load_settings(app, config)
    app.url_map.converters["id"] = IdConverter  # <id:name>: ids within the column's range
    app.json = Utf8JSONProvider(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    compile_catalogs(app)
    # First of the after-request hooks, so its HTML compression runs after all the others.
    assets.init_app(app)
    request_log.init_app(app)  # first of the before-request hooks: every line has the id
    metrics.init_app(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from app.uow import configure_sqlite

            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True)
    app.before_request(refuse_unnamed_form_fields)  # ahead of CSRF protection, which fails on them
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        # Made here, not by Flask-SocketIO from a message_queue URL: ours index each socket's
        # rooms (app/socket_rooms.py); with a Redis URL, events cross processes through it.
        client_manager=socket_rooms.client_manager(app.config.get("REDIS_URL")),
        # None (the default) allows the same origin only; the stubs leave None out.
        cors_allowed_origins=app.config.get("SOCKETIO_ALLOWED_ORIGINS"),  # type: ignore[arg-type]
    )

    import broadcasts.models  # noqa: F401 - every table must be known to migrations
    import checkins.models  # noqa: F401
    import hotspots.models  # noqa: F401
    import police_room.models  # noqa: F401
    import realtime.models  # noqa: F401
    import rewards.models  # noqa: F401
    import sightings.models  # noqa: F401
    import volunteers.models  # noqa: F401
    from app.celery_app import celery_init_app

    celery_init_app(app)

    import volunteers.cli  # noqa: F401 - adds create-user to the blueprint's commands
    from app.errors import register_error_handlers
    from app.openapi import bp as openapi_bp
    from app.ops import bp as ops_bp
    from app.patrol_points import patrol_points_of_area
    from app.tiles import bp as tiles_bp
    from app.web import bp as web_bp
    from broadcasts import bp as broadcasts_bp
    from checkins.officer import bp as points_bp
    from checkins.patrol_routes import bp as patrols_bp
    from checkins.point_import_routes import bp as point_import_bp
    from checkins.routes import bp as checkins_bp
    from hotspots import bp as hotspots_bp
    from my_data import bp as my_data_bp
    from officer_day import bp as officer_day_bp
    from police_room import bp as police_room_bp
    from realtime.namespaces import register_namespaces
    from realtime.routes import bp as realtime_bp
    from rewards.officer import bp as catalog_bp
    from rewards.routes import bp as rewards_bp
    from sightings import bp as sightings_bp
    from volunteers.admin_routes import bp as admin_bp
    from volunteers.auth import install_login_loader
    from volunteers.boundary_routes import bp as boundaries_bp
    from volunteers.boundary_routes import use_patrol_points
    from volunteers.roster_routes import bp as roster_bp
    from volunteers.routes import bp as volunteers_bp
    from volunteers.setup_routes import bp as setup_bp

    install_login_loader(app)
    register_error_handlers(app)
    app.register_blueprint(web_bp)
    app.register_blueprint(openapi_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(tiles_bp)
    app.register_blueprint(volunteers_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(boundaries_bp)
    use_patrol_points(app, patrol_points_of_area)
    app.register_blueprint(realtime_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(points_bp)
    app.register_blueprint(point_import_bp)
    app.register_blueprint(patrols_bp)
    app.register_blueprint(rewards_bp)
    app.register_blueprint(catalog_bp)
    app.register_blueprint(officer_day_bp)
    app.register_blueprint(setup_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(sightings_bp)
    app.register_blueprint(broadcasts_bp)
    app.register_blueprint(police_room_bp)
    app.register_blueprint(hotspots_bp)
    app.register_blueprint(my_data_bp)
    register_namespaces()
    from realtime import subscribers

    subscribers.install()
    # Last: it wraps every other WSGI layer (static files, Socket.IO).
    security_headers.init_app(app)
    return app
