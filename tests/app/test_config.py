"""Settings: safe embedded defaults, environment overrides, production refuses weak secrets."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

from app import create_app
from app.cli import main as wanjia
from app.extensions import db


def test_the_embedded_default_is_sqlite_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch):
    from app.uow import SQLITE_MMAP_BYTES

    monkeypatch.delenv("WANJIA_DATABASE_URL", raising=False)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wanjia.db'}"
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar() == SQLITE_MMAP_BYTES
        db.engine.dispose()


def test_a_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    second = create_app(instance_path=str(tmp_path)).config["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert first == second and len(first) == 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_environment_variables_override_the_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("WANJIA_LOGIN_SESSION_DAYS", "7")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["LOGIN_SESSION_DAYS"] == 7


def test_the_scaled_mode_uses_redis_for_the_broker_and_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_REDIS_URL", "redis://127.0.0.1:6379/5")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/5"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"
    assert app.config["CELERY_EMBEDDED"] is False


@pytest.mark.parametrize("secret", [None, "dev", "short-secret"])
def test_production_refuses_to_start_without_a_strong_secret(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    if secret is not None:
        monkeypatch.setenv("WANJIA_SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="WANJIA_SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_production_refuses_to_serve_while_a_police_account_has_the_demo_password(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    runner = CliRunner()
    assert runner.invoke(wanjia, ["demo"]).exit_code == 0
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    monkeypatch.setenv("WANJIA_SECRET_KEY", "x" * 20 + "a-long-random-production-secret")
    result = runner.invoke(wanjia, ["run", "--port", "1"])
    assert result.exit_code != 0
    assert "demo password" in result.output
    assert "13900000000" in result.output


def test_the_pool_hands_out_the_connection_used_last(app):
    """On SQLite a connection's page cache survives only its own writes (see app/config.py)."""
    with app.app_context():
        first, second = db.engine.connect(), db.engine.connect()
        second_driver = second.connection.dbapi_connection
        first.close()
        second.close()  # returned last
        with db.engine.connect() as again:
            assert again.connection.dbapi_connection is second_driver


STRONG_SECRET = "x" * 20 + "a-long-random-production-secret"  # noqa: S105 - tests only
STRONG_QR_KEY = "q" * 20 + "another-long-random-poster-key"


@pytest.mark.parametrize(
    "qr_key",
    ["dev", "short-poster-key", "a" * 64, "ab" * 32, "1234567" * 5, STRONG_SECRET],
    ids=["known", "short", "one-symbol", "two-symbols", "a-number", "the-secret-key"],
)
def test_production_refuses_a_weak_qr_signing_key(tmp_path, monkeypatch, qr_key):
    """A guessable poster key lets anyone print posters that pay; the secret key's own rules
    apply, and the poster key may not be the secret key itself."""
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    monkeypatch.setenv("WANJIA_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("WANJIA_QR_SIGNING_KEY", qr_key)
    with pytest.raises(RuntimeError, match="WANJIA_QR_SIGNING_KEY"):
        create_app(instance_path=str(tmp_path))


@pytest.mark.parametrize("qr_key", [None, "", STRONG_QR_KEY])
def test_production_starts_with_a_strong_qr_key_or_one_derived_from_the_secret(
    tmp_path, monkeypatch, qr_key
):
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    monkeypatch.setenv("WANJIA_SECRET_KEY", STRONG_SECRET)
    if qr_key is not None:
        monkeypatch.setenv("WANJIA_QR_SIGNING_KEY", qr_key)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["QR_SIGNING_KEY"] == (qr_key or None)


def test_production_refuses_a_long_secret_of_few_symbols(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_PRODUCTION", "true")
    monkeypatch.setenv("WANJIA_SECRET_KEY", "ab" * 32)
    with pytest.raises(RuntimeError, match="WANJIA_SECRET_KEY"):
        create_app(instance_path=str(tmp_path))


def test_a_weak_qr_key_outside_production_starts_with_a_warning(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("WANJIA_QR_SIGNING_KEY", "12345678")
    with caplog.at_level("WARNING", logger="app.config"):
        app = create_app(instance_path=str(tmp_path))
    assert app.config["QR_SIGNING_KEY"] == "12345678"  # a number in the environment stays text
    assert "WANJIA_QR_SIGNING_KEY is weak" in caplog.text
