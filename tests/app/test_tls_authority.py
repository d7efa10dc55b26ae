"""The instance's own certificate authority: what phones install once (CA:TRUE, limited to the
names this server answers to), the server certificate it signs, and the set-up page that
offers it with a QR code and the steps for Android, iOS and HarmonyOS."""

from __future__ import annotations

import datetime as dt
import ipaddress
import shutil
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask

from app import serving, tls


def _load(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_server_certificate_is_signed_by_a_name_constrained_authority(tmp_path):
    made = tls.certificate(tmp_path, None, None, ["192.168.1.20", "police-room.lan"])
    assert made.authority_path == tmp_path / "tls" / "ca.pem"
    ca, leaf = _load(made.authority_path), _load(made.cert_path)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    leaf.verify_directly_issued_by(ca)
    allowed = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert allowed.critical
    permitted = allowed.value.permitted_subtrees or []
    assert x509.DNSName("police-room.lan") in permitted
    assert x509.IPAddress(ipaddress.ip_network("192.168.1.20/32")) in permitted
    # The phone installs the authority: its fingerprint is the one officers compare.
    assert made.fingerprint == tls.fingerprint(made.authority_path)
    assert (tmp_path / "tls" / "ca-key.pem").stat().st_mode & 0o777 == 0o600
    # The server sends its own certificate only: phones have the authority already.
    assert made.cert_path.read_text().count("BEGIN CERTIFICATE") == 1


def test_a_client_trusting_the_authority_verifies_the_server_by_name(tmp_path):
    made = tls.certificate(tmp_path, None, None, ["127.0.0.1"])
    server = serving.FieldServer(
        "127.0.0.1", 0, Flask("x"), serving.tls_context(str(made.cert_path), str(made.key_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = ssl.create_default_context(cafile=str(made.authority_path))
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            with client.wrap_socket(raw, server_hostname="localhost") as secured:
                assert secured.version() == "TLSv1.3"
    finally:
        server.shutdown()


def test_the_authority_cannot_vouch_for_a_name_it_was_not_made_for(tmp_path):
    """Were its key stolen, a certificate it signs for another site is still refused."""
    made = tls.certificate(tmp_path, None, None, ["police-room.lan"])
    ca = _load(made.authority_path)
    ca_key = serialization.load_pem_private_key(
        (tmp_path / "tls" / "ca-key.pem").read_bytes(), password=None
    )
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    rogue = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("bank.example")]), critical=True)
        .sign(ca_key, hashes.SHA256())  # type: ignore[arg-type]
    )
    store = x509.verification.Store([ca])
    verifier = (
        x509.verification.PolicyBuilder()
        .store(store)
        .build_server_verifier(x509.DNSName("bank.example"))
    )
    with pytest.raises(x509.verification.VerificationError):
        verifier.verify(rogue, [])
    good = (
        x509.verification.PolicyBuilder()
        .store(store)
        .build_server_verifier(x509.DNSName("police-room.lan"))
    )
    good.verify(_load(made.cert_path), [])


def test_a_new_server_certificate_keeps_the_authority_phones_installed(tmp_path):
    first = tls.certificate(tmp_path, None, None, ["192.168.1.20"])
    shutil.copy(tmp_path / "tls" / "key.pem", tmp_path / "old-key.pem")
    (tmp_path / "tls" / "cert.pem").unlink()  # expired or deleted: made again on start
    again = tls.certificate(tmp_path, None, None, ["192.168.1.20"])
    assert again.generated and again.fingerprint == first.fingerprint
    assert (tmp_path / "tls" / "key.pem").read_bytes() != (tmp_path / "old-key.pem").read_bytes()


def test_a_name_the_authority_does_not_cover_gets_a_new_authority(tmp_path):
    first = tls.certificate(tmp_path, None, None, ["192.168.1.20"])
    folder = tmp_path / "tls"
    tls.generate(folder, ["192.168.1.20", "police-room.lan"])
    again = tls.certificate(tmp_path, None, None, [])
    assert again.fingerprint != first.fingerprint
    assert "police-room.lan" in _load(again.cert_path).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value.get_values_for_type(x509.DNSName)


def test_an_older_instances_self_signed_certificate_is_replaced(tmp_path):
    folder = tmp_path / "tls"
    folder.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "old")])
    old = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=300))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (folder / "cert.pem").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    made = tls.certificate(tmp_path, None, None, [])
    assert made.generated and made.authority_path is not None
    assert tls.signed_by_own_authority(made.cert_path, tmp_path)


def test_an_operators_pair_wins_and_has_no_authority_to_offer(tmp_path, app, client, logged_in):
    own = tls.certificate(tmp_path / "other", None, None, [])
    made = tls.certificate(tmp_path, str(own.cert_path), str(own.key_path), [])
    assert made.authority_path is None and not made.generated
    assert made.fingerprint == tls.fingerprint(own.cert_path)
    assert not (tmp_path / "tls").exists()
    app.config.update(TLS_FINGERPRINT=made.fingerprint, TLS_AUTHORITY=None)
    assert client.get("/tls/certificate.pem").status_code == 404
    logged_in("officer")
    page = client.get("/officer/setup", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert "WANJIA_TLS_CERT" in page and "data-authority-qr" not in page


def test_the_setup_page_offers_the_authority_with_a_qr_code_and_steps(app, client, logged_in):
    made = tls.certificate(Path(app.instance_path), None, None, [])
    app.config.update(
        TLS_FINGERPRINT=made.fingerprint,
        TLS_AUTHORITY=str(made.authority_path),
        PUBLIC_URL="https://police-room.lan:5000",
    )
    download = client.get("/tls/certificate.pem")  # public: phones fetch it before logging in
    assert download.status_code == 200
    assert download.mimetype == "application/x-x509-ca-cert"
    assert download.data == made.authority_path.read_bytes()
    logged_in("officer")
    page = client.get("/officer/setup", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert f"data-fingerprint>{made.fingerprint}<" in page
    assert 'href="https://police-room.lan:5000/tls/certificate.pem" data-authority-url' in page
    assert 'src="data:image/png;base64,' in page
    for phone in ("安卓", "苹果手机", "华为（鸿蒙）"):
        assert f"<b>{phone}</b>" in page
    assert "加密与凭据" in page and "证书信任设置" in page


def test_the_setup_page_is_for_officers_only(client, logged_in):
    logged_in("volunteer")
    assert client.get("/officer/setup").status_code == 403


def test_behind_nginx_the_setup_page_shows_the_authority_and_its_fingerprint(
    tmp_path, app, client, logged_in
):
    """``wanjia serve`` (app/wsgi.py) ends no TLS itself: the page still names what nginx
    serves, not "not serving HTTPS"."""
    assert tls.at_the_proxy(tmp_path, None) == {}  # nothing made yet: nothing to show
    made = tls.certificate(tmp_path, None, None, ["192.0.2.2"])  # `wanjia certificate`
    assert made.authority_path is not None
    settings = tls.at_the_proxy(tmp_path, None)
    assert settings == {
        "TLS_AUTHORITY": str(made.authority_path),
        "TLS_FINGERPRINT": made.fingerprint,
    }
    app.config.update(settings)
    logged_in("officer")
    page = client.get("/officer/setup", headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert f"data-fingerprint>{made.fingerprint}<" in page and "data-authority-qr" in page


def test_behind_nginx_with_the_operators_certificate_its_fingerprint_is_shown(tmp_path):
    own = tls.certificate(tmp_path / "operator", None, None, [])
    assert tls.at_the_proxy(tmp_path, str(own.cert_path)) == {
        "TLS_FINGERPRINT": tls.fingerprint(own.cert_path)
    }
