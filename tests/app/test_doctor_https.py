"""The public URL and TLS as ``wanjia doctor`` and ``wanjia run`` see them.

Reachability is tested against real ``wanjia run --tls`` servers on 127.0.0.1; the shape of
LAN URLs is tested without any network (``url_findings``), so no other address is ever touched.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app import create_app, tls
from app.cli import main as wanjia
from app.doctor_https import check_public_url, check_tls, url_findings
from app.extensions import db
from tests.servers import free_port, running

NOW = dt.datetime.now(dt.UTC)


def _pair(folder: Path, names: list[str], *, until: dt.datetime) -> tuple[Path, Path]:
    """A self-signed certificate for ``names`` valid until ``until``, and its key."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alt: list[x509.GeneralName] = []
    for name in names:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(min(until, NOW) - dt.timedelta(days=30))
        .not_valid_after(until)
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def own_server(tmp_path_factory) -> Iterator[tuple[int, Path]]:
    """A server with the certificate it made itself; its public URL names doctor.test."""
    instance = tmp_path_factory.mktemp("own-cert")
    with running(instance, tls=True, PUBLIC_URL="https://doctor.test:8443") as server:
        yield server.port, instance


@pytest.fixture(scope="module")
def other_name_server(tmp_path_factory) -> Iterator[tuple[int, Path, Path]]:
    """A server with an operator's certificate that names police-room.lan only."""
    instance = tmp_path_factory.mktemp("other-cert")
    cert, key = _pair(instance / "operator", ["police-room.lan"], until=NOW + dt.timedelta(days=90))
    with running(instance, tls=True, TLS_CERT=str(cert), TLS_KEY=str(key)) as server:
        yield server.port, cert, key


def _reachable(app) -> object:
    [finding] = [f for f in check_public_url(app, NOW) if f.check == "public URL reachable"]
    return finding


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_public_url_served_by_wanjia_run_is_reached_over_verified_tls(app, own_server, host):
    port, server_instance = own_server
    shutil.copytree(server_instance / "tls", Path(app.instance_path) / "tls")
    app.config["PUBLIC_URL"] = f"https://{host}:{port}"
    findings = check_public_url(app, NOW)
    assert findings[0].level == "fail" and "phones cannot reach it" in findings[0].message
    reach = findings[1]
    assert reach.check == "public URL reachable" and reach.level == "ok", reach
    assert "answered HTTP 200 over TLS verified against" in reach.message
    assert reach.message.endswith(str(Path(app.instance_path) / "tls" / "ca.pem"))


def test_wanjia_run_names_the_public_urls_host_in_the_certificate_it_makes(own_server):
    _, server_instance = own_server
    cert = x509.load_pem_x509_certificate((server_instance / "tls" / "cert.pem").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "doctor.test" in names.get_values_for_type(x509.DNSName)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_a_certificate_that_does_not_cover_the_host_fails(app, other_name_server, host):
    port, cert, key = other_name_server
    app.config.update(PUBLIC_URL=f"https://{host}:{port}", TLS_CERT=str(cert), TLS_KEY=str(key))
    reach = _reachable(app)
    assert reach.level == "fail" and f"does not cover {host}" in reach.message
    assert f"subjectAltName names {host}" in reach.fix


def test_a_server_with_another_certificate_than_the_configured_one_fails(
    app, own_server, other_name_server
):
    port, _ = own_server
    _, cert, key = other_name_server
    app.config.update(PUBLIC_URL=f"https://localhost:{port}", TLS_CERT=str(cert), TLS_KEY=str(key))
    reach = _reachable(app)
    assert reach.level == "fail" and "not the one phones are told to trust" in reach.message


def test_an_unreachable_public_url_fails_with_the_run_command_and_the_firewall(app):
    port = free_port()
    app.config["PUBLIC_URL"] = f"https://127.0.0.1:{port}"
    reach = _reachable(app)
    assert reach.level == "fail" and "unreachable" in reach.message
    assert f"start `wanjia run --host 0.0.0.0 --port {port}` and check the firewall" == reach.fix


@pytest.mark.parametrize(
    ("url", "level", "words"),
    [
        (None, "warn", "is unset"),
        ("not a url", "fail", "does not start with https://"),
        ("192.168.1.20:5000", "fail", "does not start with https://"),
        ("https://", "fail", "names no host"),
        ("https://127.0.0.1:5000", "fail", "phones cannot reach it"),
        ("http://localhost:5000", "fail", "phones cannot reach it"),
        ("https://0.0.0.0:5000", "fail", "phones cannot reach it"),
        ("http://192.168.1.20:5000", "fail", "phones refuse geolocation"),
        ("https://192.168.1.20:5000", "ok", "encode https://192.168.1.20:5000"),
    ],
)
def test_the_shape_of_the_public_url(url, level, words):
    [finding] = url_findings(url)
    assert finding.level == level and words in finding.message
    assert ("WANJIA_PUBLIC_URL" in finding.fix) is (level != "ok")


def test_a_public_url_that_is_not_a_url_is_ignored_at_start_with_a_warning(
    tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("WANJIA_PUBLIC_URL", "192.168.1.20:5000")
    with caplog.at_level(logging.WARNING, logger="app.config"):
        app = create_app(instance_path=str(tmp_path))
    assert app.config["PUBLIC_URL"] is None
    assert app.config["PUBLIC_URL_IGNORED"] == "192.168.1.20:5000"
    assert "WANJIA_PUBLIC_URL='192.168.1.20:5000' is ignored" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200  # it still starts
    assert check_public_url(app, NOW)[0].level == "fail"  # and the doctor still names it
    with app.app_context():
        db.engine.dispose()


def test_a_good_public_url_is_kept_without_surrounding_spaces(tmp_path, monkeypatch):
    monkeypatch.setenv("WANJIA_PUBLIC_URL", " https://police-room.lan:8443 ")
    app = create_app(instance_path=str(tmp_path))
    assert app.config["PUBLIC_URL"] == "https://police-room.lan:8443"
    assert app.config["PUBLIC_URL_IGNORED"] is None


def test_the_instances_own_certificate_is_ok_and_warns_30_days_before_it_expires(app):
    made = tls.certificate(Path(app.instance_path), None, None, [])
    [ok] = check_tls(app, NOW)
    assert ok.level == "ok" and made.fingerprint in ok.message
    expires = x509.load_pem_x509_certificate(made.cert_path.read_bytes()).not_valid_after_utc
    [soon] = check_tls(app, expires - dt.timedelta(days=10))
    assert soon.level == "warn" and "expires on" in soon.message
    assert f"before {expires:%Y-%m-%d}, delete" in soon.fix
    [later] = check_tls(app, expires + dt.timedelta(days=1))
    assert later.level == "warn" and "expired" in later.message  # replaced on the next start


def test_no_certificate_yet_warns_how_one_is_made(app):
    [finding] = check_tls(app, NOW)
    assert finding.level == "warn" and "wanjia run --host 0.0.0.0" in finding.fix


def test_an_operators_mismatched_pair_fails(app, tmp_path):
    cert, _ = _pair(tmp_path / "a", ["police-room.lan"], until=NOW + dt.timedelta(days=90))
    _, other_key = _pair(tmp_path / "b", ["police-room.lan"], until=NOW + dt.timedelta(days=90))
    app.config.update(TLS_CERT=str(cert), TLS_KEY=str(other_key))
    [finding] = check_tls(app, NOW)
    assert finding.level == "fail" and "do not match" in finding.message
    assert "WANJIA_TLS_KEY its matching key" in finding.fix


def test_an_operators_expired_certificate_fails(app, tmp_path):
    cert, key = _pair(tmp_path / "old", ["police-room.lan"], until=NOW - dt.timedelta(days=1))
    app.config.update(TLS_CERT=str(cert), TLS_KEY=str(key))
    [finding] = check_tls(app, NOW)
    assert finding.level == "fail" and "expired" in finding.message
    assert "renew the certificate in WANJIA_TLS_CERT" in finding.fix


def test_half_an_operators_pair_fails(app, tmp_path):
    app.config.update(TLS_CERT=str(tmp_path / "cert.pem"), TLS_KEY=None)
    [finding] = check_tls(app, NOW)
    assert finding.level == "fail" and "only one of" in finding.message


@pytest.mark.parametrize("problem", ["expired", "mismatched"])
def test_the_instances_own_bad_certificate_is_made_again_on_start(tmp_path, problem):
    folder = tmp_path / "tls"
    if problem == "expired":
        _pair(folder, ["localhost"], until=NOW - dt.timedelta(days=1))
    else:
        tls.generate(folder, [])
        _, stray_key = _pair(tmp_path / "stray", ["localhost"], until=NOW + dt.timedelta(days=9))
        shutil.copy(stray_key, folder / "key.pem")
    before = tls.fingerprint(folder / "cert.pem")
    made = tls.certificate(tmp_path, None, None, [])
    assert made.generated and made.fingerprint != before
    assert tls.check(made.cert_path, made.key_path) is None


@pytest.mark.parametrize(
    ("problem", "words"), [("expired", "expired on"), ("mismatched", "do not match")]
)
def test_wanjia_run_refuses_a_bad_operator_pair_naming_the_setting_and_the_fix(
    tmp_path, monkeypatch, problem, words
):
    until = NOW - dt.timedelta(days=1) if problem == "expired" else NOW + dt.timedelta(days=90)
    cert, key = _pair(tmp_path / "a", ["localhost"], until=until)
    if problem == "mismatched":
        _, key = _pair(tmp_path / "b", ["localhost"], until=until)
    monkeypatch.setenv("WANJIA_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("WANJIA_TLS_CERT", str(cert))
    monkeypatch.setenv("WANJIA_TLS_KEY", str(key))
    port = str(free_port())
    result = CliRunner().invoke(wanjia, ["run", "--host", "127.0.0.1", "--port", port, "--tls"])
    assert result.exit_code == 1
    assert f"HTTPS cannot start with WANJIA_TLS_CERT={cert}" in result.output
    assert words in result.output
    assert "fix: renew the certificate in WANJIA_TLS_CERT" in result.output
