"""Two of our peers on loopback, each with a test pattern and a tone, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from kiosk.call.peer import ConsultationPeer
from kiosk.call.sources import AudioSource, VideoSource


@asynccontextmanager
async def kiosk_and_lawyer() -> AsyncIterator[tuple[ConsultationPeer, ConsultationPeer]]:
    """Not yet connected: the test makes the offer and the answer (and may tap them)."""
    videos = [VideoSource("test-pattern"), VideoSource("test-pattern")]
    audios = [AudioSource("test-tone"), AudioSource("test-tone")]
    for source in (*videos, *audios):
        await source.start()
    kiosk = ConsultationPeer("kiosk", video=videos[0], audio=audios[0])
    lawyer = ConsultationPeer("lawyer", video=videos[1], audio=audios[1])
    try:
        yield kiosk, lawyer
    finally:
        await kiosk.aclose()
        await lawyer.aclose()
        for source in (*videos, *audios):
            await source.aclose()
