"""This month's session records in the demo hub, for the report's pages and their screenshots.

A terminal of its own (so no other test's token is revoked by enrolling it), two
calls that go through the switchboard and are answered by the demo's on-call
lawyer, each followed by its kiosk record (one with a clock jump), and one the hub
never saw (the kiosk could not reach it). No callback numbers: the lawyers' callback
list belongs to the call tests.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.console.terminal import Message, SignalClient
from tests.support.hub import RunningHub

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLACE = {
    "county": "康平县",
    "town": "两家子乡",
    "village": "两家子村",
    "site_name": "村委会便民服务室",
}


@dataclass(frozen=True)
class ReportData:
    terminal_id: int
    village: str
    signaled: tuple[str, ...]  # consultation ids
    unsignaled: str
    clock_jumped: str


def this_month() -> str:
    return f"{datetime.now(SHANGHAI):%Y-%m}"


def _month_start() -> datetime:
    now = datetime.now(SHANGHAI)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _event(kind: str, at: datetime, mono_s: float, seq: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "seq": seq,
        "kind": kind,
        "at": at.isoformat(),
        "mono_s": round(mono_s, 3),
        "clock_jump_s": 0,
        **fields,
    }


def _media(seconds: float) -> dict[str, Any]:
    return {
        "seconds_with_media": round(seconds, 1),
        "send_kbps_mean": 480.0,
        "recv_kbps_mean": 620.0,
        "freezes": 0,
        "relay_used": False,
        "reconnects": 0,
    }


def _answered(
    requested_at: datetime, answered_s: float, ended_s: float, expert_id: int, score: int
) -> list[dict[str, Any]]:
    def at(seconds: float) -> datetime:
        return requested_at + timedelta(seconds=seconds)

    return [
        _event("requested", at(0), 0, 1, service="legal_aid"),
        _event("ringing", at(0.1), 0.1, 2, queue_position=1),
        _event(
            "answered",
            at(answered_s),
            answered_s,
            3,
            expert_id=expert_id,
            expert_group="lawyer",
            expert_name="张伟",
        ),
        _event("media_connected", at(answered_s + 0.3), answered_s + 0.3, 4, relay=False),
        _event(
            "ended",
            at(ended_s),
            ended_s,
            5,
            ended_by="terminal",
            reason="hung_up",
            media=_media(ended_s - answered_s - 0.3),
        ),
        _event("rated", at(ended_s + 8), ended_s + 8, 6, score=score),
    ]


def _about(consultation_id: str) -> Callable[[Message], bool]:
    return lambda message: message.get("consultation_id") == consultation_id


def add_report_data(hub: RunningHub) -> ReportData:
    with hub.admin_client() as admin:
        created = admin.post("/v1/terminals", json=PLACE)
        created.raise_for_status()
    terminal_id, token = hub.enrol_terminal(int(created.json()["id"]))
    zhang = hub.expert_id(hub.lawyer)
    hub.set_availability(hub.lawyer, True)  # the demo's on-call lawyer takes the calls
    signaled: list[str] = []
    with (
        hub.terminal_client(token) as rest,
        SignalClient.lawyer(hub, hub.lawyer) as console,
        SignalClient.terminal(hub, token) as kiosk,
    ):
        for score, jump in ((5, 0.0), (4, 30.0)):
            requested_at = datetime.now(UTC)
            start = time.monotonic()
            cid = kiosk.request_call("legal_aid")
            console.expect("call.ringing", where=_about(cid))
            console.send(type="call.accept", consultation_id=cid)
            kiosk.expect("call.accepted", where=_about(cid))
            answered_s = time.monotonic() - start
            time.sleep(1.5)  # a (very) short conversation
            kiosk.send(type="call.hangup", consultation_id=cid, reason="hung_up")
            kiosk.expect("call.ended", where=_about(cid))
            ended_s = time.monotonic() - start
            events = _answered(requested_at, answered_s, ended_s, zhang, score)
            events[4]["clock_jump_s"] = jump
            rest.put(f"/v1/records/{cid}", json={"events": events}).raise_for_status()
            signaled.append(cid)
        console.drain(0.2)

        # Offline: the kiosk showed the fallback and uploaded later; the hub saw nothing.
        unsignaled = str(uuid.uuid4())
        when = max(datetime.now(UTC) - timedelta(minutes=40), _month_start() + timedelta(minutes=1))
        offline = [
            _event("requested", when, 0, 1, service="legal_consultation"),
            _event("fallback", when + timedelta(seconds=15), 15, 2, reason="unreachable"),
            _event("rated", when + timedelta(seconds=30), 30, 3, score=0),
        ]
        rest.put(f"/v1/records/{unsignaled}", json={"events": offline}).raise_for_status()
    return ReportData(
        terminal_id=terminal_id,
        village=PLACE["village"],
        signaled=tuple(signaled),
        unsignaled=unsignaled,
        clock_jumped=signaled[1],
    )
