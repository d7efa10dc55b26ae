"""The HTTPS side of ``wanjia doctor``: the public URL phones open, and the certificate served.

Phones give a page their location only on a secure origin, so the public URL must be HTTPS on an
address they reach, and the certificate it serves must name that host and be the one officers
told the phones to trust.
"""

from __future__ import annotations

import datetime as dt
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from flask import Flask

from app import public_url, tls
from app.findings import Finding

CERT_WARN_DAYS = 30
PROBE_TIMEOUT_S = 3
# OpenSSL's verify codes for a certificate that does not name the host the client asked for.
NAME_MISMATCH_CODES = frozenset({62, 64})  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_MISMATCH


def check_public_url(app: Flask, now: dt.datetime) -> list[Finding]:
    """The address posters encode: present, a URL, reachable by phones, and actually serving."""
    raw = app.config.get("PUBLIC_URL_IGNORED") or app.config.get("PUBLIC_URL")
    findings = url_findings(raw)
    if raw and not public_url.problem(raw):
        findings.append(probe(str(raw), _ca_file(app)))
    return findings


def url_findings(raw: object) -> list[Finding]:
    """What the URL's shape alone says (no network), so every case is testable on loopback."""
    name = "public URL"
    set_it = f"set WANJIA_PUBLIC_URL=https://<LAN address>:<port> (like {public_url.EXAMPLE})"
    if raw in (None, ""):
        return [
            Finding(
                name,
                "warn",
                "WANJIA_PUBLIC_URL is unset: posters and pickup codes encode whatever address "
                "the officer's browser used",
                set_it,
            )
        ]
    problem = public_url.problem(raw)
    if problem:
        return [Finding(name, "fail", f"WANJIA_PUBLIC_URL={raw!r} is ignored: {problem}", set_it)]
    parts = urlsplit(str(raw))
    host = parts.hostname or ""
    if public_url.is_loopback(host):
        return [
            Finding(
                name,
                "fail",
                f"{raw} names this machine itself ({host}): phones cannot reach it",
                set_it,
            )
        ]
    if parts.scheme != "https":
        return [
            Finding(
                name,
                "fail",
                f"{raw} is plain HTTP: phones refuse geolocation on insecure origins",
                f"serve HTTPS (`wanjia run --host 0.0.0.0` does) and set "
                f"WANJIA_PUBLIC_URL=https://{parts.netloc}",
            )
        ]
    return [Finding(name, "ok", f"posters and links encode {raw}")]


def _ca_file(app: Flask) -> Path | None:
    """The certificate phones are asked to trust: the operator's, else the instance's own
    authority (an older instance's self-signed certificate until it is made again)."""
    configured = app.config.get("TLS_CERT")
    instance = Path(app.instance_path)
    if configured:
        path = Path(configured)
    else:
        path = tls.own_authority(instance)[0]
        if not path.is_file():
            path = tls.own_pair(instance)[0]
    return path if path.is_file() else None


def probe(url: str, ca_file: Path | None, timeout: float = PROBE_TIMEOUT_S) -> Finding:
    """GET ``<url>/healthz`` as a phone would, trusting only the certificate phones are given."""
    name = "public URL reachable"
    parts = urlsplit(url)
    host, port = parts.hostname or "", public_url.default_port(url)
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if parts.scheme == "https":
        try:
            context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        except (OSError, ssl.SSLError) as exc:
            return Finding(name, "fail", f"cannot load {ca_file}: {exc}", "see the TLS line")
        context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # a leaf certificate as anchor
        handlers.append(urllib.request.HTTPSHandler(context=context))
    health = url.rstrip("/") + "/healthz"
    try:
        with urllib.request.build_opener(*handlers).open(health, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return Finding(
            name,
            "fail",
            f"{health} answered HTTP {exc.code}",
            "read the server's log; the database line below may say why",
        )
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, ssl.SSLCertVerificationError):
            return _certificate_finding(name, host, ca_file, reason)
        if isinstance(reason, ssl.SSLError):
            return Finding(
                name,
                "fail",
                f"{url} does not speak HTTPS: {reason}",
                f"start `wanjia run --host 0.0.0.0 --port {port}` (HTTPS on any "
                "address but loopback) or use http:// in WANJIA_PUBLIC_URL",
            )
        return Finding(
            name,
            "fail",
            f"{health} is unreachable: {reason}",
            f"start `wanjia run --host 0.0.0.0 --port {port}` and check the firewall",
        )
    trusted = f" over TLS verified against {ca_file}" if ca_file and parts.scheme == "https" else ""
    return Finding(name, "ok", f"{health} answered HTTP {status}{trusted}")


def _certificate_finding(
    name: str, host: str, ca_file: Path | None, error: ssl.SSLCertVerificationError
) -> Finding:
    if error.verify_code in NAME_MISMATCH_CODES:
        return Finding(
            name,
            "fail",
            f"the certificate served does not cover {host} ({error.verify_message})",
            f"use a certificate whose subjectAltName names {host} (with the "
            "instance's own: delete instance/tls/ and restart `wanjia run`, which "
            "names the public URL's host), or a WANJIA_PUBLIC_URL it covers",
        )
    return Finding(
        name,
        "fail",
        f"the certificate served is not the one phones are told to "
        f"trust ({ca_file or 'system store'}): {error.verify_message}",
        "serve the certificate in WANJIA_TLS_CERT (or instance/tls/cert.pem): "
        "another program may be listening on that port",
    )


def tls_fix(instance: Path, operator: bool, expires: dt.datetime | None = None) -> str:
    """What to do about a bad (or, with ``expires``, an expiring) certificate: whose it is
    decides who mends it."""
    folder = tls.own_pair(instance)[0].parent
    if operator:
        when = f" before {expires:%Y-%m-%d}" if expires else ""
        return (
            f"renew the certificate in WANJIA_TLS_CERT{when}, give WANJIA_TLS_KEY its matching "
            f"key, or unset both to use one made under {folder}"
        )
    cert = folder / "cert.pem"
    step = f"before {expires:%Y-%m-%d}, delete {cert} and " if expires else ""
    return (
        f"{step}restart `wanjia run`: it makes a new server certificate in {folder}, signed by "
        "the same authority (ca.pem), so phones that installed it keep trusting the server"
    )


def check_tls(app: Flask, now: dt.datetime) -> list[Finding]:
    """The certificate and key ``wanjia run`` would serve: readable, matching, not expiring."""
    name = "TLS"
    cert, key = app.config.get("TLS_CERT"), app.config.get("TLS_KEY")
    instance = Path(app.instance_path)
    if bool(cert) != bool(key):
        return [
            Finding(
                name,
                "fail",
                "only one of WANJIA_TLS_CERT and WANJIA_TLS_KEY is set",
                "set both, or neither to use a certificate made under instance/tls/",
            )
        ]
    operator = bool(cert)
    if cert and key:  # the operator's own pair
        cert_path, key_path = Path(cert), Path(key)
    else:
        cert_path, key_path = tls.own_pair(instance)
        if not cert_path.exists():
            return [
                Finding(
                    name,
                    "warn",
                    f"no certificate yet in {cert_path.parent}",
                    "`wanjia run --host 0.0.0.0 --port N` makes one on first start "
                    "and prints its fingerprint",
                )
            ]
    problem = tls.check(cert_path, key_path, now=now)
    if problem:
        # The instance's own pair is replaced on start; the operator's stops the start.
        return [Finding(name, "fail" if operator else "warn", problem, tls_fix(instance, operator))]
    expires = x509.load_pem_x509_certificate(cert_path.read_bytes()).not_valid_after_utc
    if expires - now <= dt.timedelta(days=CERT_WARN_DAYS):
        return [
            Finding(
                name,
                "warn",
                f"{cert_path} expires on {expires:%Y-%m-%d}",
                tls_fix(instance, operator, expires),
            )
        ]
    authority = tls.own_authority(instance)[0]
    trusted = authority if not operator and authority.is_file() else cert_path
    return [
        Finding(
            name,
            "ok",
            f"{cert_path} valid until {expires:%Y-%m-%d}; phones trust {trusted.name}, "
            f"SHA-256 {tls.fingerprint(trusted)}",
        )
    ]
