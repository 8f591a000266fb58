"""Relay-only calls through Debian's coturn on loopback: TURN over TCP and over TLS.

Both peers are forced to relay (iceTransportPolicy "relay"), as behind a
carrier-grade NAT where only TCP/TLS gets out. The hub's REST credentials are
made here with coturn's formula. aiortc checks the `turns:` certificate against
the system store only, so the test CA goes in through SSL_CERT_FILE.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.call.events import EventStream, FirstFrame, MediaStats
from kiosk.call.ice import TurnPreference, plan_ice_servers
from kiosk.call.peer import ConsultationPeer
from kiosk.call.sources import AudioSource, VideoSource
from kiosk.domain.signaling import IceServer
from tests.call.coturn import Coturn, available, rest_credentials, running_coturn
from tests.call.test_peer import recording_slot
from tests.support.requires import missing


def established_to(port: int) -> int:
    """Established TCP connections from this host to 127.0.0.1:`port` (Linux /proc)."""
    wanted = f"0100007F:{port:04X}"
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == wanted and fields[3] == "01":
            count += 1
    return count


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    if not available():
        missing("coturn's turnserver not found (Debian package coturn)")
    with running_coturn(tmp_path_factory.mktemp("coturn")) as server:
        yield server


@pytest.mark.parametrize("transport", ["tcp", "tls"])
async def test_relay_only_call(coturn: Coturn, transport: str,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(coturn.ca))
    sides = []
    for name in ("kiosk", "lawyer"):
        username, credential = rest_credentials(coturn.secret, name)
        hub_servers = [IceServer(urls=["stun:127.0.0.1:3478"]),
                       IceServer(urls=list(coturn.urls()), username=username,
                                 credential=credential)]
        preference = TurnPreference("tls" if transport == "tls" else "tcp")
        plan, turn = plan_ice_servers(hub_servers, preference=preference, relay_only=True)
        assert turn is not None and turn.transport == transport
        assert len(plan) == 1  # no STUN when only relays may be used
        events = EventStream()
        video = VideoSource(on_event=events)
        audio = AudioSource(on_event=events)
        await video.start()
        await audio.start()
        stamps: list[object] = []
        peer = ConsultationPeer(name, video=video, audio=audio, ice_servers=plan,
                                relay_only=True, on_event=events, stats_interval_s=0.25,
                                remote_video=recording_slot(stamps))  # type: ignore[arg-type]
        sides.append((peer, events, video, audio, stamps))
    (kiosk, kiosk_events, *_), (lawyer, lawyer_events, *_) = sides
    try:
        offer = await kiosk.create_offer()
        candidates = [line for line in offer.splitlines() if line.startswith("a=candidate")]
        assert candidates and all(" typ relay" in line for line in candidates)
        await kiosk.accept_answer(await lawyer.answer(offer))
        for events in (kiosk_events, lawyer_events):
            await events.wait_for(FirstFrame)
            stats = await events.wait_for(MediaStats, lambda s: s.frames_decoded >= 5)
            assert stats.relay is True and stats.local_candidate == "relay"
        async with asyncio.timeout(20):
            while not any(s is not None for s in sides[1][4][-5:]):
                await asyncio.sleep(0.05)
        # both allocations ride on TCP connections to the chosen coturn port
        port = coturn.tls_port if transport == "tls" else coturn.port
        assert established_to(port) >= 2
    finally:
        for peer, _events, video, audio, _stamps in sides:
            await peer.aclose()
            await video.aclose()
            await audio.aclose()
