"""HTTPS for phones on the police room's network.

Browsers give a page the phone's location only in a secure context, so serving on a LAN
address must offer TLS: the operator's certificate and key, or the instance's own, made on
first run under ``instance/tls/``: a small certificate authority (``ca.pem``, CA:TRUE,
name-constrained to the names and addresses this server answers to, so that a phone trusting
it trusts nothing else) and a server certificate it signs (``cert.pem``). Phones
install the authority once, as Android, iOS and HarmonyOS let people install a CA certificate
(a bare self-signed server certificate is refused as an authority); officers compare its
SHA-256 fingerprint on the phone. A new server certificate (expired, a new name) is signed by
the same authority, so phones keep trusting the server.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
VALID_DAYS = 825  # the longest validity iPhones accept for a server certificate
AUTHORITY_DAYS = 3650  # phones install the authority once; it outlives many server certificates


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    fingerprint: str  # of what phones trust: the instance's authority, or the operator's cert
    generated: bool
    authority_path: Path | None  # the instance's authority; None with the operator's pair


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


def _subject(name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "万家卫士"),
        ]
    )


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)


def _constraints(names: list[x509.GeneralName]) -> x509.NameConstraints:
    """The authority may vouch for exactly the names and addresses this instance serves."""
    permitted: list[x509.GeneralName] = []
    for name in names:
        if isinstance(name, x509.IPAddress):
            address = name.value
            permitted.append(x509.IPAddress(ipaddress.ip_network(address)))
        else:
            permitted.append(name)
    return x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None)


def make_authority(folder: Path, names: list[x509.GeneralName]) -> tuple[Path, Path]:
    """The instance's own certificate authority (EC P-256, CA:TRUE, no intermediates below it,
    name-constrained to ``names``): what a phone installs once, so that it trusts this server."""
    folder.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _subject("Wanjia Watch police room authority")
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=AUTHORITY_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(_constraints(names), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    ca_path, ca_key_path = _authority_files(folder)
    _write_key(key, ca_key_path)
    ca_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return ca_path, ca_key_path


def _usable_authority(folder: Path, names: list[x509.GeneralName]) -> bool:
    """Whether the instance's authority exists, lasts the server certificate's lifetime and
    may vouch for ``names`` (a new name, such as a new public address, needs a new one)."""
    ca_path, ca_key_path = _authority_files(folder)
    if not (ca_path.exists() and ca_key_path.exists()):
        return False
    try:
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        allowed = ca.extensions.get_extension_for_class(x509.NameConstraints).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=VALID_DAYS)
    return ca.not_valid_after_utc > later and set(
        _constraints(names).permitted_subtrees or []
    ) <= set(allowed.permitted_subtrees or [])


def generate(folder: Path, extra_hosts: list[str]) -> tuple[Path, Path]:
    """This machine's server certificate for its names and addresses (EC P-256), signed by
    the instance's authority (made first when missing, expiring or too narrow)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = _names(extra_hosts)
    if not _usable_authority(folder, names):
        make_authority(folder, names)
    ca_path, ca_key_path = _authority_files(folder)
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{ca_key_path} is not the authority's EC key")
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_subject("Wanjia Watch police room"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    _write_key(key, key_path)
    # The server certificate alone: phones have the authority installed, and every handshake
    # on a 50 KB/s link would pay for sending it again.
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


def own_authority(instance: Path) -> tuple[Path, Path]:
    """Where the instance's authority lives: its certificate (which phones install) and key
    (which never leaves this machine)."""
    return _authority_files(instance / "tls")


def _authority_files(folder: Path) -> tuple[Path, Path]:
    """The authority beside the server certificate it signs, in ``folder``."""
    return folder / "ca.pem", folder / "ca-key.pem"


def signed_by_own_authority(cert_path: Path, instance: Path) -> bool:
    """Whether ``cert_path`` was issued by the instance's authority (an older instance's
    self-signed certificate was not: it is made again)."""
    ca_path, _key = own_authority(instance)
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        cert.verify_directly_issued_by(ca)
    except (OSError, ValueError, TypeError, InvalidSignature):
        return False
    return True


def certificate(instance: Path, cert: str | None, key: str | None, hosts: list[str]) -> Certificate:
    """The operator's pair when configured, else the instance's own (made on first run)."""
    if cert or key:
        if not (cert and key):
            raise ValueError("set both WANJIA_TLS_CERT and WANJIA_TLS_KEY, or neither")
        cert_path, key_path, generated = Path(cert), Path(key), False
        authority = None
    else:
        cert_path, key_path = own_pair(instance)
        generated = not cert_path.exists()
        if (
            generated
            or check(cert_path, key_path)
            or not signed_by_own_authority(cert_path, instance)
        ):
            generate(cert_path.parent, hosts)
            generated = True
        authority = own_authority(instance)[0]
    problem = check(cert_path, key_path)
    if problem:
        raise ValueError(problem)
    trusted = authority or cert_path
    return Certificate(cert_path, key_path, fingerprint(trusted), generated, authority)


def at_the_proxy(instance: Path, operator_cert: str | None) -> dict[str, str]:
    """The setup page's HTTPS settings for a process behind nginx (``wanjia serve``), where
    TLS ends in front of it: the fingerprint of what nginx serves, and the authority phones
    install when that is the instance's own (``wanjia certificate``). Empty when neither is
    known here."""
    if operator_cert:
        return {"TLS_FINGERPRINT": fingerprint(Path(operator_cert))}
    authority, _key = own_authority(instance)
    if not authority.exists():
        return {}
    return {"TLS_AUTHORITY": str(authority), "TLS_FINGERPRINT": fingerprint(authority)}
