"""A real MQTT broker for the tests, on a free loopback port, started and stopped here.

mosquitto where it is installed (``.ci/run`` installs it); otherwise amqtt, a broker that
pip installs with the test extras, so ``make test`` on a fresh machine still talks to a real
broker. What only mosquitto offers here (password files and TLS with client certificates)
skips without it, saying so, except under ``CI``, where a missing mosquitto is a failure.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

READY_WITHIN_S = 20.0


def mosquitto_binary() -> str | None:
    """mosquitto's path, or None (also when ``TREADMILL_TEST_BROKER=amqtt`` asks for the fallback)."""
    if os.environ.get("TREADMILL_TEST_BROKER") == "amqtt":
        return None
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if Path(p).exists()), None
    )


def needs_mosquitto(what: str) -> None:
    """Skip (fail under CI) a test that only mosquitto can serve."""
    if mosquitto_binary() is None:
        message = f"{what} needs mosquitto (apt-get install mosquitto; .ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Broker:
    """One mosquitto process and its configuration."""

    folder: Path
    port: int = field(default_factory=free_port)
    users: dict[str, str] = field(default_factory=dict)
    tls: TlsFiles | None = None
    require_client_cert: bool = False
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Broker:
        """Start (or restart, on the same port) and wait until it accepts connections."""
        mosquitto = mosquitto_binary()
        if self.users or self.tls:
            needs_mosquitto("a broker with passwords or TLS")
        command = self._mosquitto(mosquitto) if mosquitto is not None else self._amqtt()
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the broker exited: {error[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.02)  # polling a port that is opening, not waiting for luck
        raise RuntimeError(f"the broker did not listen on {self.port} within {READY_WITHIN_S} s")

    def _amqtt(self) -> list[str]:
        """amqtt, anonymous, on the loopback port (its log to stderr, errors only)."""
        config = self.folder / "amqtt.yaml"
        config.write_text(
            "listeners:\n"
            "  default:\n"
            "    type: tcp\n"
            f"    bind: 127.0.0.1:{self.port}\n"
            "plugins:\n"
            "  amqtt.plugins.authentication.AnonymousAuthPlugin:\n"
            "    allow_anonymous: true\n"
        )
        return [sys.executable, "-m", "amqtt.scripts.broker_script", "-c", str(config)]

    def _mosquitto(self, program: str) -> list[str]:
        config = self.folder / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "persistence false",
            f"allow_anonymous {'false' if self.users else 'true'}",
            "log_dest stderr",
            "log_type error",
            f"user {getpass.getuser()}",  # as root, mosquitto would drop to a user who cannot read tmp
        ]
        if self.users:
            passwords = self.folder / "passwords"
            passwords.unlink(missing_ok=True)
            for user, password in self.users.items():
                subprocess.run(
                    [
                        _passwd_tool(),
                        "-b",
                        *([] if passwords.exists() else ["-c"]),
                        str(passwords),
                        user,
                        password,
                    ],
                    check=True,
                    capture_output=True,
                )
            passwords.chmod(0o600)
            lines.append(f"password_file {passwords}")
        if self.tls is not None:
            lines += [
                f"cafile {self.tls.ca}",
                f"certfile {self.tls.server_cert}",
                f"keyfile {self.tls.server_key}",
                f"require_certificate {'true' if self.require_client_cert else 'false'}",
            ]
        config.write_text("\n".join(lines) + "\n")
        return [program, "-c", str(config)]

    def stop(self) -> None:
        """Kill the broker (as a crash would: no goodbye to the clients)."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=10)
            if self.process.stderr is not None:
                self.process.stderr.close()
        self.process = None

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"


def _passwd_tool() -> str:
    found = shutil.which("mosquitto_passwd")
    if found is None:
        pytest.fail("mosquitto_passwd is missing (it comes with the mosquitto package)")
    return found


@dataclass(frozen=True)
class TlsFiles:
    """A throwaway CA, a server certificate for 127.0.0.1, and a client certificate."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path
    """A CA that signed nothing here: trusting it must fail."""


def make_tls_files(folder: Path) -> TlsFiles:
    """Generate the certificates (EC P-256, valid for a day)."""
    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        return path

    def certificate(
        subject: str,
        key: ec.EllipticCurvePrivateKey,
        issuer: str,
        issuer_key: ec.EllipticCurvePrivateKey,
        *,
        ca: bool,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name(issuer))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            import ipaddress  # noqa: PLC0415

            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
        return builder.sign(issuer_key, hashes.SHA256())

    def write_cert(cert: x509.Certificate, path: Path) -> Path:
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path

    ca_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    return TlsFiles(
        ca=write_cert(certificate("test CA", ca_key, "test CA", ca_key, ca=True), folder / "ca.pem"),
        server_cert=write_cert(
            certificate("127.0.0.1", server_key, "test CA", ca_key, ca=False), folder / "server.pem"
        ),
        server_key=write_key(server_key, folder / "server.key"),
        client_cert=write_cert(
            certificate("treadmill", client_key, "test CA", ca_key, ca=False), folder / "client.pem"
        ),
        client_key=write_key(client_key, folder / "client.key"),
        other_ca=write_cert(
            certificate("other CA", other_key, "other CA", other_key, ca=True), folder / "other-ca.pem"
        ),
    )
