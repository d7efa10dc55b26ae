"""``wanjia serve``'s checks before it becomes gunicorn, its command line, and the nginx
configuration ``wanjia nginx-config`` writes (checked by the real nginx when installed)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from app import create_app, tls
from app.cli import main as wanjia
from app.production import gunicorn_argv, nginx_config, scaled_mode_problems

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"wj_serve_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_serve_refuses_the_embedded_mode_and_says_what_the_scaled_mode_needs(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("WANJIA_REDIS_URL", raising=False)
    monkeypatch.delenv("WANJIA_DATABASE_URL", raising=False)
    refused = CliRunner().invoke(wanjia, ["serve"])
    assert refused.exit_code == 1
    assert "WANJIA_REDIS_URL is not set" in refused.output
    assert "WANJIA_DATABASE_URL is SQLite" in refused.output
    assert "wanjia run" in refused.output


def test_serve_refuses_a_database_behind_its_migrations(tmp_path, monkeypatch, empty_database):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WANJIA_DATABASE_URL", empty_database)
    monkeypatch.setenv("WANJIA_REDIS_URL", "redis://127.0.0.1:6379/0")
    refused = CliRunner().invoke(wanjia, ["serve"])
    assert refused.exit_code == 1, refused.output
    assert "no tables yet" in refused.output and "wanjia db upgrade" in refused.output


def test_the_scaled_mode_needs_both_postgresql_and_redis():
    both = {"REDIS_URL": "redis://h/0", "DATABASE_URL": "postgresql+psycopg://u@h/d"}
    assert scaled_mode_problems(both) == []
    assert len(scaled_mode_problems({**both, "DATABASE_URL": "sqlite:///x.db"})) == 1
    assert len(scaled_mode_problems({**both, "REDIS_URL": None})) == 1


def test_one_gevent_worker_per_process_bound_where_asked():
    argv = gunicorn_argv("127.0.0.1", 5101, access_log=False)
    assert argv[1:3] == ["-m", "gunicorn"] and argv[-1] == "app.wsgi:application"
    assert argv[argv.index("--worker-class") + 1] == "gevent"
    assert argv[argv.index("--workers") + 1] == "1"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:5101"
    assert "--no-control-socket" in argv and "--access-logfile" not in argv
    v6 = gunicorn_argv("::1", 5102, access_log=True)
    assert v6[v6.index("--bind") + 1] == "[::1]:5102" and "--access-logfile" in v6


def _config(tmp_path: Path, **changes: object) -> str:
    cert, key = tls.generate(tmp_path / "tls", ["127.0.0.1"])
    fields: dict[str, object] = {
        "upstreams": ["127.0.0.1:5101", "127.0.0.1:5102"],
        "listen": "127.0.0.1:8443",
        "certificate": cert,
        "key": key,
        "run_dir": tmp_path / "run",
        "http_listen": "127.0.0.1:8080",
        "max_body_bytes": 8 * 1024 * 1024,
        "workers": "1",
    }
    app = create_app(instance_path=str(tmp_path / "instance"))
    with app.app_context():
        return nginx_config(**{**fields, **changes})  # type: ignore[arg-type]


def test_nginx_keeps_phones_to_a_process_by_cookie_and_passes_websockets_on(tmp_path):
    conf = _config(tmp_path)
    assert "hash $wanjia_route consistent;" in conf
    assert "server 127.0.0.1:5101 max_fails=1" in conf and "server 127.0.0.1:5102" in conf
    assert "ip_hash" not in conf  # phones behind one carrier NAT share an address
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_read_timeout 75s;" in conf  # above Socket.IO's ping interval + timeout
    assert "client_max_body_size 9m;" in conf
    assert "return 301 https://$host:8443$request_uri;" in conf


def test_nginx_config_refuses_values_that_would_change_its_meaning(tmp_path):
    with pytest.raises(ValueError, match="not usable"):
        _config(tmp_path, upstreams=["127.0.0.1:5101; include /etc/passwd"])
    with pytest.raises(ValueError, match="no upstream"):
        _config(tmp_path, upstreams=[])


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_real_nginx_accepts_the_configuration(tmp_path):
    conf_path = tmp_path / "nginx.conf"
    conf_path.write_text(_config(tmp_path))
    (tmp_path / "run").mkdir()
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(conf_path), "-e", str(tmp_path / "run" / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
