"""A resident's phone number for a callback, as typed on the kiosk's keypad.

Only digits can be typed. The check is the one a clerk would make: a mobile
number has 11 digits and starts with 1; a landline starts with its area code's
0 and has 10 to 12 digits in all. The hub accepts a wider pattern (other
callers, other countries); the kiosk asks residents for what a lawyer in the
city can dial.
"""

from __future__ import annotations

from enum import StrEnum

MAX_DIGITS = 12


class NumberProblem(StrEnum):
    NONE = ""
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    BAD_START = "bad_start"  # neither a mobile (1...) nor a landline (0...)


def number_problem(digits: str) -> NumberProblem:
    if not digits:
        return NumberProblem.EMPTY
    if not digits.isascii() or not digits.isdigit():
        return NumberProblem.BAD_START
    if digits[0] == "1":
        if len(digits) < 11:
            return NumberProblem.TOO_SHORT
        return NumberProblem.NONE if len(digits) == 11 else NumberProblem.TOO_LONG
    if digits[0] == "0":
        if len(digits) < 10:
            return NumberProblem.TOO_SHORT
        return NumberProblem.NONE if len(digits) <= MAX_DIGITS else NumberProblem.TOO_LONG
    return NumberProblem.BAD_START


def grouped(digits: str) -> str:
    """Digits in the groups people read them in: 138 0013 8000, 0571 8888 6666."""
    if digits.startswith("1"):
        return " ".join(x for x in (digits[:3], digits[3:7], digits[7:]) if x)
    if digits.startswith("0"):
        # Beijing, Shanghai, Tianjin, Chongqing and the big cities have 3-digit area codes.
        head = 3 if digits[1:2] in ("1", "2") else 4
        return " ".join(x for x in (digits[:head], digits[head:head + 4], digits[head + 4:]) if x)
    return digits
