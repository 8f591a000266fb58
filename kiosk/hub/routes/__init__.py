"""One module per resource of docs/api-contract.md."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hub.routes import (
    auth,
    catalogue,
    experts,
    health,
    me,
    schedule,
    shifts,
    terminal,
    terminals,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    catalogue.router,
    schedule.router,
    terminal.router,
    me.router,
    experts.router,
    shifts.router,
    terminals.router,
)
