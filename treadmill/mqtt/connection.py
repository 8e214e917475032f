"""Reaching the broker: one client set-up, the backoff, and the failures retrying cannot fix.

The publisher and the dashboard's watcher both connect through :func:`client_for`.
"""

from __future__ import annotations

import logging
import socket
import ssl

import aiomqtt
from aiomqtt.exceptions import MqttConnectError

from treadmill.mqtt.settings import MqttSettings

__all__ = ["ANSWER_WITHIN_S", "BACKOFF_S", "client_for", "what_to_fix", "what_went_wrong"]

ANSWER_WITHIN_S = 10.0
"""How long the broker has to answer a connect, a subscription or a QoS 1 publish."""
BACKOFF_S = (1.0, 30.0)
"""First and longest wait between reconnection attempts (doubling, with jitter)."""
_REFUSED = {
    4: "the broker refused the user name or password",
    5: "the broker said not authorised (a wrong user name or password?)",
    134: "the broker refused the user name or password",
    135: "the broker said not authorised (a wrong user name or password?)",
}
"""CONNACK codes that retrying cannot fix: MQTT 3.1.1 §3.2.2.3 (4, 5) and the MQTT 5 reason
codes paho reports for them (134, 135). Only a refused connect carries them: paho's own error
codes share the numbers (4 is "not connected", what a publish says when the broker has just
gone away), so they are read on a refused connect (``MqttConnectError``) alone."""


def what_to_fix(problem: BaseException | None, where: str) -> str | None:
    """What to fix, when ``problem`` is one that retrying cannot solve; None when it may pass."""
    if isinstance(problem, MqttConnectError):
        code = problem.rc if isinstance(problem.rc, int) else getattr(problem.rc, "value", None)
        if code in _REFUSED:
            return (
                f"{_REFUSED[code]} at {where}; check username and password in config.toml [mqtt] "
                "or TREADMILL_MQTT_USERNAME / TREADMILL_MQTT_PASSWORD"
            )
    text = str(problem)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate" in text.lower():
        return f"TLS: {text} ({where}); check ca_file, cert_file and key_file in config.toml [mqtt]"
    return None


def what_went_wrong(problem: BaseException | None, where: str) -> str:
    """One line on a failure that may pass: a broker that is not there, or one that does not answer."""
    if "timed out" in str(problem).lower():
        return f"{where} took the connection but did not answer within {ANSWER_WITHIN_S:g} s"
    return f"{where} unreachable ({problem})"


def client_for(settings: MqttSettings, identifier: str, will: aiomqtt.Will | None = None) -> aiomqtt.Client:
    """A client for ``settings``: credentials, TLS (verified) and the options both users need."""
    s = settings
    tls = None
    if s.tls:
        tls = aiomqtt.TLSParameters(
            ca_certs=None if s.ca_file is None else str(s.ca_file),
            certfile=None if s.cert_file is None else str(s.cert_file),
            keyfile=None if s.key_file is None else str(s.key_file),
            cert_reqs=ssl.CERT_REQUIRED,
        )
    return aiomqtt.Client(
        s.host,
        s.port,
        username=s.username,
        password=s.password,
        identifier=identifier,
        will=will,
        tls_params=tls,
        keepalive=15,
        timeout=ANSWER_WITHIN_S,
        # Small messages one after another: without this, Nagle's algorithm holds each
        # behind the broker's delayed ACK of the last (tens of ms apiece on a quiet link).
        socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        logger=logging.getLogger("treadmill.mqtt"),
    )
