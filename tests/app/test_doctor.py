"""``wanjia doctor``: clock, database, broker, fonts and disk findings, and the command itself.

The public URL and TLS checks, with a real ``wanjia run --tls`` server, are in
``test_doctor_https.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from app import create_app, doctor, pdf_fonts
from app.cli import main as wanjia
from app.config import TestConfig
from app.doctor import GIB, MIB, Finding
from app.extensions import db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_clock_earlier_than_a_stored_row_fails(app, make_user):
    make_user()  # writes users.created_at at the real "now"
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    findings = doctor.check_clock(app, yesterday)
    failed = [f for f in findings if f.level == "fail"]
    assert len(failed) == 1
    assert "went backwards" in failed[0].message and "set-ntp" in failed[0].fix


def test_a_clock_after_every_stored_row_is_ok_and_shows_the_local_time(app, make_user):
    make_user()
    later = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    findings = doctor.check_clock(app, later)
    assert [f.level for f in findings] == ["ok"]
    assert "2099-01-01 08:00:00 Asia/Shanghai" in findings[0].message


def test_an_unknown_time_zone_fails_with_the_setting_named(app):
    app.config["LOCAL_TIMEZONE"] = "Mars/Olympus"
    [finding] = doctor.check_clock(app, dt.datetime.now(dt.UTC))
    assert finding.level == "fail" and "WANJIA_LOCAL_TIMEZONE" in finding.message


def test_a_migrated_database_is_ok(app):
    [finding] = doctor.check_database(app, dt.datetime.now(dt.UTC))
    assert finding.level == "ok" and "answers and is at revision" in finding.message


def test_a_database_not_at_head_fails_with_the_upgrade_fix(tmp_path):
    settings = {k: v for k, v in vars(TestConfig).items() if k.isupper()}
    empty = tmp_path / "empty.db"
    app = create_app({**settings, "DATABASE_URL": f"sqlite:///{empty}"}, str(tmp_path))
    [finding] = doctor.check_database(app, dt.datetime.now(dt.UTC))
    assert finding.level == "fail"
    assert "revision none" in finding.message and "wanjia db upgrade" in finding.fix
    # The clock check cannot compare with stored rows and says so instead of crashing.
    assert [f.level for f in doctor.check_clock(app, dt.datetime.now(dt.UTC))] == ["ok", "warn"]
    with app.app_context():
        db.engine.dispose()


def test_the_embedded_broker_folders_are_writable(app):
    findings = doctor.check_broker(app, dt.datetime.now(dt.UTC))
    assert [f.level for f in findings] == ["ok", "ok", "ok"]
    assert all(app.instance_path in f.message for f in findings)


def test_a_file_where_a_broker_folder_should_be_fails(app):
    queue = Path(app.instance_path) / "celery" / "queue"
    shutil.rmtree(queue)
    queue.write_text("not a folder")  # root ignores permissions, so a file is what stops it
    findings = doctor.check_broker(app, dt.datetime.now(dt.UTC))
    failed = [f for f in findings if f.level == "fail"]
    assert len(failed) == 1 and str(queue) in failed[0].message
    assert "remove any file in its place" in failed[0].fix


def test_an_unreachable_redis_fails_without_showing_its_password(app):
    app.config["REDIS_URL"] = f"redis://:s3cret@127.0.0.1:{_free_port()}/0"
    findings = doctor.check_broker(app, dt.datetime.now(dt.UTC))
    assert findings[0].level == "fail" and "does not answer" in findings[0].message
    assert "s3cret" not in findings[0].message and ":***@" in findings[0].message
    assert "WANJIA_REDIS_URL" in findings[0].fix


def test_a_running_redis_answers_ping():
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    finding = doctor.redis_finding(url)
    assert finding.level == "ok" and "answers PING" in finding.message


def test_a_missing_or_damaged_cjk_font_warns_with_the_package_to_install(
    app, monkeypatch, tmp_path
):
    damaged = tmp_path / "damaged.ttc"
    damaged.write_bytes(b"not a font")
    monkeypatch.setattr(
        pdf_fonts,
        "FONT_CANDIDATES",
        (("Gone", str(tmp_path / "gone.ttc"), 0), ("Bad", str(damaged), 0)),
    )
    [finding] = doctor.check_fonts(app, dt.datetime.now(dt.UTC))
    assert finding.level == "warn" and pdf_fonts.CID_FALLBACK in finding.message
    assert finding.fix == "apt-get install fonts-wqy-microhei"


def test_an_installed_cjk_font_is_named(app, monkeypatch):
    installed = [c for c in pdf_fonts.FONT_CANDIDATES if Path(c[1]).exists()]
    if not installed:
        pytest.skip("no TrueType CJK font installed")
    monkeypatch.setattr(pdf_fonts, "FONT_CANDIDATES", (installed[0],))
    [finding] = doctor.check_fonts(app, dt.datetime.now(dt.UTC))
    assert finding.level == "ok" and installed[0][0] in finding.message


@pytest.mark.parametrize(
    ("free", "level"),
    [
        (5 * GIB, "ok"),
        (1 * GIB, "ok"),
        (1 * GIB - 1, "warn"),
        (200 * MIB, "warn"),
        (200 * MIB - 1, "fail"),
        (0, "fail"),
    ],
)
def test_disk_thresholds(free, level):
    finding = doctor.disk_finding(free, "/srv/wanjia/instance")
    assert finding.level == level and "/srv/wanjia/instance" in finding.message
    assert bool(finding.fix) is (level != "ok")


def test_the_disk_check_measures_the_instance_folder(app):
    [finding] = doctor.check_disk(app, dt.datetime.now(dt.UTC))
    assert app.instance_path in finding.message and "GiB free" in finding.message


def test_a_crashing_check_is_reported_and_the_others_still_run(app, monkeypatch):
    def broken(app, now):
        raise RuntimeError("boom")

    monkeypatch.setattr(doctor, "CHECKS", (broken, doctor.check_disk))
    findings = doctor.run_checks(app)
    assert findings[0] == Finding(
        "broken",
        "fail",
        "the check itself failed: RuntimeError('boom')",
        "report this, with the output above",
    )
    assert findings[1].check == "disk"


@pytest.fixture
def instance(tmp_path, monkeypatch) -> Path:
    """An instance folder the ``wanjia`` command uses, migrated, with no operator settings."""
    for name in ("PUBLIC_URL", "TLS_CERT", "TLS_KEY", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(f"WANJIA_{name}", raising=False)
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(wanjia, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return tmp_path


def test_wanjia_doctor_exits_0_when_nothing_fails(instance):
    result = CliRunner().invoke(wanjia, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    assert any(line.startswith("OK   database: ") for line in lines)
    warn = lines.index(next(line for line in lines if line.startswith("WARN public URL: ")))
    assert lines[warn + 1].startswith("       fix: set WANJIA_PUBLIC_URL=https://")


def test_wanjia_doctor_exits_1_with_a_fail_line_and_its_fix(instance, monkeypatch):
    monkeypatch.setenv("WANJIA_PUBLIC_URL", "not a url")
    result = CliRunner().invoke(wanjia, ["doctor"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    fail = lines.index(next(line for line in lines if line.startswith("FAIL public URL: ")))
    assert "'not a url' is ignored" in lines[fail]
    assert lines[fail + 1].startswith("       fix: set WANJIA_PUBLIC_URL=https://")
    assert any(line.startswith("OK   database: ") for line in lines)  # the rest still ran
