"""Shared by the signaling tests: messages, and a hub arranged for a call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain import ServiceCode
from kiosk.domain.signaling import Accept, Answer, CallRequest, Offer
from kiosk.hub.tables import ConsultationRow
from tests.support.hub import Credentials, HubAccess

SERVICE = ServiceCode.LEGAL_AID  # every demo lawyer offers it


def sdp(tag: str) -> str:
    return f"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns={tag}\r\nt=0 0\r\n"


def request(
    consultation_id: UUID | None = None,
    service: ServiceCode = SERVICE,
    expert_id: int | None = None,
) -> CallRequest:
    return CallRequest(
        consultation_id=consultation_id or uuid4(),
        service=service,
        expert_id=expert_id,
        requested_at=datetime.now(UTC),
    )


def offer(consultation_id: UUID, attempt: int = 1) -> Offer:
    return Offer(consultation_id=consultation_id, sdp=sdp(f"offer {attempt}"), attempt=attempt)


def answer(consultation_id: UUID, attempt: int = 1) -> Answer:
    return Answer(consultation_id=consultation_id, sdp=sdp(f"answer {attempt}"), attempt=attempt)


def accept(consultation_id: UUID) -> Accept:
    return Accept(consultation_id=consultation_id)


@dataclass(frozen=True)
class Lawyers:
    """The three demo lawyers with logins, and their expert ids."""

    zhang: Credentials  # 张伟
    wang: Credentials  # 王丽
    li: Credentials  # 李明
    ids: dict[str, int]

    def id(self, who: Credentials) -> int:
        return self.ids[who.username]


def arrange(
    hub: HubAccess,
    *,
    on_duty: tuple[Credentials, ...] = (),
    away: tuple[Credentials, ...] = (),
    off_duty: tuple[Credentials, ...] = (),
) -> Lawyers:
    """Set who is on duty (and available, unless also in `away`) now; others untouched."""
    for who in set(on_duty) | set(away) | set(off_duty):
        hub.set_on_duty_now(who, on_duty=who in on_duty, available=who not in away)
    zhang, wang, li = hub.lawyers
    ids = {c.username: hub.expert_id(c) for c in (zhang, wang, li)}
    return Lawyers(zhang, wang, li, ids)


def insert_consultation(
    sessions: sessionmaker[Session],
    *,
    terminal_id: int = 1,
    accepted_by: int | None = None,
    requested_at: datetime | None = None,
    ended: bool = True,
    service: ServiceCode = SERVICE,
) -> UUID:
    """A consultation row as the switchboard would have written it; its id."""
    start = requested_at or datetime.now(UTC) - timedelta(hours=1)
    row = ConsultationRow(
        id=uuid4(),
        terminal_id=terminal_id,
        service=service.value,
        requested_at=start,
        accepted_expert_id=accepted_by,
        accepted_at=start + timedelta(seconds=20) if accepted_by is not None else None,
        ended_at=start + timedelta(minutes=12) if ended else None,
        ended_by="expert" if ended else None,
        end_reason="hung_up" if ended else None,
        attempts=1 if accepted_by is not None else 0,
    )
    with sessions() as db:
        db.add(row)
        db.commit()
    return row.id
