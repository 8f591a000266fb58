"""The contract shared by the kiosk and the hub: pure models, no I/O.

Names load on first use (PEP 562): `from kiosk.domain import ServiceCode` reads
only the pydantic-free `codes`, so a terminal draws its first frame before
pydantic is imported; the models load when a model is first asked for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.domain.catalogue import EXPERT_GROUPS, SERVICES, ExpertGroupInfo, Service
    from kiosk.domain.codes import (
        HOTLINE,
        SERVICE_ORDER,
        AccountRole,
        Availability,
        ExpertGroup,
        ServiceCode,
    )
    from kiosk.domain.models import (
        AvailabilityUpdate,
        DutyShift,
        DutyShiftIn,
        EnrolmentCode,
        EnrolRequest,
        EnrolResult,
        ErrorBody,
        Expert,
        ExpertIn,
        FieldError,
        LawyerAccountIn,
        LoginRequest,
        Schedule,
        ScheduleEntry,
        SessionInfo,
        Terminal,
        TerminalIn,
        TerminalProfile,
    )

__all__ = [
    "EXPERT_GROUPS",
    "HOTLINE",
    "SERVICES",
    "SERVICE_ORDER",
    "AccountRole",
    "Availability",
    "AvailabilityUpdate",
    "DutyShift",
    "DutyShiftIn",
    "EnrolRequest",
    "EnrolResult",
    "EnrolmentCode",
    "ErrorBody",
    "Expert",
    "ExpertGroup",
    "ExpertGroupInfo",
    "ExpertIn",
    "FieldError",
    "LawyerAccountIn",
    "LoginRequest",
    "Schedule",
    "ScheduleEntry",
    "Service",
    "ServiceCode",
    "SessionInfo",
    "Terminal",
    "TerminalIn",
    "TerminalProfile",
]

_CODES = ("HOTLINE", "SERVICE_ORDER", "AccountRole", "Availability", "ExpertGroup", "ServiceCode")
_CATALOGUE = ("EXPERT_GROUPS", "SERVICES", "ExpertGroupInfo", "Service")
# Which submodule defines each public name; every other name of __all__ is a model.
_HOME = {
    **{name: "codes" for name in _CODES},
    **{name: "catalogue" for name in _CATALOGUE},
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOME.get(name, 'models')}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
