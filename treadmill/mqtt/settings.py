"""Where and how to publish: the broker URL, topics, credentials and TLS files.

Read from the ``[mqtt]`` table of ``config.toml`` in the config folder
(:func:`treadmill.storage.paths.config_dir`), then from ``TREADMILL_MQTT_*`` environment variables,
then ``--mqtt URL``. Credentials come from the config file or the environment, never from
the command line (it shows in the process list), so a URL with a user name or password in
it is refused. The password is kept out of ``repr`` and so out of every log line. A setting
that cannot work is refused with its name: a port outside 1-65535, a URL with a path, an
empty URL, a yes/no setting that is not one of true/false/yes/no/on/off/1/0.
"""

from __future__ import annotations

import os
import re
import socket
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from treadmill.errors import TreadmillError
from treadmill.inputs import InputError, printable, read_bounded
from treadmill.storage.paths import config_dir

__all__ = [
    "CONFIG_FILE",
    "MqttSettings",
    "MqttSettingsError",
    "default_device_id",
    "load_settings",
    "parse_url",
]

CONFIG_FILE = "config.toml"
_ENV = "TREADMILL_MQTT_"
_TOPIC_WORD = re.compile(r"^[A-Za-z0-9_\-]+(/[A-Za-z0-9_\-]+)*$")


class MqttSettingsError(TreadmillError, ValueError):
    """MQTT settings that cannot work (a bad URL, a topic with wildcards, a missing file)."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})
_MAX_HOST = 253
"""The longest DNS name (RFC 1035 §2.3.4)."""


def default_device_id() -> str:
    """``treadmill-<host name>``, reduced to characters that are safe in a topic."""
    host = re.sub(r"[^a-z0-9_-]+", "-", socket.gethostname().lower()).strip("-")
    return f"treadmill-{host or 'local'}"


@dataclass(frozen=True, slots=True)
class MqttSettings:
    """Everything the publisher and the dashboard need to reach the broker."""

    host: str
    port: int = 1883
    tls: bool = False
    """``mqtts://``: TLS, verified against ``ca_file`` or the system's certificates."""
    prefix: str = "treadmill"
    device_id: str = field(default_factory=default_device_id)
    """This treadmill's id under the prefix; one app per treadmill, each with its own."""
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    cert_file: Path | None = None
    """A client certificate (with ``key_file``) for brokers that ask for one."""
    key_file: Path | None = None
    discovery: bool = True
    """Publish Home Assistant MQTT discovery."""
    discovery_prefix: str = "homeassistant"
    remote_control: bool = False
    """Accept start, stop and speed commands on ``<prefix>/<device_id>/cmd`` (off by default)."""
    queue: int = 500
    """Messages kept while the broker is away; the oldest are dropped (and counted) beyond."""

    @property
    def where(self) -> str:
        """The broker as the user wrote it, without credentials."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def parse_url(url: str) -> tuple[str, int, bool]:
    """``mqtt://host:port`` or ``mqtts://host:port`` to (host, port, tls)."""
    shown = printable(url)[:80]
    if not url.strip():
        raise MqttSettingsError("the MQTT URL is empty (give mqtt://host, or leave --mqtt out)")
    try:
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        raise MqttSettingsError(f"{shown}: not a broker URL (mqtt://host:port, port 1-65535)") from None
    if parts.scheme not in ("mqtt", "mqtts"):
        raise MqttSettingsError(f"{shown}: the MQTT URL must start with mqtt:// or mqtts://")
    if parts.username is not None or parts.password is not None:
        raise MqttSettingsError(
            "credentials do not go in the MQTT URL (they would show in the process list); "
            f"put them in {CONFIG_FILE} [mqtt] or TREADMILL_MQTT_USERNAME / TREADMILL_MQTT_PASSWORD"
        )
    if not hostname:
        raise MqttSettingsError(f"{shown}: no broker host")
    if len(hostname) > _MAX_HOST:
        raise MqttSettingsError(f"{shown}: the host name is longer than {_MAX_HOST} characters")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MqttSettingsError(f"{shown}: an MQTT URL has no path; topics come from [mqtt] prefix")
    if port == 0:
        raise MqttSettingsError(f"{shown}: the port is not a number from 1 to 65535")
    tls = parts.scheme == "mqtts"
    return hostname, port or (8883 if tls else 1883), tls


def _yes_no(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise MqttSettingsError(
        f"[mqtt] {name}: {printable(repr(value))[:40]} is not true or false (yes/no, on/off, 1/0)"
    )


def _from_table(table: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a ``[mqtt]`` table or the environment gives, by field name."""
    known = {f.name for f in fields(MqttSettings)} | {"url"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise MqttSettingsError(f"[mqtt]: unknown setting {', '.join(unknown)}")
    out: dict[str, Any] = dict(table)
    for name in ("ca_file", "cert_file", "key_file"):
        if out.get(name):
            out[name] = Path(str(out[name])).expanduser()
    for name in ("discovery", "remote_control", "tls"):
        if name in out:
            out[name] = _yes_no(name, out[name])
    for name, (low, high) in (("port", (1, 65535)), ("queue", (1, 1_000_000))):
        if name in out:
            out[name] = _whole(name, out[name], low, high)
    for name in ("host", "username", "password", "prefix", "discovery_prefix", "device_id"):
        if name in out and not isinstance(out[name], str):
            raise MqttSettingsError(f"[mqtt] {name}: must be text")
    return out


def _whole(name: str, value: object, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``, given as a number or as text."""
    try:
        number = int(value) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        shown = printable(repr(value))[:40]
        raise MqttSettingsError(f"[mqtt] {name}: {shown} is not a whole number from {low} to {high}")
    return number


def _config_table(folder: Path) -> dict[str, Any]:
    path = folder / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        text = read_bounded(path, "config", 1_000_000).decode("utf-8")
        table = tomllib.loads(text).get("mqtt", {})
    except InputError as exc:
        raise MqttSettingsError(str(exc)) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise MqttSettingsError(f"{path}: {exc}") from None
    if not isinstance(table, dict):
        raise MqttSettingsError(f"{path}: [mqtt] must be a table")
    return table


def load_settings(
    url: str | None = None, *, folder: Path | None = None, environ: Mapping[str, str] | None = None
) -> MqttSettings | None:
    """The MQTT settings, or None when MQTT is not asked for (no URL anywhere).

    Args:
        url: ``--mqtt URL`` from the command line (wins over the file and the environment).
        folder: the config folder (default :func:`config_dir`).
        environ: the environment (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    given = _from_table(_config_table(folder or config_dir()))
    from_env = {
        key[len(_ENV) :].lower(): value for key, value in env.items() if key.startswith(_ENV) and value
    }
    given.update(_from_table(from_env))
    if url is not None:
        given["url"] = url
    if given.get("url") is None and not given.get("host"):
        return None
    if given.get("url") is not None:
        host, port, tls = parse_url(str(given.pop("url")))
        given = {**given, "host": host, "port": port, "tls": tls or bool(given.get("tls"))}
    settings = replace(MqttSettings(host=str(given.pop("host"))), **given)
    _check(settings)
    return settings


def _check(settings: MqttSettings) -> None:
    """Refuse settings that cannot work, naming the setting."""
    for name, value in (("prefix", settings.prefix), ("discovery_prefix", settings.discovery_prefix)):
        if not _TOPIC_WORD.match(value):
            raise MqttSettingsError(
                f"[mqtt] {name} {value!r}: use letters, digits, - and _ (with / between levels)"
            )
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", settings.device_id):
        raise MqttSettingsError(f"[mqtt] device_id {settings.device_id!r}: use letters, digits, - and _")
    for name in ("ca_file", "cert_file", "key_file"):
        path = getattr(settings, name)
        if path is not None and not path.is_file():
            raise MqttSettingsError(f"[mqtt] {name}: {path} does not exist")
    if (settings.cert_file is None) != (settings.key_file is None):
        raise MqttSettingsError("[mqtt] cert_file and key_file go together")
    if settings.password is not None and settings.username is None:
        raise MqttSettingsError("[mqtt] a password needs a username")
    if settings.queue < 1:
        raise MqttSettingsError("[mqtt] queue must be at least 1")
