"""A probe packet after each video frame (`kiosk/call/tail_probe.py`): in the sequence a
real aiortc peer receives, passed over by the receiving buffer, aiortc's loop otherwise."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiortc import RTCPeerConnection
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.mediastreams import VideoStreamTrack

from kiosk.call import receive, tail_probe
from kiosk.call.peer import ConsultationPeer
from kiosk.call.sources import AudioSource, VideoSource


def test_the_probe_continues_the_frame_without_starting_one() -> None:
    last = bytes(VpxPayloadDescriptor(partition_start=1, partition_id=0, picture_id=1234)) \
        + b"\x10\x02\x00"
    probe = tail_probe.probe_payload(last)
    assert probe is not None
    descriptor, data = VpxPayloadDescriptor.parse(probe)
    assert (descriptor.partition_start, descriptor.picture_id, data) == (0, 1234, b"\x00")
    assert tail_probe.probe_payload(b"") is None


async def test_each_frame_is_followed_by_its_probe_and_every_frame_still_decodes() -> None:
    sources: list[Any] = [VideoSource("test-pattern"), AudioSource("test-tone"),
                          VideoSource("test-pattern"), AudioSource("test-tone")]
    for source in sources:
        await source.start()
    kiosk = ConsultationPeer("kiosk", video=sources[0], audio=sources[1])
    lawyer = ConsultationPeer("lawyer", video=sources[2], audio=sources[3])
    try:
        answer = await lawyer.answer(await kiosk.create_offer())
        (receiver,) = [t.receiver for t in lawyer.pc.getTransceivers() if t.kind == "video"]
        handle = receiver._handle_rtp_packet
        got: list[tuple[float, Any]] = []

        async def tap(packet: Any, arrival_time_ms: int) -> None:
            got.append((asyncio.get_running_loop().time(), packet))
            await handle(packet, arrival_time_ms)

        receiver._handle_rtp_packet = tap  # type: ignore[method-assign]
        await kiosk.accept_answer(answer)
        async with asyncio.timeout(20):
            while lawyer.frames_decoded < 15:
                await asyncio.sleep(0.05)
        (sender,) = [t.sender for t in kiosk.pc.getTransceivers() if t.kind == "video"]
        frame_sender = tail_probe.installed(sender)
        assert frame_sender is not None and frame_sender.probes >= 10
        media = [(at, p) for at, p in got if p.ssrc == sender._ssrc]  # not RTX
        seqs = [p.sequence_number for _, p in media]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # one sequence, no gap
        probes = 0
        for (at, packet), (next_at, following) in itertools.pairwise(media):
            if not packet.marker:
                continue
            descriptor, data = VpxPayloadDescriptor.parse(following.payload)
            if following.timestamp != packet.timestamp:
                assert descriptor.partition_start == 1  # the next frame came first: no probe
                continue
            # after a frame's last packet: its probe, the same frame, no start, one byte
            assert not following.marker
            assert (descriptor.partition_start, data) == (0, b"\x00")
            assert 0.005 <= next_at - at < 0.06
            probes += 1
        assert probes >= 10
        # the lawyer's buffer passed every probe over, as a packet of a frame handed on
        path = receive.installed(receiver)
        assert path is not None and path.buffer is not None
        assert path.buffer.dropped_packets == 0 and path.buffer.skips == 0
        assert lawyer.frames_decoded >= 15
        # the sender reports count what went out (aiortc's RTCP reads them)
        assert sender._RTCRtpSender__packet_count >= len(seqs) - probes
    finally:
        await kiosk.aclose()
        await lawyer.aclose()
        for source in sources:
            await source.aclose()


async def test_install_leaves_aiortcs_loop_where_its_private_slots_moved() -> None:
    pc = RTCPeerConnection()
    try:
        sender = pc.addTransceiver(VideoStreamTrack()).sender
        original = sender._run_rtp
        mid = sender.__dict__.pop("_RTCRtpSender__mid")
        try:
            assert tail_probe.install(sender) is None
            assert sender._run_rtp == original
        finally:
            sender._RTCRtpSender__mid = mid  # type: ignore[attr-defined]
        frame_sender = tail_probe.install(sender)
        assert frame_sender is not None and tail_probe.install(sender) is frame_sender
        assert sender._run_rtp == frame_sender.run
    finally:
        await pc.close()
