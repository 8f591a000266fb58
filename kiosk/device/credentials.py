"""The terminal's bearer token, kept in the system keyring.

Terminals run headless under a kiosk compositor where a Secret Service is often
missing; a terminal that cannot reach its keyring must still start, so the
token falls back to a file only root and the kiosk user can read.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

KEYRING_SERVICE = "village-kiosk"


class CredentialStore:
    def __init__(self, data_dir: Path, hub_url: str) -> None:
        self._file = data_dir / "terminal-token"
        self._account = hub_url.rstrip("/")
        self._use_keyring = os.environ.get("KIOSK_CREDENTIALS", "keyring") != "file"

    def load_token(self) -> str | None:
        if self._use_keyring:
            try:
                import keyring

                token = keyring.get_password(KEYRING_SERVICE, self._account)
                if token:
                    return str(token)
            except Exception as exc:  # any backend failure means "not there"
                log.info("keyring unavailable (%s); looking for the token file", exc)
        try:
            lines = self._file.read_text(encoding="utf-8").splitlines()
        except OSError:
            return None
        for line in lines:
            account, _, token = line.partition(" ")
            if account == self._account and token:
                return token
        return None

    def save_token(self, token: str) -> str:
        """Store the token; returns where it went, for the technician."""
        if self._use_keyring:
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, self._account, token)
                return "system keyring"
            except Exception as exc:
                log.warning("keyring unavailable (%s); storing the token in a file", exc)
        self._file.parent.mkdir(parents=True, exist_ok=True)
        kept = []
        if self._file.exists():
            kept = [
                line
                for line in self._file.read_text(encoding="utf-8").splitlines()
                if line.partition(" ")[0] != self._account
            ]
        tmp = self._file.with_name(self._file.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join([*kept, f"{self._account} {token}"]) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self._file)
        return str(self._file)
