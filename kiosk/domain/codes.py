"""The contract's codes and constants, without pydantic.

A terminal draws its first frame from these alone: importing this module costs
next to nothing, while the models (`kiosk.domain.models`) pull in pydantic and
load only once the hub's data is read. `catalogue` and `models` re-export these
names, so either place works for an import.
"""

from __future__ import annotations

from enum import StrEnum

HOTLINE = "12348"


class ServiceCode(StrEnum):
    """The bureau's six services (服务事项), in the order the bureau lists them."""

    LEGAL_CONSULTATION = "legal_consultation"
    LEGAL_AID = "legal_aid"
    DUTY_LAWYER = "duty_lawyer"
    VILLAGE_ADVISER = "village_adviser"
    MEDIATION = "mediation"
    LEGAL_EDUCATION = "legal_education"


class ExpertGroup(StrEnum):
    LAWYER = "lawyer"
    JUDICIAL_APPRAISAL = "judicial_appraisal"
    NOTARY = "notary"
    ARBITRATION = "arbitration"


class AccountRole(StrEnum):
    LAWYER = "lawyer"
    ADMIN = "admin"


class Availability(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"


# The order in which every screen and list shows the services; `SERVICES` follows it.
SERVICE_ORDER: tuple[ServiceCode, ...] = tuple(ServiceCode)
