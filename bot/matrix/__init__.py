"""The only package that imports nio.

Login and restore, the sync loop, sending (with rate-limit retries and idempotent
transaction ids), uploads, rooms and the E2EE store. nio events become the plain inbound
dataclasses of ``bot.events``; nio error responses become ``MatrixError``. Room power per
room version is ``bot.powerlevels``; the cross-signing identity is ``bot.crosssign``.

One job per module:

- ``base``: ``MatrixError``, the retry limits, ``SyncHealth``, the connection's state
- ``login``: login/restore of the device, stored credentials, cross-signing
- ``keys``: E2EE housekeeping, withheld room keys, key requests
- ``convert``: nio events → ``bot.events`` (and late-decrypted messages)
- ``rooms``: room state and room operations, direct chats
- ``send``: messages, reactions, uploads
- ``connection``: ``MatrixConnection`` and its sync loop
- ``peer``: ``PeerClient``, a plain user account (demo, benchmarks)
"""

from bot.events import Message, Reaction, Undecryptable, defuse, poll_response
from bot.matrix.base import (
    MAX_RATE_LIMIT_WAIT,
    RETRY_CAP_SECONDS,
    SEND_GIVE_UP_SECONDS,
    MatrixError,
    SyncHealth,
)
from bot.matrix.connection import SYNC_TIMEOUT_MS, MatrixConnection
from bot.matrix.convert import DECRYPT_GRACE_SECONDS
from bot.matrix.keys import WITHHELD_TYPES
from bot.matrix.login import Credentials
from bot.matrix.peer import PEER_SHOWN_TYPES, PeerClient, PeerRoom
from bot.matrix.send import MAX_EVENT_BYTES, txn_id_for

__all__ = [
    "DECRYPT_GRACE_SECONDS",
    "MAX_EVENT_BYTES",
    "MAX_RATE_LIMIT_WAIT",
    "PEER_SHOWN_TYPES",
    "RETRY_CAP_SECONDS",
    "SEND_GIVE_UP_SECONDS",
    "SYNC_TIMEOUT_MS",
    "WITHHELD_TYPES",
    "Credentials",
    "MatrixConnection",
    "MatrixError",
    "Message",
    "PeerClient",
    "PeerRoom",
    "Reaction",
    "SyncHealth",
    "Undecryptable",
    "defuse",
    "poll_response",
    "txn_id_for",
]
