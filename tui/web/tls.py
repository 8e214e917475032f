"""HTTPS for `treadmill serve`: a certificate of this computer's own, made once, or the user's.

A phone's browser gives a page its motion sensors only in a *secure context* (W3C *Secure
Contexts*, § 3; *DeviceOrientation Event Specification*, § 4), and on a shared network plain
HTTP shows the key in the address to anyone listening. So beyond this machine the server
speaks TLS.

Nobody can get a certificate from a public authority for a laptop's address on a home
network, so the first ``serve --tls`` makes a **self-signed** one with ``cryptography``:
an ECDSA P-256 key, the names and addresses the phone may use (``localhost``, this
computer's name, the address it prints), ``serverAuth`` in its extended key usage, and 825
days of validity: what iOS requires of a certificate a user trusts by hand (Apple, *Requirements
for trusted certificates in iOS 13 and macOS 10.15*, HT210176). It is kept in the config folder
(the key readable by its owner only) and made again only when it expires or lacks an address
now needed. The phone accepts it once; docs/serve.md shows how, and the fingerprint printed
at start lets the user check it is this one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TlsError", "TlsFiles", "own_certificate", "self_signed"]

VALID_DAYS: Final = 825
"""The longest validity iOS accepts for a TLS server certificate (HT210176)."""
RENEW_WITHIN_DAYS: Final = 30
FOLDER: Final = "serve-tls"
CERT_NAME: Final = "certificate.pem"
KEY_NAME: Final = "key.pem"


class TlsError(Exception):
    """A certificate or key that cannot be used: the reason, in one line."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A certificate and its key, ready to serve with."""

    cert: Path
    key: Path
    fingerprint: str
    """SHA-256 of the certificate, as browsers show it (AB:CD:...)."""
    made: bool = False
    """It was made just now (the phone has to accept it once more)."""
    own: bool = False
    """This computer made it (self-signed): a phone must be told to trust it."""

    def context(self) -> ssl.SSLContext:
        """A server context: TLS 1.2 at least, Python's default ciphers.

        Raises:
            TlsError: the files do not hold a certificate and its key.
        """
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError, ValueError) as exc:
            raise TlsError(
                f"{self.cert} and {self.key} are not a certificate and its key ({_reason(exc)})"
            ) from None
        return context


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc) or type(exc).__name__


def _fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def own_certificate(cert: Path, key: Path) -> TlsFiles:
    """The user's own certificate and key (checked now, so that a bad pair fails at start).

    Raises:
        TlsError: unreadable, or not a certificate and its key.
    """
    try:
        loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    except (OSError, ValueError) as exc:
        raise TlsError(f"{cert}: not a readable PEM certificate ({_reason(exc)})") from None
    files = TlsFiles(cert, key, _fingerprint(loaded))
    files.context()
    return files


def _names(hosts: list[str]) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for host in dict.fromkeys(["localhost", socket.gethostname(), "127.0.0.1", "::1", *hosts]):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            if host:
                names.append(x509.DNSName(host))
    return names


def _usable(cert_path: Path, key_path: Path, hosts: list[str], now: dt.datetime) -> x509.Certificate | None:
    """The kept certificate, if it is there, current, and names every host needed."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key_path.stat()
    except (OSError, ValueError):
        return None
    if cert.not_valid_after_utc - now < dt.timedelta(days=RENEW_WITHIN_DAYS):
        return None
    try:
        have = set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return None
    return cert if set(_names(hosts)) <= have else None


def self_signed(config: Path, hosts: list[str], *, now: dt.datetime | None = None) -> TlsFiles:
    """The certificate for ``hosts``, kept in ``config``: made when missing, old, or short of a name.

    Raises:
        TlsError: the config folder cannot hold it.
    """
    now = now or dt.datetime.now(dt.UTC)
    folder = config / FOLDER
    cert_path, key_path = folder / CERT_NAME, folder / KEY_NAME
    kept = _usable(cert_path, key_path, hosts, now)
    if kept is not None:
        return TlsFiles(cert_path, key_path, _fingerprint(kept), own=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"Treadmill Companion on {socket.gethostname()}"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Treadmill Companion (self-signed)"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_names(hosts)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(  # signs TLS handshakes, and itself: a root a phone can be told to trust
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(key_path, key_pem, 0o600)
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise TlsError(f"cannot keep the certificate in {folder}: {_reason(exc)}") from None
    return TlsFiles(cert_path, key_path, _fingerprint(cert), made=True, own=True)


def _write(path: Path, data: bytes, mode: int) -> None:
    """Whole or not at all: a temporary file renamed over the old one."""
    temporary = path.with_name(path.name + ".part")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        written = 0
        while written < len(data):  # a write may take part of it
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
