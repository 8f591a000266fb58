"""A resident's device that is missing or fails: the call goes on, and the lawyer is told.

`Consultation` against the scripted hub (tests/call/fakehub.py): the lawyer is a
`ConsultationPeer` in this process that reads the kiosk's `device.status` messages
from its `document` data channel (`remote_devices`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from kiosk.call.consultation import Consultation
from kiosk.call.events import CallState, DeviceFallback, EventStream, FirstFrame, StateChanged
from kiosk.call.signal_client import SignalClient
from kiosk.domain.codes import ServiceCode
from tests.call.conftest import FAST
from tests.call.fakehub import FakeHub, eventually


def connected(attempt: int) -> Callable[[StateChanged], bool]:
    return lambda e: e.new == CallState.CONNECTED and e.attempt == attempt


async def test_a_missing_camera_is_told_to_the_lawyer_on_every_connection(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    settings = dataclasses.replace(FAST, camera="/dev/video-nonexistent")
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=settings,
                            on_event=events) as call:
        # the camera failed before there was any connection to tell it on
        fallback = await events.wait_for(DeviceFallback)  # the caller still gets every event
        assert (fallback.kind, fallback.substitute) == ("camera", "still")
        await events.wait_for(StateChanged, connected(1))
        first = hub.lawyers[0]
        await eventually(lambda: "camera" in first.remote_devices)
        assert first.remote_devices == {"camera": (False, "still")}

        # the call goes on with what works: each side gets the other's video
        await events.wait_for(FirstFrame)
        await eventually(lambda: first.frames_decoded > 0 and first.audio_frames > 0)

        # a rebuilt connection has a new data channel: the lawyer is told again
        await hub.kill_lawyer()
        await events.wait_for(StateChanged, connected(2))
        second = hub.lawyers[1]
        await eventually(lambda: "camera" in second.remote_devices)
        assert second.remote_devices == {"camera": (False, "still")}
        assert call.state == CallState.CONNECTED
    assert len(events.of(DeviceFallback)) == 1


async def test_a_camera_that_fails_mid_call_is_told_at_once(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    # FFmpeg's test source through the real V4L2/FFmpeg path; it ends after a few seconds
    camera = "lavfi:testsrc=size=640x480:rate=15:duration=6"
    settings = dataclasses.replace(FAST, camera=camera)
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=settings,
                            on_event=events) as call:
        up = await events.wait_for(StateChanged, connected(1))
        lawyer = hub.lawyers[0]
        await eventually(lambda: lawyer.frames_decoded > 0)
        assert lawyer.remote_devices == {}  # all is well so far
        fallback = await events.wait_for(DeviceFallback)
        assert (fallback.kind, fallback.reason) == ("camera", "camera stream ended")
        seen = list(events.events)
        assert seen.index(fallback) > seen.index(up)  # it failed during the call
        await eventually(lambda: "camera" in lawyer.remote_devices)
        assert lawyer.remote_devices == {"camera": (False, "still")}
        assert call.state == CallState.CONNECTED


async def test_a_missing_microphone_and_speaker_are_told_to_the_lawyer(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    settings = dataclasses.replace(FAST, microphone="alsa:no-such-card",
                                   speaker="alsa:no-such-card")
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=settings,
                            on_event=events) as call:
        await events.wait_for(StateChanged, connected(1))
        lawyer = hub.lawyers[0]
        await eventually(lambda: len(lawyer.remote_devices) == 2)
        assert lawyer.remote_devices == {
            "microphone": (False, "silence"),
            "speaker": (False, "discard"),
        }
        assert {e.kind for e in events.of(DeviceFallback)} == {"microphone", "speaker"}
        await events.wait_for(FirstFrame)  # the video goes on
        assert call.state == CallState.CONNECTED


async def test_malformed_device_notes_are_refused_and_change_nothing(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(StateChanged, connected(1))
        lawyer = hub.lawyers[0]
        assert call.peer is not None and call.peer.document is not None
        kiosk_side = call.peer.document
        await kiosk_side.wait_open()
        garbage = [
            '{"type":"device.status","kind":"toaster","working":false}',
            '{"type":"device.status","kind":"camera","working":"no"}',
            '{"type":"device.status","kind":"camera","working":false,"substitute":7}',
            '{"type":"device.status"}',
            '{"type":"document.error","reason":["x"]}',
            "null",
            "[]",
        ]
        for raw in garbage:
            kiosk_side.channel.send(raw)
        # a good one after them (the channel is ordered): the garbage has been read by then
        kiosk_side.send_status("microphone", working=True)
        await eventually(lambda: "microphone" in lawyer.remote_devices)
        assert lawyer.remote_devices == {"microphone": (True, None)}
        assert lawyer.document is not None and lawyer.document.refused == len(garbage)
        assert lawyer.document_errors == []
        assert call.state == CallState.CONNECTED
