"""Liveness and database reachability, for the proxy, systemd and the test harness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from kiosk.hub.db import database_answers
from kiosk.hub.errors import ApiError, error_responses
from kiosk.hub.state import StateDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]


@router.get("/healthz", response_model=Health, responses=error_responses(503))
def healthz(state: StateDep) -> Health:
    if not database_answers(state.engine):
        raise ApiError(503, "The database does not answer.")
    return Health(status="ok", database="ok")
