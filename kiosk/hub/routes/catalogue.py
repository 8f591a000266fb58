"""The fixed catalogue: services and expert groups."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.domain import EXPERT_GROUPS, SERVICES, ExpertGroupInfo, Service
from kiosk.hub.auth import AnyDep
from kiosk.hub.errors import error_responses

router = APIRouter(prefix="/v1", tags=["catalogue"], responses=error_responses(401, 403))


@router.get("/services")
def services(_who: AnyDep) -> list[Service]:
    return list(SERVICES)


@router.get("/expert-groups")
def expert_groups(_who: AnyDep) -> list[ExpertGroupInfo]:
    return list(EXPERT_GROUPS)
