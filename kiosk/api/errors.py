"""What can go wrong between a terminal and the hub, in few enough kinds for a UI."""

from __future__ import annotations

from enum import StrEnum


class HubProblem(StrEnum):
    OFFLINE = "offline"
    TIMEOUT = "timeout"
    BAD_ANSWER = "bad_answer"
    UNAUTHORIZED = "unauthorized"
    NOT_ENROLLED = "not_enrolled"
    REFUSED = "refused"


class HubError(Exception):
    def __init__(self, problem: HubProblem, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.problem = problem
        self.status = status
