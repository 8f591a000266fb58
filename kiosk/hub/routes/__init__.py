"""One module per resource of docs/api-contract.md."""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hub.routes import (
    auth,
    callbacks,
    catalogue,
    consultations,
    experts,
    health,
    ice,
    me,
    records,
    reports,
    schedule,
    shifts,
    signal,
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
    ice.router,
    callbacks.router,
    consultations.router,
    records.router,
    reports.router,
    signal.router,
)
