"""`treadmill serve` over HTTPS: this computer's own certificate, the user's, and plain HTTP only when asked.

A client that trusts nothing but the certificate file the server made checks each step a phone
takes: the printed fingerprint is the served certificate's, the address verifies against it
(the names and addresses are in it), it is kept and served again on the next start, and its key
is readable by its owner only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.browser import SERVE, start_serve
from tests.test_serve import NoRedirect, fetch
from tui.cli.commands.serve import PLAIN_HTTP_WARNING
from tui.web.tls import CERT_NAME, FOLDER, KEY_NAME, self_signed

VIRTUAL = ("--virtual", "--plan", "first-steps-backward")


def served_certificate(port: int) -> bytes:
    """The certificate the server presents (DER), taken without trusting it."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, context.wrap_socket(raw) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def status_of(url: str, context: ssl.SSLContext) -> int:
    """The status of a GET (a redirect is not followed)."""
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(urllib.request.Request(url), timeout=10) as response:  # noqa: S310 - our server
            return int(response.status)
    except urllib.error.HTTPError as answer:
        return answer.code


def port_of(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def printed_fingerprint(printed: str) -> str:
    [line] = [line for line in printed.splitlines() if line.strip().startswith("SHA-256 ")]
    return line.split("SHA-256 ", 1)[1].strip()


def test_beyond_this_machine_it_is_https_with_a_certificate_made_once(tmp_path: Path) -> None:
    served = start_serve([*VIRTUAL, "--host", "0.0.0.0"], tmp_path)  # noqa: S104 - the test: beyond loopback
    try:
        assert served.url.startswith("https://"), "HTTPS is the default beyond this machine"
        assert served.motion_url.startswith("https://")
        assert "/motion?token=" in served.motion_url
        port = port_of(served.url)
        der = served_certificate(port)
        cert_file = tmp_path / FOLDER / CERT_NAME
        trusting = ssl.create_default_context(cafile=str(cert_file))  # trusts that one file, and no other
        url = f"https://127.0.0.1:{port}/motion?token={served.token}"
        assert status_of(url, trusting) == 303, "the address verifies against the certificate it made"
    finally:
        printed = served.announced + served.stop()
    fingerprint = hashlib.sha256(der).hexdigest().upper()
    assert printed_fingerprint(printed).replace(":", "") == fingerprint, (
        "the fingerprint printed is the one served"
    )
    assert "(new: each phone asks once to accept it)" in printed
    assert PLAIN_HTTP_WARNING not in printed
    assert (tmp_path / FOLDER / KEY_NAME).stat().st_mode & 0o077 == 0, "the key is its owner's only"

    again = start_serve([*VIRTUAL, "--host", "0.0.0.0"], tmp_path)  # noqa: S104
    try:
        assert served_certificate(port_of(again.url)) == der, (
            "the same certificate: the phone accepts it once"
        )
    finally:
        printed = again.announced + again.stop()
    assert "(new:" not in printed
    assert "SHA-256" in printed


def test_a_certificate_is_made_again_when_it_is_about_to_expire_or_lacks_an_address(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    first = self_signed(tmp_path, ["192.0.2.7"], now=now)
    assert first.made
    assert not self_signed(tmp_path, ["192.0.2.7"], now=now + dt.timedelta(days=700)).made
    renewed = self_signed(tmp_path, ["192.0.2.7"], now=now + dt.timedelta(days=800))
    assert renewed.made
    assert renewed.fingerprint != first.fingerprint
    moved = self_signed(tmp_path, ["192.0.2.8"], now=now + dt.timedelta(days=800))
    assert moved.made, "a new address on the network: a certificate that names it"
    cert = x509.load_pem_x509_certificate(moved.cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert x509.IPAddress(__import__("ipaddress").ip_address("192.0.2.8")) in names
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 825, "what iOS accepts"


def _own_pair(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "treadmill.home.arpa")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("treadmill.home.arpa")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "mine.pem", folder / "mine.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def test_the_users_own_certificate_is_the_one_served(tmp_path: Path) -> None:
    cert, key = _own_pair(tmp_path)
    served = start_serve([*VIRTUAL, "--cert", str(cert), "--key", str(key)], tmp_path)
    try:
        assert served.url.startswith("https://")
        der = served_certificate(port_of(served.url))
    finally:
        served.stop()
    assert der == x509.load_pem_x509_certificate(cert.read_bytes()).public_bytes(serialization.Encoding.DER)
    assert not (tmp_path / FOLDER).exists(), "no certificate of its own is made"


def test_bad_https_options_fail_in_one_line(tmp_path: Path) -> None:
    cert, _key = _own_pair(tmp_path)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    env_home = {"TREADMILL_CONFIG_DIR": str(tmp_path), "TREADMILL_DATA_DIR": str(tmp_path / "data")}
    for options, says in (
        (["--cert", str(cert)], "--cert and --key go together"),
        (["--plain-http", "--tls"], "--plain-http goes without --tls"),
        (["--cert", str(garbage), "--key", str(garbage)], "not a readable PEM certificate"),
        (["--cert", str(cert), "--key", str(garbage)], "are not a certificate and its key"),
        (["--phone-feed", str(tmp_path / "x.sock")], "--phone-feed is serve's own"),
    ):
        done = subprocess.run(
            [*SERVE, *VIRTUAL, *options, "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**__import__("os").environ, **env_home},
        )
        assert done.returncode == 2, options
        assert done.stderr.count("\n") == 1, done.stderr
        assert says in done.stderr, done.stderr


def test_plain_http_beyond_this_machine_is_asked_for_and_warned_of(tmp_path: Path) -> None:
    """The token travels in the clear on a shared network: said on the terminal, not only in docs."""
    beyond = start_serve([*VIRTUAL, "--host", "0.0.0.0", "--plain-http"], tmp_path / "a")  # noqa: S104
    local = start_serve(list(VIRTUAL), tmp_path / "b")
    assert beyond.url.startswith("http://")
    assert local.url.startswith("http://")
    assert PLAIN_HTTP_WARNING in beyond.stop()
    assert PLAIN_HTTP_WARNING not in local.stop()
    assert not (tmp_path / "a" / FOLDER).exists()
    assert not (tmp_path / "b" / FOLDER).exists()


def test_a_phone_can_fetch_the_servers_own_certificate_to_trust_it(tmp_path: Path) -> None:
    """iOS refuses a secure websocket to a certificate it was only told to accept for the page:
    the pages point to the certificate, to install and trust."""
    served = start_serve([*VIRTUAL, "--tls"], tmp_path)
    try:
        port = port_of(served.url)
        trusting = ssl.create_default_context(cafile=str(tmp_path / FOLDER / CERT_NAME))
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=trusting))
        cookie = {"Cookie": f"treadmill_token={served.token}"}
        request = urllib.request.Request(f"https://127.0.0.1:{port}/certificate", headers=cookie)
        with opener.open(request, timeout=10) as response:
            assert response.headers["Content-Type"] == "application/x-x509-ca-cert"
            assert response.read() == (tmp_path / FOLDER / CERT_NAME).read_bytes()
        for page in ("/", "/motion"):
            request = urllib.request.Request(f"https://127.0.0.1:{port}{page}", headers=cookie)
            with opener.open(request, timeout=10) as response:
                assert "href='/certificate'" in response.read().decode(), page
    finally:
        served.stop()
    plain = start_serve(list(VIRTUAL), tmp_path / "plain")
    try:
        assert fetch(plain.base + "/certificate", cookie=f"treadmill_token={plain.token}")[0] == 404
        assert "/certificate" not in fetch(plain.base + "/motion", cookie=f"treadmill_token={plain.token}")[1]
    finally:
        plain.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_openssl_verifies_the_certificate_as_a_server_certificate_that_is_its_own_root(
    tmp_path: Path,
) -> None:
    """A reader we did not write: trusted as a root (what a phone is told), it verifies for a TLS server."""
    cert = self_signed(tmp_path, ["192.168.1.20"]).cert
    done = subprocess.run(
        ["openssl", "verify", "-CAfile", str(cert), "-purpose", "sslserver", str(cert)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName,keyUsage,basicConstraints"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "IP Address:192.168.1.20" in shown
    assert "Certificate Sign" in shown
    assert "CA:TRUE" in shown
