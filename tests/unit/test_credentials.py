from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.device.credentials import CredentialStore


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    # The build machine has no Secret Service; the file fallback is what a headless
    # terminal without a keyring uses.
    monkeypatch.setenv("KIOSK_CREDENTIALS", "file")


def test_token_round_trip_in_a_private_file(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path, "https://hub.example.org/")
    assert store.load_token() is None
    where = store.save_token("secret-1")
    assert where == str(tmp_path / "terminal-token")
    assert stat.S_IMODE((tmp_path / "terminal-token").stat().st_mode) == 0o600
    assert CredentialStore(tmp_path, "https://hub.example.org").load_token() == "secret-1"


def test_tokens_of_different_hubs_are_kept_apart(tmp_path: Path) -> None:
    CredentialStore(tmp_path, "https://a.example.org").save_token("token-a")
    CredentialStore(tmp_path, "https://b.example.org").save_token("token-b")
    CredentialStore(tmp_path, "https://a.example.org").save_token("token-a2")
    assert CredentialStore(tmp_path, "https://a.example.org").load_token() == "token-a2"
    assert CredentialStore(tmp_path, "https://b.example.org").load_token() == "token-b"


def test_keyring_failure_falls_back_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KIOSK_CREDENTIALS", "keyring")
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        store = CredentialStore(tmp_path, "https://hub.example.org")
        assert store.save_token("secret-2") == str(tmp_path / "terminal-token")
        assert store.load_token() == "secret-2"
    finally:
        keyring.set_keyring(previous)
