"""A probe packet after each video frame (`kiosk/call/tail_probe.py`): in the sequence a
real aiortc peer receives, passed over by the receiving buffer, aiortc's loop otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from aiortc import RTCPeerConnection
from aiortc.codecs.vpx import VpxPayloadDescriptor
from aiortc.mediastreams import VideoStreamTrack

from kiosk.call import receive, tail_probe
from tests.call.peer_pair import kiosk_and_lawyer


def test_the_probe_continues_the_frame_without_starting_one() -> None:
    last = bytes(VpxPayloadDescriptor(partition_start=1, partition_id=0, picture_id=1234)) \
        + b"\x10\x02\x00"
    probe = tail_probe.probe_payload(last)
    assert probe is not None
    descriptor, data = VpxPayloadDescriptor.parse(probe)
    assert (descriptor.partition_start, descriptor.picture_id, data) == (0, 1234, b"\x00")
    assert tail_probe.probe_payload(b"") is None


async def test_each_frame_is_followed_by_its_probe_and_every_frame_still_decodes() -> None:
    async with kiosk_and_lawyer() as (kiosk, lawyer):
        answer = await lawyer.answer(await kiosk.create_offer())
        (receiver,) = [t.receiver for t in lawyer.pc.getTransceivers() if t.kind == "video"]
        handle = receiver._handle_rtp_packet
        got: list[Any] = []

        async def tap(packet: Any, arrival_time_ms: int) -> None:
            got.append(packet)
            await handle(packet, arrival_time_ms)

        receiver._handle_rtp_packet = tap  # type: ignore[method-assign]
        await kiosk.accept_answer(answer)
        async with asyncio.timeout(20):
            while lawyer.frames_decoded < 15:
                await asyncio.sleep(0.05)
        (sender,) = [t.sender for t in kiosk.pc.getTransceivers() if t.kind == "video"]
        frame_sender = tail_probe.installed(sender)
        assert frame_sender is not None and frame_sender.probes >= 10
        # by sequence number, not RTX (the first few may be lost: SRTP's keys come late)
        media = {p.sequence_number: p for p in got if p.ssrc == sender._ssrc}
        probes = 0
        for seq, packet in media.items():
            if not packet.marker or seq + 1 not in media:
                continue
            following = media[seq + 1]
            descriptor, data = VpxPayloadDescriptor.parse(following.payload)
            if following.timestamp != packet.timestamp:
                assert descriptor.partition_start == 1  # the next frame came first: no probe
                continue
            # after a frame's last packet: its probe, the same frame, no start, one byte
            assert not following.marker
            assert (descriptor.partition_start, data) == (0, b"\x00")
            probes += 1
        assert probes >= 10
        # the lawyer's buffer passed every probe over, as a packet of a frame handed on
        path = receive.installed(receiver)
        assert path is not None and path.buffer is not None
        assert path.buffer.dropped_packets == 0 and path.buffer.skips == 0
        assert lawyer.frames_decoded >= 15
        # the sender reports count what went out (aiortc's RTCP reads them)
        assert sender._RTCRtpSender__packet_count >= len(media) - probes


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
