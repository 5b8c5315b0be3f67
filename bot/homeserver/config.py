"""homeserver.yaml and the signing key: built as a pure function, written into the data
directory, read back for the registration secret.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import yaml

from bot.homeserver.errors import HomeserverError

SERVER_NAME = "localhost"
CONFIG_FILE = "homeserver.yaml"
LOG_FILE = "homeserver.log"
SIGNING_KEY_FILE = f"{SERVER_NAME}.signing.key"
_SECRET_KEYS = ("registration_shared_secret", "macaroon_secret_key", "form_secret")
_RAISED = {"per_second": 1000, "burst_count": 1000}
# Every rate limiter Synapse 1.163 reads (synapse/config/ratelimiting.py). Nested keys are
# dotted. A test parses the written config with Synapse itself and checks that none is left
# at its default, so a new limiter in a later Synapse shows up there.
_RATE_LIMIT_KEYS = (
    "rc_message",
    "rc_registration",
    "rc_registration_token_validity",
    "rc_login.address",
    "rc_login.account",
    "rc_login.failed_attempts",
    "rc_admin_redaction",
    "rc_joins.local",
    "rc_joins.remote",
    "rc_joins_per_room",
    "rc_key_requests",
    "rc_3pid_validation",
    "rc_invites.per_room",
    "rc_invites.per_user",
    "rc_invites.per_issuer",
    "rc_third_party_invite",
    "rc_media_create",
    "rc_presence.per_user",
    "rc_delayed_event_mgmt",
    "rc_room_creation",
    "rc_reports",
    "rc_user_directory",
    "rc_profile",
)


def build_config(
    data_dir: Path,
    port: int,
    secrets_: dict[str, str],
    *,
    raised_rate_limits: bool = True,
    message_rate: tuple[float, int] | None = None,
) -> dict[str, Any]:
    """The homeserver.yaml content: loopback only, SQLite, no federation, no registration.

    ``message_rate`` (per second, burst) sets ``rc_message`` alone, for tests that need
    Synapse's rate limiting to refuse sends within seconds rather than a minute.

    Kept a pure function so that it can be checked without starting anything.
    """
    data_dir = data_dir.resolve()
    config: dict[str, Any] = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://127.0.0.1:{port}/",
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                # "client" also mounts /_synapse/admin (synapse/app/homeserver.py).
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(data_dir / "homeserver.db")}},
        "media_store_path": str(data_dir / "media_store"),
        "signing_key_path": str(data_dir / SIGNING_KEY_FILE),
        **{key: secrets_[key] for key in _SECRET_KEYS},
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "bcrypt_rounds": 4,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
        "enable_metrics": False,
    }
    if raised_rate_limits:
        for dotted in _RATE_LIMIT_KEYS:
            node = config
            *parents, leaf = dotted.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = dict(_RAISED)
    if message_rate is not None:
        config["rc_message"] = {"per_second": message_rate[0], "burst_count": message_rate[1]}
    return config


def write_files(
    data_dir: Path,
    port: int,
    *,
    raised_rate_limits: bool,
    message_rate: tuple[float, int] | None = None,
) -> None:
    """Write the signing key once, and homeserver.yaml whenever its content changes.

    Secrets are kept from an existing config so that a reused data dir stays valid.
    """
    config_path = data_dir / CONFIG_FILE
    key_path = data_dir / SIGNING_KEY_FILE
    if not key_path.exists():
        # In-process instead of `--generate-keys`: saves a second Synapse start (~1.5 s).
        from signedjson.key import generate_signing_key, write_signing_keys

        key = generate_signing_key("a_" + secrets.token_hex(2))
        with key_path.open("w") as f:
            write_signing_keys(f, [key])
        key_path.chmod(0o600)

    old: dict[str, Any] = {}
    if config_path.exists():
        old = yaml.safe_load(config_path.read_text()) or {}
    secrets_ = {k: str(old.get(k) or secrets.token_urlsafe(32)) for k in _SECRET_KEYS}
    text = yaml.safe_dump(
        build_config(
            data_dir,
            port,
            secrets_,
            raised_rate_limits=raised_rate_limits,
            message_rate=message_rate,
        ),
        sort_keys=False,
    )
    if not config_path.exists() or config_path.read_text() != text:
        config_path.write_text(text)
        config_path.chmod(0o600)


def registration_secret(config_path: Path) -> str:
    """The shared secret of the admin registration API, from the written config."""
    try:
        config = yaml.safe_load(config_path.read_text())
    except OSError as exc:
        raise HomeserverError(f"no config at {config_path}: start() first") from exc
    return str(config["registration_shared_secret"])
