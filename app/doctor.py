"""``wanjia doctor``: the setup checked as an operator needs it, each finding with a fix.

A check is a plain function ``check(app: Flask, now: datetime) -> list[Finding]`` (the ``Check``
type in ``app/findings.py``). It reports the problems it looks for instead of raising, and opens
its own app context when it needs the database. ``CHECKS`` lists them in the order they are
printed; to add one (map tiles, say), write a function with that signature and append it to
``CHECKS``. The public URL and TLS checks live in ``app/doctor_https.py``. ``run_checks`` runs
them all; a check that crashes becomes a FAIL finding instead of a traceback hiding the rest.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.doctor_https import check_public_url, check_tls
from app.extensions import db
from app.findings import Check, Finding
from app.maps import check_maps

__all__ = ["CHECKS", "Check", "Finding", "run_checks"]

logger = logging.getLogger(__name__)

GIB = 1024**3
MIB = 1024**2
DISK_WARN_BELOW = 1 * GIB
DISK_FAIL_BELOW = 200 * MIB
# Rows written by a running server between taking ``now`` and reading them are not a clock fault.
CLOCK_SLACK = dt.timedelta(minutes=1)
REDIS_TIMEOUT_S = 2


def check_clock(app: Flask, now: dt.datetime) -> list[Finding]:
    """Cooldowns and streaks assume time only moves forward: no stored row may be in the future."""
    name = "clock"
    zone_name = app.config["LOCAL_TIMEZONE"]
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        return [
            Finding(
                name,
                "fail",
                f"WANJIA_LOCAL_TIMEZONE={zone_name!r} is not a time zone",
                "set it to an IANA name like Asia/Shanghai (apt-get install tzdata)",
            )
        ]
    local = now.astimezone(zone)
    findings = [
        Finding(
            name,
            "ok",
            f"local time {local:%Y-%m-%d %H:%M:%S} {zone_name} "
            f"(UTC{local:%z}): compare it with a phone",
        )
    ]
    try:
        newest = newest_stored_time(app)
    except SQLAlchemyError as exc:
        findings.append(
            Finding(
                name,
                "warn",
                "cannot read stored times to compare "
                f"({type(exc).__name__}); see the database line",
                "",
            )
        )
        return findings
    if newest is not None and newest > now + CLOCK_SLACK:
        findings.append(
            Finding(
                name,
                "fail",
                f"the system clock ({now:%Y-%m-%d %H:%M:%S} UTC) is earlier than a stored record "
                f"({newest:%Y-%m-%d %H:%M:%S} UTC): the clock went backwards",
                "set the clock right and keep it synchronised (timedatectl set-ntp true); "
                "until then cooldowns and streaks count wrongly",
            )
        )
    return findings


def newest_stored_time(app: Flask) -> dt.datetime | None:
    """The latest moment any check-in, ledger entry, order, login or incident was written."""
    from checkins.models import CheckIn
    from realtime.models import Incident
    from rewards.models import LedgerEntry, Order
    from volunteers.models import LoginSession, User

    columns = (
        CheckIn.server_time,
        LedgerEntry.created_at,
        Order.created_at,
        LoginSession.created_at,
        User.created_at,
        Incident.created_at,
    )
    with app.app_context():
        stamps = [db.session.scalar(select(func.max(column))) for column in columns]
        db.session.remove()
    return max((s for s in stamps if s is not None), default=None)


def check_database(app: Flask, now: dt.datetime) -> list[Finding]:
    """Reachable, and migrated to the revision this code expects."""
    name = "database"
    heads = set(ScriptDirectory(app.extensions["migrate"].directory).get_heads())
    with app.app_context():
        where = db.engine.url.render_as_string(hide_password=True)
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
                current = set(MigrationContext.configure(conn).get_current_heads())
        except SQLAlchemyError as exc:
            return [
                Finding(
                    name,
                    "fail",
                    f"cannot use {where}: {exc.__class__.__name__}: {str(exc).splitlines()[0]}",
                    "check WANJIA_DATABASE_URL and that the database server runs",
                )
            ]
    if current != heads:
        return [
            Finding(
                name,
                "fail",
                f"{where} is at revision {_revs(current)}, this code expects {_revs(heads)}",
                "`wanjia db upgrade` (`wanjia run` also migrates before serving)",
            )
        ]
    return [Finding(name, "ok", f"{where} answers and is at revision {_revs(heads)}")]


def _revs(revisions: set[str]) -> str:
    return ", ".join(sorted(revisions)) or "none (no tables yet)"


def check_broker(app: Flask, now: dt.datetime) -> list[Finding]:
    """Redis answers PING when configured; the embedded broker's folders are writable."""
    broker = app.config["CELERY_BROKER_URL"]
    findings: list[Finding] = []
    redis_urls = [app.config.get("REDIS_URL"), broker if broker.startswith("redis") else None]
    for url in dict.fromkeys(u for u in redis_urls if u):
        findings.append(redis_finding(url))
    if broker.startswith("filesystem://"):
        options = app.extensions["celery"].conf.broker_transport_options
        keys = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        folders = dict.fromkeys(Path(options[k]) for k in keys)
        findings.extend(folder_finding(folder) for folder in folders)
    elif not broker.startswith("redis"):
        findings.append(
            Finding(
                "broker",
                "warn",
                f"{_redact(broker)} is not checked "
                "(only Redis and the embedded filesystem broker are known)",
                "",
            )
        )
    return findings


def redis_finding(url: str) -> Finding:
    """Redis carries Socket.IO events, Celery jobs and login limits in the scaled mode."""
    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return Finding(
            "broker",
            "fail",
            f"Redis at {_redact(url)} does not answer: {exc}",
            "start Redis (systemctl start redis-server) or correct WANJIA_REDIS_URL; "
            "unset it for the embedded single-machine mode",
        )
    finally:
        client.close()
    return Finding("broker", "ok", f"Redis at {_redact(url)} answers PING")


def folder_finding(folder: Path) -> Finding:
    """A broker folder exists (or can be made) and takes a new file."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Finding(
            "broker",
            "fail",
            f"the embedded broker cannot write to {folder}: {exc}",
            f"make {folder} a folder the user running wanjia can write "
            "(remove any file in its place)",
        )
    return Finding("broker", "ok", f"embedded broker folder {folder} is writable")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()
    return url


def check_fonts(app: Flask, now: dt.datetime) -> list[Finding]:
    """Poster PDFs embed a TrueType CJK font when one is installed."""
    from app.pdf_fonts import CID_FALLBACK, truetype_cjk_font

    font = truetype_cjk_font()
    if font is None:
        return [
            Finding(
                "fonts",
                "warn",
                "no TrueType Chinese font: poster PDFs fall back to "
                f"{CID_FALLBACK}, not embedded (prints only where it is installed)",
                "apt-get install fonts-wqy-microhei",
            )
        ]
    return [Finding("fonts", "ok", f"poster PDFs embed {font.fontName} ({font.face.filename})")]


def check_disk(app: Flask, now: dt.datetime) -> list[Finding]:
    """The database, broker and certificates all live in the instance folder."""
    return [disk_finding(shutil.disk_usage(app.instance_path).free, app.instance_path)]


def disk_finding(free_bytes: int, folder: str) -> Finding:
    """Pure thresholds: under 1 GiB free warns, under 200 MiB fails."""
    message = f"{free_bytes / GIB:.1f} GiB free for {folder}"
    fix = "free space on that file system (old logs, backups) or move WANJIA_INSTANCE_PATH"
    if free_bytes < DISK_FAIL_BELOW:
        return Finding("disk", "fail", message, fix)
    if free_bytes < DISK_WARN_BELOW:
        return Finding("disk", "warn", message, fix)
    return Finding("disk", "ok", message)


CHECKS: tuple[Check, ...] = (
    check_public_url,
    check_tls,
    check_clock,
    check_database,
    check_broker,
    check_fonts,
    check_disk,
    check_maps,
)


def run_checks(app: Flask, now: dt.datetime | None = None) -> list[Finding]:
    """Every check in order; one that crashes is reported, and the others still run."""
    now = now or dt.datetime.now(dt.UTC)
    findings: list[Finding] = []
    for check in CHECKS:
        try:
            findings.extend(check(app, now))
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the rest
            logger.exception("doctor check %s crashed", check.__name__)
            findings.append(
                Finding(
                    check.__name__,
                    "fail",
                    f"the check itself failed: {exc!r}",
                    "report this, with the output above",
                )
            )
    return findings
