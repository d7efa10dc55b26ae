"""``wanjia serve``: the scaled mode's web server, one gunicorn process with one gevent worker.

``wanjia run`` gives every connection a thread of Werkzeug's server; a gevent worker gives each
a greenlet, so one process holds many more phones (bench/scale.py, README "Benchmarks").
Flask-SocketIO supports exactly one worker per gunicorn process: a socket's long-polling
requests must all reach the process that holds its session, so more capacity means more
processes behind nginx with sticky sessions (``scripts/deploy.sh``), never more workers in one.

The command checks what it can and then replaces itself with gunicorn (``exec``): the gevent
worker patches the standard library before it imports the app (``app.wsgi``), which it could
not do cleanly in a process that has already imported Flask, SQLAlchemy and redis-py. Celery
never runs here (``wanjia worker``): it is not made for a monkey-patched loop.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from flask import render_template
from sqlalchemy.engine import make_url

WORKER_CONNECTIONS = 15000  # greenlets per process: 10,000 phones and the pages they open
# Above nginx's upstream keep-alive (60 s), so the proxy, not gunicorn, ends idle connections.
KEEP_ALIVE_S = 75
GRACEFUL_TIMEOUT_S = 20


def scaled_mode_problems(config: Any) -> list[str]:
    """What keeps this configuration from running ``wanjia serve``: it serves the scaled mode
    only (PostgreSQL and Redis shared by several processes)."""
    problems = []
    if not config.get("REDIS_URL"):
        problems.append(
            "WANJIA_REDIS_URL is not set: processes share Socket.IO events, presence and the "
            "task queue through Redis"
        )
    if make_url(config["DATABASE_URL"]).get_backend_name() == "sqlite":
        problems.append(
            "WANJIA_DATABASE_URL is SQLite: several processes need PostgreSQL "
            "(postgresql+psycopg://...)"
        )
    return problems


def gunicorn_argv(host: str, port: int, access_log: bool) -> list[str]:
    """The gunicorn command for one process: one gevent worker running ``app.wsgi``."""
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--worker-class",
        "gevent",
        "--workers",
        "1",
        "--worker-connections",
        str(WORKER_CONNECTIONS),
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--keep-alive",
        str(KEEP_ALIVE_S),
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT_S),
        # The app logs every request with its id (app/request_log.py); gunicorn's own lines
        # go to standard error beside them.
        "--error-logfile",
        "-",
        "--name",
        f"wanjia-serve-{port}",
        # gunicorn's control socket sits at one path per user: several processes would share it.
        "--no-control-socket",
    ]
    if access_log:
        argv += ["--access-logfile", "-"]
    argv.append("app.wsgi:application")
    return argv


def exec_gunicorn(argv: list[str], proxies: int) -> None:
    """Become gunicorn (never returns); ``WANJIA_PROXIES`` tells ``app.wsgi`` whom to trust."""
    env = dict(os.environ, WANJIA_PROXIES=str(proxies))
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    os.execve(argv[0], argv, env)  # noqa: S606 - our own interpreter with a fixed command line


# What may stand in nginx's configuration unquoted: no spaces, semicolons, braces or quotes.
_CONF_WORD = re.compile(r"^[A-Za-z0-9_.:/\[\]@%+=-]{1,500}$")


def nginx_config(
    *,
    upstreams: list[str],
    listen: str,
    certificate: Path,
    key: Path,
    run_dir: Path,
    http_listen: str | None,
    max_body_bytes: int,
    workers: str = "auto",
    connections: int = 20000,
) -> str:
    """nginx's configuration for ``upstreams`` (``host:port`` of ``wanjia serve`` processes):
    TLS on ``listen``, HTTP on ``http_listen`` redirected to it, sticky by cookie.
    ValueError names a value that cannot stand in the file."""
    words = [*upstreams, listen, str(certificate), str(key), str(run_dir), workers]
    bad = [word for word in words + [http_listen or "x"] if not _CONF_WORD.match(word)]
    if bad or not upstreams:
        raise ValueError(f"not usable in nginx's configuration: {bad or 'no upstream'}")
    https_port = listen.rsplit(":", 1)[-1]
    return render_template(
        "deploy/nginx.conf",
        upstreams=upstreams,
        listen=listen,
        certificate=certificate,
        key=key,
        run_dir=run_dir,
        http_listen=http_listen,
        https_port_suffix="" if https_port == "443" else f":{https_port}",
        max_body=f"{max_body_bytes // (1024 * 1024) + 1}m",
        workers=workers,
        connections=connections,
    )
