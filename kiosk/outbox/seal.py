"""Encryption at rest for what a resident typed (a callback number) while it waits in the outbox.

AES-256-GCM with a key kept in the system keyring. A terminal without a
keyring (a kiosk compositor often has no Secret Service) keeps the key in a
file only the kiosk user can read, in a directory apart from the outbox, and
says so: a copied outbox file alone then still reveals nothing.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.paths import APP_NAME

log = logging.getLogger(__name__)

KEYRING_SERVICE = APP_NAME  # the terminal token's service too (kiosk.device.credentials)
KEY_ACCOUNT = "outbox-key"
_NONCE = 12


class SealBroken(ValueError):
    """A sealed value cannot be opened: the key changed or the bytes were damaged."""


class Sealer:
    def __init__(self, key: bytes, where: str) -> None:
        if len(key) != 32:
            raise ValueError("an outbox key has 32 bytes")
        self._aead = AESGCM(key)
        self.where = where  # "system keyring" or the key file's path, for the maintenance screen

    def seal(self, plain: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plain, None)

    def open(self, sealed: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
        except (InvalidTag, ValueError) as exc:
            raise SealBroken("a sealed outbox value cannot be opened") from exc


def load_sealer(key_file: Path, *, use_keyring: bool | None = None) -> Sealer:
    """The terminal's outbox key, made on first use; the keyring first, then `key_file`."""
    if use_keyring is None:
        use_keyring = os.environ.get("KIOSK_CREDENTIALS", "keyring") != "file"
    if use_keyring:
        try:
            import keyring

            stored = keyring.get_password(KEYRING_SERVICE, KEY_ACCOUNT)
            if not stored:
                stored = base64.b64encode(os.urandom(32)).decode("ascii")
                keyring.set_password(KEYRING_SERVICE, KEY_ACCOUNT, stored)
                # Read back: a backend that accepts and forgets would lose every number.
                if keyring.get_password(KEYRING_SERVICE, KEY_ACCOUNT) != stored:
                    raise RuntimeError("the keyring did not keep the outbox key")
            return Sealer(base64.b64decode(stored), "system keyring")
        except Exception as exc:  # any backend failure: fall back to the file
            log.warning("keyring unavailable for the outbox key (%s); using %s", exc, key_file)
    return Sealer(_file_key(key_file), str(key_file))


def _file_key(key_file: Path) -> bytes:
    try:
        key = base64.b64decode(key_file.read_bytes())
        if len(key) == 32:
            return key
        log.error("the outbox key file %s is damaged; making a new key", key_file)
    except FileNotFoundError:
        pass
    key = os.urandom(32)
    key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = key_file.with_name(key_file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(base64.b64encode(key))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, key_file)
    return key
