"""One-time enrolment codes a technician types on a new terminal."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L: the code is read off a phone and typed on a touchscreen.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
GROUPS, GROUP_LENGTH = 3, 4


def new_code() -> str:
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def normalise(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def code_digest(code: str) -> str:
    # ~59 bits of entropy plus throttled guessing: a fast hash suffices.
    return hashlib.sha256(normalise(code).encode()).hexdigest()
