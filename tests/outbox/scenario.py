"""Consultations as a kiosk makes them, event by event, for the outbox tests and the crash child.

Kept light (no hub, no Qt): the crash child imports it and must start fast.
"""

from __future__ import annotations

import random

from kiosk.domain.codes import ExpertGroup, ServiceCode
from kiosk.domain.records import FallbackReason
from kiosk.domain.signaling import EndReason, Party
from kiosk.outbox import ConsultationLog

# The prefix of every callback number the tests leave: what a grep of the outbox file looks for.
PHONE_PREFIX = "+86139"


def phone_for(rng: random.Random) -> str:
    return f"{PHONE_PREFIX}{rng.randrange(10**8):08d}"


async def play(log: ConsultationLog, rng: random.Random, *, fallback: bool | None = None,
               phone: str | None = None) -> list[bool]:
    """One consultation to its end: answered (8 events) or fallback with a callback (6).

    Returns what each append returned, in order; the caller decides what a False means.
    """
    if fallback is None:
        fallback = rng.random() < 0.3
    done = [await log.requested(ServiceCode.LEGAL_AID, None)]
    done.append(await log.ringing(2))
    done.append(await log.ringing(1))
    if fallback:
        done.append(await log.fallback(FallbackReason.NO_ANSWER))
        done.append(await log.callback(phone or phone_for(rng)))
        done.append(await log.rated(0))
        return done
    done.append(await log.answered(7, ExpertGroup.LAWYER, "张伟"))
    done.append(await log.media_connected(relay=rng.random() < 0.2))
    for _ in range(5):
        log.tally.sample(seconds=1.0, send_kbps=600.0, recv_kbps=650.0, fps_in=15.0,
                         relay=False, audio_only=False)
    done.append(await log.reconnected(1))
    done.append(await log.ended(Party.TERMINAL, EndReason.HUNG_UP))
    done.append(await log.rated(rng.randint(1, 5)))
    return done
