"""Request and response models of the central API, shared by hub and kiosk."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.domain.codes import AccountRole as AccountRole
from kiosk.domain.codes import Availability as Availability
from kiosk.domain.codes import ExpertGroup, ServiceCode

# A duty shift longer than a day is almost certainly a typo in the week grid.
MAX_SHIFT = timedelta(hours=24)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
PlaceName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9._-]+$"
    ),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExpertIn(_Strict):
    name: Name
    group: ExpertGroup
    services: list[ServiceCode] = Field(min_length=1)
    organisation: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] = ""

    @model_validator(mode="after")
    def _unique_services(self) -> ExpertIn:
        self.services = sorted(set(self.services), key=list(ServiceCode).index)
        return self


class Expert(BaseModel):
    id: int
    name: str
    group: ExpertGroup
    services: list[ServiceCode]
    organisation: str
    availability: Availability  # what the expert marked: available or away
    username: str | None = None
    # A console tab of theirs is connected and answering the hub's heartbeat.
    console_connected: bool = False
    # A resident can call them now: on duty, marked available and a console connected.
    reachable: bool = False


class DutyShiftIn(_Strict):
    expert_id: int = Field(gt=0)
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    @field_validator("ends_at")
    @classmethod
    def _sane_span(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is None:  # already reported on starts_at
            return ends_at
        if ends_at <= starts_at:
            raise ValueError("must be after starts_at")
        if ends_at - starts_at > MAX_SHIFT:
            raise ValueError("a duty shift may last at most 24 hours")
        return ends_at


class DutyShift(BaseModel):
    id: int
    expert_id: int
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class ScheduleEntry(BaseModel):
    """One duty shift with what a resident needs to see of its expert."""

    shift_id: int
    expert_id: int
    expert_name: str
    group: ExpertGroup
    services: list[ServiceCode]
    organisation: str
    availability: Availability
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    # This shift is under way and a resident can call its expert now (marked available
    # and a console connected): the kiosk shows a call button only then.
    reachable: bool = False

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


class Schedule(BaseModel):
    range_from: AwareDatetime
    range_to: AwareDatetime
    entries: list[ScheduleEntry]


class TerminalIn(_Strict):
    county: PlaceName
    town: PlaceName
    village: PlaceName
    site_name: PlaceName


class Terminal(BaseModel):
    id: int
    county: str
    town: str
    village: str
    site_name: str
    enrolled: bool
    last_seen_at: AwareDatetime | None = None


class TerminalProfile(BaseModel):
    """What a terminal learns about itself and its bureau at start-up."""

    terminal: Terminal
    bureau_name: str
    hotline: str


class EnrolmentCode(BaseModel):
    terminal_id: int
    code: str
    expires_at: AwareDatetime


class EnrolRequest(_Strict):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=64)]


class EnrolResult(BaseModel):
    terminal_id: int
    token: str


class LoginRequest(_Strict):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class LawyerAccountIn(_Strict):
    username: Username
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class SessionInfo(BaseModel):
    username: str
    role: AccountRole
    display_name: str
    expert_id: int | None = None
    csrf_token: str


class AvailabilityUpdate(_Strict):
    availability: Availability


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx of the API: one human sentence, and the fields at fault."""

    detail: str
    errors: list[FieldError] = []
