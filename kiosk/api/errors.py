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
    def __init__(
        self,
        problem: HubProblem,
        message: str,
        status: int | None = None,
        *,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.status = status
        # What the hub asked for with Retry-After (429, 503), in seconds.
        self.retry_after_s = retry_after_s

    @property
    def lasting(self) -> bool:
        """The hub refuses this request as it is: sending it again will not help."""
        return self.problem == HubProblem.REFUSED and self.status not in (408, 409, 425, 429)
