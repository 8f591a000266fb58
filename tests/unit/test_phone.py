from __future__ import annotations

import pytest

from kiosk.domain.phone import NumberProblem, grouped, number_problem


@pytest.mark.parametrize(
    ("digits", "problem"),
    [
        ("13800138000", NumberProblem.NONE),
        ("057188886666", NumberProblem.NONE),
        ("01088886666", NumberProblem.NONE),
        ("0571888866", NumberProblem.NONE),
        ("", NumberProblem.EMPTY),
        ("1380013800", NumberProblem.TOO_SHORT),
        ("138001380001", NumberProblem.TOO_LONG),
        ("057188", NumberProblem.TOO_SHORT),
        ("0571888866661", NumberProblem.TOO_LONG),
        ("23800138000", NumberProblem.BAD_START),
        ("１３８００１３８０００", NumberProblem.BAD_START),
    ],
)
def test_a_number_a_lawyer_can_dial(digits: str, problem: NumberProblem) -> None:
    assert number_problem(digits) == problem


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        ("13800138000", "138 0013 8000"),
        ("1380", "138 0"),
        ("057188886666", "0571 8888 6666"),
        ("01088886666", "010 8888 6666"),
        ("", ""),
    ],
)
def test_numbers_are_shown_in_groups(digits: str, shown: str) -> None:
    assert grouped(digits) == shown
