"""HTTPS for phones: a certificate made on first run, checked pairs, clear refusals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from app import tls
from app.cli import main as wanjia


def test_a_certificate_is_made_once_for_this_machine_and_kept(tmp_path):
    first = tls.certificate(tmp_path, None, None, ["192.168.1.20"])
    again = tls.certificate(tmp_path, None, None, ["192.168.1.20"])
    assert first.generated and not again.generated
    assert first.fingerprint == again.fingerprint
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", first.fingerprint)
    assert (first.key_path.stat().st_mode & 0o777) == 0o600
    pem = first.cert_path.read_text()
    assert "BEGIN CERTIFICATE" in pem


def test_the_certificate_names_the_lan_address_phones_use(tmp_path):
    from cryptography import x509

    made = tls.certificate(tmp_path, None, None, ["192.168.1.20", "police-room.lan"])
    cert = x509.load_pem_x509_certificate(made.cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "police-room.lan" in names.get_values_for_type(x509.DNSName)
    assert "192.168.1.20" in [str(ip) for ip in names.get_values_for_type(x509.IPAddress)]


def test_a_certificate_and_key_that_do_not_match_are_refused(tmp_path):
    a = tls.certificate(tmp_path / "a", None, None, [])
    b = tls.certificate(tmp_path / "b", None, None, [])
    assert "do not match" in tls.check(a.cert_path, b.key_path)
    with pytest.raises(ValueError, match="do not match"):
        tls.certificate(tmp_path, str(a.cert_path), str(b.key_path), [])


def test_an_expired_certificate_is_named_as_such(tmp_path):
    made = tls.certificate(tmp_path, None, None, [])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=tls.VALID_DAYS + 1)
    assert "expired" in tls.check(made.cert_path, made.key_path, now=later)


def test_half_an_operator_pair_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="both"):
        tls.certificate(tmp_path, "/etc/cert.pem", None, [])


@pytest.mark.parametrize(
    ("host", "forced", "expected"),
    [
        ("127.0.0.1", False, False),
        ("localhost", False, False),
        ("0.0.0.0", False, True),
        ("192.168.1.20", False, True),  # noqa: S104
        ("127.0.0.1", True, True),
    ],
)
def test_loopback_stays_http_and_every_other_address_gets_https(host, forced, expected):
    assert tls.needs_tls(host, forced) is expected


def test_wanjia_run_refuses_a_mismatched_pair_before_serving(tmp_path, monkeypatch):
    a = tls.certificate(tmp_path / "a", None, None, [])
    b = tls.certificate(tmp_path / "b", None, None, [])
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WANJIA_TLS_CERT", str(a.cert_path))
    monkeypatch.setenv("WANJIA_TLS_KEY", str(b.key_path))
    result = CliRunner().invoke(wanjia, ["run", "--host", "0.0.0.0", "--port", "1"])  # noqa: S104
    assert result.exit_code != 0 and "do not match" in result.output


def test_the_setup_page_shows_the_fingerprint_to_officers_only(app, client, logged_in):
    app.config["TLS_FINGERPRINT"] = "AB:CD"
    logged_in("officer")
    page = client.get("/officer/setup", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "data-fingerprint>AB:CD<" in page
    client.post("/logout", json={})
    logged_in("volunteer")
    assert client.get("/officer/setup").status_code == 403
