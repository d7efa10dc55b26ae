"""Settings: safe embedded defaults, overridden by ``WANJIA_*`` environment variables.

``WANJIA_DATABASE_URL`` picks the database (SQLite file under the instance folder when unset),
``WANJIA_REDIS_URL`` switches Socket.IO, Celery, presence and rate limits to the scaled mode.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from app import public_url

logger = logging.getLogger(__name__)

WEAK_SECRETS = frozenset({"", "dev", "secret", "changeme", "change-me", "wanjia", "test"})
MIN_SECRET_LENGTH = 32
MIN_SECRET_SYMBOLS = 8  # "aaaa…" or "abab…" is long but guessable
DATABASE_CONNECT_TIMEOUT_S = 5  # PostgreSQL: then the request is answered 503 (app/outage.py)


class Config:
    """Defaults for the embedded single-machine mode."""

    PRODUCTION = False
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    CELERY_BROKER_URL: str | None = None
    CELERY_EMBEDDED = True
    CELERY_ALWAYS_EAGER = False

    LANGUAGES = ("zh_CN", "en")
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    LOGIN_SESSION_DAYS = 30

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: a guard's night is long
    # Failed logins (volunteers/login_limits.py): stacked windows, so the wait grows. A device that
    # has logged in to the account is exempt from its limit (not from the address's) for this long.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 5 minutes; 10 per hour; 20 per day"
    LOGIN_LIMIT_PER_ADDRESS = "30 per 5 minutes; 100 per hour; 300 per day"
    LOGIN_KNOWN_DEVICE_DAYS = 180
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True

    INVITE_DAYS = 30
    # What `wanjia demo` gives every seeded account; production refuses police accounts using it.
    DEMO_PASSWORD = "wanjia2026"  # noqa: S105
    PUBLIC_URL: str | None = None  # what posters and links encode: the address phones reach
    PUBLIC_URL_IGNORED: str | None = None  # set at start to a PUBLIC_URL that was not a URL
    TLS_CERT: str | None = None  # the operator's certificate (PEM); unset: one made under instance/
    TLS_KEY: str | None = None
    SOCKETIO_ALLOWED_ORIGINS: list[str] | None = None
    # `wanjia run` (app/serving.py): a connection silent this long is closed; it must stay above
    # Socket.IO's ping interval plus ping timeout (25 + 20 s) or live websockets are cut.
    IDLE_TIMEOUT = 60
    MAX_CONNECTIONS = 4000  # served at once (a websocket is one); more wait to be accepted
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    # Flask-SocketIO's mode: Werkzeug's threads for `wanjia run`; app/wsgi.py (`wanjia serve`)
    # sets gevent. Never left to Flask-SocketIO's guess, which picks gevent once installed.
    SOCKETIO_ASYNC_MODE = "threading"
    PROXIES = 0  # `wanjia serve`: how many proxies in front to trust for address and scheme
    PASSWORD_HASH_METHOD: str | None = None  # werkzeug's default (scrypt)

    # Check-ins: the anti-fraud thresholds (see checkins/rules.py).
    # Signs the posters' QR codes. Unset: derived from SECRET_KEY (checkins/tokens.py), so as
    # strong as it; set: checked as the secret key is (production refuses a weak one).
    QR_SIGNING_KEY: str | None = None
    CHECKIN_COOLDOWN_MINUTES = 30  # the same point again within this pays nothing
    CHECKIN_DAILY_CAP = 40  # valid check-ins per person per day (a guard scans ~30 a night)
    CHECKIN_MAX_ACCURACY_M = 150  # a fix worse than this is refused: ask to step outside
    CHECKIN_ACCURACY_ALLOWANCE_M = 50  # at most this much of the reported accuracy is forgiven
    CHECKIN_MAX_SPEED_KMH = 60  # faster than this between two points is impossible on patrol
    CHECKIN_SPEED_MIN_DISTANCE_M = 300  # GPS noise: shorter hops are never "too fast"
    CHECKIN_LATE_MAX_MINUTES = 120  # an offline check-in may arrive this late
    CHECKIN_LATE_DAILY_CAP = 15  # offline-queued check-ins dated by the phone, per person a day
    CHECKIN_CLOCK_GAP_SUSPICIOUS_MINUTES = 30  # phone and server clocks further apart: flagged
    CHECKIN_REFUSALS_STORED_PER_DAY = 50  # refused attempts kept per person a day; more are counted
    CHECKIN_RATE_LIMIT = "20 per minute; 300 per day"  # POST /api/checkins per person
    # Doubtful scans are held for an officer, not refused (checkins/evidence.py): a strong sign
    # (outside the fence within the accuracy allowance, on the point's exact coordinates) holds
    # a scan alone; weak ones (below) only when two agree.
    CHECKIN_DOUBT_ACCURACY_M = 100  # a fix rougher than this (up to the maximum) is a weak sign
    CHECKIN_DOUBT_SPEED_SHARE = 0.8  # a leg above this share of the speed limit is a weak sign
    CHECKIN_DOUBT_SHARED_PHONE_PEOPLE = 3  # this many people logged in on one device ...
    CHECKIN_DOUBT_SHARED_PHONE_MINUTES = 30  # ... within this many minutes: a weak sign
    CHECKIN_DOUBT_CONSTANT_ACCURACY_SCANS = 5  # same accuracy on this many scans: a weak sign
    # Socket.IO events per person (realtime/limits.py), by event; "*" for any event not named.
    SOCKET_RATE_LIMITS = {
        "connect": "30 per minute",  # reconnects after drops, a few tabs
        "ping": "30 per minute",
        "set_duty": "20 per minute",
        "position": "20 per minute",  # every 15 s; no faster than POSITION_MIN_INTERVAL_SECONDS
        "answer_offer": "30 per minute",
        "progress": "30 per minute",
        "roster": "30 per minute",
        "create_incident": "20 per minute; 200 per hour",
        "find_nearest": "60 per minute",
        "send_offers": "30 per minute",
        "close_incident": "30 per minute",
        "*": "60 per minute",
    }
    LOCAL_TIMEZONE = "Asia/Shanghai"  # where "a day" begins for caps and streaks

    # Earning rules (rewards/earning.py): a check-in pays its point's own value.
    ROUTE_BONUS_POINTS = 30  # default bonus for walking a whole patrol route in its window
    STREAK_BONUS_POINTS = {"7": 20, "30": 100, "100": 300}  # streak days reached -> bonus
    TIP_CONFIRMED_POINTS = 20  # what a confirmed sighting pays (officers may set it by category)
    DISPATCH_ACCEPTED_POINTS = 5
    DISPATCH_ARRIVED_POINTS = 15

    # Sightings (sightings/): duplicates suggested within this radius and window (FixMyStreet's
    # 250 m); a report must lie within SIGHTING_AREA_SLACK_M of its police area's communities.
    SIGHTING_DUPLICATE_RADIUS_M = 250
    SIGHTING_DUPLICATE_HOURS = 24
    SIGHTING_AREA_SLACK_M = 1000
    SIGHTING_RATE_LIMIT = "5 per 10 minutes; 30 per day"  # reports per person
    SIGHTING_MEDIA_RATE_LIMIT = "30 per 10 minutes"  # photo and voice uploads per person

    # Broadcasts (broadcasts/): non-urgent ones wait out the area's quiet hours (local time) and
    # reach a person at most this many times a day; urgent ones always go.
    BROADCAST_QUIET_START = "22:00"
    BROADCAST_QUIET_END = "07:00"
    BROADCAST_DAILY_LIMIT = 3

    # Dispatch (realtime/dispatch.py, realtime/offers.py).
    DISPATCH_OFFER_SECONDS = 60  # how long people have to accept before the request widens
    DISPATCH_MAX_ROUNDS = 3  # rounds of widening before the console says nobody came
    DISPATCH_RADIUS_M = 1000  # first round's search radius; each round doubles it
    DISPATCH_BATCH = 5  # people asked in the first round; each round doubles it
    POSITION_INTERVAL_SECONDS = 15  # how often an on-duty phone shares its position
    POSITION_MIN_INTERVAL_SECONDS = 2  # faster updates are refused (flood protection)
    PRESENCE_GRACE_SECONDS = 120  # a lost connection leaves the live map after this
    # "Arrived" pays only with the phone's latest live position this near the incident (and a fix
    # at least this precise), shared at most this many seconds before.
    DISPATCH_ARRIVAL_RADIUS_M = 200
    DISPATCH_ARRIVAL_POSITION_SECONDS = 60

    # Points corrections (rewards/corrections.py): points one officer may move in a day (the sum
    # of their requests, either sign, rejected ones not counted), and above how many points one
    # correction waits for a second officer's approval.
    CORRECTION_DAILY_CAP = 1000
    CORRECTION_APPROVAL_ABOVE = 200

    # Check-ins keep where the phone was this many days (checkins/retention.py), then only the
    # point, time and outcome; long enough for appeals and officers' reviews.
    CHECKIN_POSITION_DAYS = 90

    # The gift store.
    PICKUP_DAYS = 14  # an order not collected by then is cancelled and refunded
    GIFT_PICTURE_MAX_BYTES = 2 * 1024 * 1024

    # Maps (app/maps.py): positions are stored in WGS-84; tiles may be drawn in GCJ-02.
    TILE_URL: str | None = None  # e.g. https://host/{z}/{x}/{y}.png; unset: plain background
    TILE_DATUM = "wgs84"  # or "gcj02" (AMap, Tencent): markers and clicks are converted
    MBTILES: str | None = None  # unset: the first *.mbtiles file in the instance folder


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - tests only
    CELERY_EMBEDDED = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast: tests create many accounts


def load_settings(app: Any, config: type | dict | None) -> None:
    """Fill ``app.config``: class defaults, then the environment, then the explicit overrides."""
    app.config.from_object(Config)
    if isinstance(config, type):
        app.config.from_object(config)
    app.config.from_prefixed_env("WANJIA")
    if isinstance(config, dict):
        app.config.update(config)

    _check_public_url(app.config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'wanjia.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    # Hand out the connection used last: on SQLite a connection drops its whole page cache when
    # another connection has written since its last transaction, so taking turns among pooled
    # connections meant reading every page again on every check-in (63 reads a request; none with
    # LIFO; bench/checkins.py +8%). On PostgreSQL it lets idle connections time out.
    if _pooled(app.config["DATABASE_URL"]):
        engine_options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        engine_options.setdefault("pool_use_lifo", True)
        if make_url(app.config["DATABASE_URL"]).get_backend_name() == "postgresql":
            _survive_outages(engine_options, app.config["DATABASE_URL"])
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    if not app.config.get("SECRET_KEY"):
        if app.config["PRODUCTION"]:
            raise RuntimeError("WANJIA_SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    if app.config["PRODUCTION"]:
        _refuse_weak_secret(app.config["SECRET_KEY"])
    _check_qr_signing_key(app.config)
    redis_url = app.config.get("REDIS_URL")
    if not app.config.get("CELERY_BROKER_URL"):
        app.config["CELERY_BROKER_URL"] = redis_url or "filesystem://"
    if redis_url:
        app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url)
        app.config["CELERY_EMBEDDED"] = False
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")


def _pooled(database_url: str) -> bool:
    """Whether connections come from a queue pool (an in-memory SQLite has just the one)."""
    url = make_url(database_url)
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _survive_outages(engine_options: dict[str, Any], database_url: str) -> None:
    """A database server that restarted or dropped our connections (app/outage.py): each
    checkout tests its connection first and replaces a dead one, so the first request after
    the outage succeeds rather than failing on a connection closed long ago; and connecting to
    a server that does not answer gives up after a few seconds instead of holding the request
    for as long as the network does."""
    engine_options.setdefault("pool_pre_ping", True)
    if "connect_timeout" not in make_url(database_url).query:
        connect_args = dict(engine_options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_S)
        engine_options["connect_args"] = connect_args


def _check_public_url(config: Any) -> None:
    """A malformed public URL is ignored with a warning, so the site still starts on defaults."""
    value = config.get("PUBLIC_URL")
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        config["PUBLIC_URL"] = None
        return
    problem = public_url.problem(value)
    if problem is None:
        config["PUBLIC_URL"] = value
        return
    logger.warning(
        "WANJIA_PUBLIC_URL=%r is ignored: %s. Posters and links use the address each browser "
        "used until it is fixed; set it to the address phones reach, like %s "
        "(`wanjia doctor` checks it).",
        value,
        problem,
        public_url.EXAMPLE,
    )
    config["PUBLIC_URL_IGNORED"] = str(value)
    config["PUBLIC_URL"] = None


def _instance_secret(path: Path) -> str:
    """A random key made on first run and kept beside the database, readable by the owner only."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign with, or None."""
    if key.lower() in WEAK_SECRETS or len(key) < MIN_SECRET_LENGTH:
        return f"at least {MIN_SECRET_LENGTH} random characters"
    if len(set(key)) < MIN_SECRET_SYMBOLS:
        return f"random characters, not {MIN_SECRET_SYMBOLS} or fewer repeated"
    return None


def _refuse_weak_secret(secret: str) -> None:
    weakness = key_weakness(secret)
    if weakness:
        raise RuntimeError(f"WANJIA_SECRET_KEY is too weak for production ({weakness})")


def _check_qr_signing_key(config: Any) -> None:
    """Anyone with the poster key prints genuine posters for any point, so a set key must be
    as strong as the secret key, and not the secret key itself. Production refuses a weak one;
    elsewhere it is logged. Unset, the key is derived from the secret key."""
    key = config.get("QR_SIGNING_KEY")
    if key in (None, ""):
        config["QR_SIGNING_KEY"] = None
        return
    key = config["QR_SIGNING_KEY"] = str(key)  # from the environment, digits arrive as a number
    weakness = key_weakness(key)
    if key == config["SECRET_KEY"]:
        weakness = "a key of its own, not WANJIA_SECRET_KEY"
    if weakness is None:
        return
    if config["PRODUCTION"]:
        raise RuntimeError(f"WANJIA_QR_SIGNING_KEY is too weak for production ({weakness})")
    logger.warning(
        "WANJIA_QR_SIGNING_KEY is weak (%s): anyone who guesses it can print posters that pay; "
        "production refuses it. Unset it to derive the key from the secret key.",
        weakness,
    )
