"""HTTPS for phones on the police room's network.

Browsers give a page the phone's location only in a secure context, so serving on a LAN
address must offer TLS: the operator's certificate and key, or one made on first run under
``instance/tls/`` whose SHA-256 fingerprint officers compare on the phone when trusting it.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
VALID_DAYS = 825  # the longest validity phones still accept for a self-signed server cert


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint: str
    generated: bool


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach ``host``; a name other than localhost may resolve
    to anything, so it counts as a network address."""
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def needs_tls(host: str, forced: bool) -> bool:
    """Loopback stays plain HTTP for development; any other address gets HTTPS."""
    return forced or host not in LOOPBACK_HOSTS


def _names(extra_hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [x509.DNSName("localhost")]
    seen: set[str] = {"localhost"}
    candidates = [socket.gethostname(), *extra_hosts, "127.0.0.1"]
    try:
        candidates += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)]
    except OSError:
        pass
    for host in candidates:
        if not host or host in seen or host in ("0.0.0.0", "::"):  # noqa: S104 - names, not binds
            continue
        seen.add(host)
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    return names


def generate(folder: Path, extra_hosts: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate for this machine's names and addresses (EC P-256)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Wanjia Watch police room"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "万家卫士"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_names(extra_hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def fingerprint(cert_path: Path) -> str:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def check(cert_path: Path, key_path: Path, now: dt.datetime | None = None) -> str | None:
    """What is wrong with a certificate and key, in words an operator can act on; None if fine."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except (OSError, ValueError) as exc:
        return f"cannot read the certificate {cert_path}: {exc}"
    now = now or dt.datetime.now(dt.UTC)
    if cert.not_valid_after_utc <= now:
        return f"the certificate {cert_path} expired on {cert.not_valid_after_utc:%Y-%m-%d}"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(cert_path, key_path)
    except (OSError, ssl.SSLError) as exc:
        return f"the certificate and the key do not match or cannot be read ({exc})"
    return None


def own_pair(instance: Path) -> tuple[Path, Path]:
    """Where the instance's own certificate and key live (``generate`` writes them there)."""
    folder = instance / "tls"
    return folder / "cert.pem", folder / "key.pem"


def certificate(instance: Path, cert: str | None, key: str | None, hosts: list[str]) -> Certificate:
    """The operator's pair when configured, else the instance's own (made on first run)."""
    if cert or key:
        if not (cert and key):
            raise ValueError("set both WANJIA_TLS_CERT and WANJIA_TLS_KEY, or neither")
        cert_path, key_path, generated = Path(cert), Path(key), False
    else:
        cert_path, key_path = own_pair(instance)
        generated = not cert_path.exists()
        if generated or check(cert_path, key_path):
            generate(cert_path.parent, hosts)
            generated = True
    problem = check(cert_path, key_path)
    if problem:
        raise ValueError(problem)
    return Certificate(cert_path, key_path, fingerprint(cert_path), generated)
