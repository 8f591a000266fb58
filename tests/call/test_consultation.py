"""`Consultation` against a scripted hub (a real local websockets server) and a Python lawyer."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import av
import pytest

from kiosk.call.consultation import Consultation
from kiosk.call.events import (
    CallState,
    DocumentReceived,
    DocumentRequested,
    EventStream,
    ExpertJoined,
    FirstFrame,
    LinkChanged,
    MediaLost,
    MediaStats,
    QueueMoved,
    StateChanged,
)
from kiosk.call.frames import FrameSlot
from kiosk.call.pattern import read_stamp
from kiosk.call.signal_client import SignalClient
from kiosk.call.sources import CameraUnavailable
from kiosk.domain.codes import ServiceCode
from kiosk.domain.signaling import Accepted, EndReason, Error, IceServer, Party, Presence
from tests.call.conftest import FAST
from tests.call.fakehub import EXPERT, FakeHub, eventually
from tests.support.net import free_port


def states(events: EventStream) -> list[CallState]:
    return [e.new for e in events.of(StateChanged)]


def reached(state: CallState) -> Callable[[StateChanged], bool]:
    return lambda e: e.new == state


async def test_happy_path_then_resident_hangs_up(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    remote: FrameSlot[av.VideoFrame] = FrameSlot()
    call = Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST, on_event=events,
                        remote_video=remote)
    await call.start()
    request = await hub.wait_message("call.request")
    assert request["consultation_id"] == str(call.consultation_id)
    assert request["service"] == "legal_aid"
    await events.wait_for(StateChanged, reached(CallState.CONNECTED))
    first = await events.wait_for(FirstFrame)
    assert (first.width, first.height) == (640, 480)
    queue = events.of(QueueMoved)[0]
    assert (queue.position, queue.ringing) == (1, (EXPERT,))
    assert events.of(ExpertJoined)[0].expert == EXPERT
    offer = hub.of_type("sdp.offer")[0]
    assert offer["attempt"] == 1 and "a=candidate" in offer["sdp"]

    # the lawyer's pattern is readable on the kiosk, and the kiosk's on the lawyer's side
    await events.wait_for(MediaStats, lambda s: s.frames_decoded >= 5)
    frame = remote.take()
    assert frame is not None and frame.format.name == "yuv420p"
    assert read_stamp(frame) is not None
    assert hub.lawyer is not None
    lawyer_frame = hub.lawyer.remote_video.take()
    assert lawyer_frame is not None and read_stamp(lawyer_frame) is not None

    # the document camera: the lawyer asks, the UI counts down, the kiosk sends a still
    await hub.lawyer.request_document()
    asked = await events.wait_for(DocumentRequested)
    assert asked.consultation_id == call.consultation_id
    still = await call.capture_still()
    await call.send_document(still)
    got = await hub.lawyer_events.wait_for(DocumentReceived)
    assert got.data == still and got.mime == "image/jpeg"

    await call.hang_up()
    assert call.state == CallState.ENDED
    assert (call.end_reason, call.ended_by) == (EndReason.HUNG_UP, Party.TERMINAL)
    hangup = await hub.wait_message("call.hangup")
    assert hangup["reason"] == "hung_up" and hangup["at"] is not None
    assert states(events) == [CallState.REQUESTED, CallState.QUEUED, CallState.ACCEPTED,
                              CallState.CONNECTING, CallState.CONNECTED, CallState.ENDED]
    await call.aclose()
    assert remote.peek() is None  # nothing of the lawyer's face stays in memory


async def test_lawyer_hangs_up(hub: FakeHub, signal: SignalClient, events: EventStream) -> None:
    async with Consultation(signal, ServiceCode.LEGAL_CONSULTATION, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        await hub.end_by_lawyer(call.consultation_id)
        assert await call.wait_finished(10) == CallState.ENDED
        assert (call.end_reason, call.ended_by) == (EndReason.HUNG_UP, Party.EXPERT)
    assert hub.of_type("call.hangup") == []  # the terminal does not answer an end with an end


async def test_no_answer_times_out_to_fallback(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    hub.accept = False
    settings = dataclasses.replace(FAST, no_answer_timeout_s=0.5)
    async with Consultation(signal, ServiceCode.MEDIATION, settings=settings,
                            on_event=events) as call:
        assert await call.wait_finished(10) == CallState.FALLBACK
        assert (call.end_reason, call.ended_by) == (EndReason.NO_ANSWER, Party.TERMINAL)
    cancel = await hub.wait_message("call.cancel")
    assert cancel["consultation_id"] == str(call.consultation_id)
    assert states(events) == [CallState.REQUESTED, CallState.QUEUED, CallState.FALLBACK]


async def test_a_hub_that_cannot_be_reached_is_a_fallback_before_the_no_answer_timeout(
    events: EventStream,
) -> None:
    settings = dataclasses.replace(FAST, hub_answer_timeout_s=0.5)
    nowhere = SignalClient(f"ws://127.0.0.1:{free_port()}/v1/signal/terminal", "token",
                           on_event=events, backoff_initial_s=0.05, backoff_max_s=0.2)
    async with nowhere, Consultation(nowhere, ServiceCode.LEGAL_AID, settings=settings,
                                     on_event=events) as call:
        assert await call.wait_finished(10) == CallState.FALLBACK
        assert (call.end_reason, call.ended_by) == (EndReason.NO_ANSWER, Party.TERMINAL)
    assert states(events) == [CallState.REQUESTED, CallState.FALLBACK]


async def test_resident_gives_up_while_queued(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    hub.accept = False
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.QUEUED))
        await call.hang_up()
        assert (call.state, call.end_reason) == (CallState.ENDED, EndReason.CANCELLED)
    await hub.wait_message("call.cancel")


async def test_nobody_on_duty_is_a_fallback(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    hub.accept = False
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await hub.wait_message("call.request")
        await hub.send(
            f'{{"type":"call.ended","consultation_id":"{call.consultation_id}",'
            f'"by":"hub","reason":"nobody_on_duty"}}'
        )
        assert await call.wait_finished(10) == CallState.FALLBACK
        assert (call.end_reason, call.ended_by) == (EndReason.NOBODY_ON_DUTY, Party.HUB)


async def test_reconnects_after_the_lawyers_peer_dies(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        await hub.kill_lawyer()
        await events.wait_for(StateChanged, lambda e: e.new == CallState.CONNECTED
                              and e.attempt == 2)
        offers = hub.of_type("sdp.offer")
        assert [o["attempt"] for o in offers] == [1, 2]
        assert {o["consultation_id"] for o in offers} == {str(call.consultation_id)}
        # media flows on the new connection
        await events.wait_for(FirstFrame, lambda e: e.peer.endswith("#2"))
        assert call.state == CallState.CONNECTED
    assert states(events)[-3:] == [CallState.RECONNECTING, CallState.CONNECTED, CallState.ENDED]


async def test_reconnects_after_media_stops(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(FirstFrame)
        hub.silence_lawyer()  # connection up, no RTP: only the media watchdog can tell
        lost = await events.wait_for(MediaLost)
        assert lost.peer.endswith("#1")
        await events.wait_for(StateChanged, lambda e: e.new == CallState.CONNECTED
                              and e.attempt == 2)
        assert call.attempt == 2


async def test_a_short_outage_keeps_the_connection(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    """Media gone for less than `media_rebuild_after_s`: reconnecting on screen, and the
    same peer connection carries media again when the path does (no new offer)."""
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(FirstFrame)
        hub.silence_lawyer()
        await events.wait_for(StateChanged, lambda e: e.new == CallState.RECONNECTING)
        assert call.attempt == 1 and call.peer is not None
        hub.resume_lawyer()
        back = await events.wait_for(StateChanged, lambda e: e.new == CallState.CONNECTED
                                     and e.old == CallState.RECONNECTING)
        assert back.attempt == 1 and call.attempt == 1
        assert [o["attempt"] for o in hub.of_type("sdp.offer")] == [1]


async def test_gives_up_after_three_attempts(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    settings = dataclasses.replace(FAST, connect_timeout_s=0.5)
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=settings,
                            on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        hub.answer_offers = False  # the lawyer's browser is gone for good
        await hub.kill_lawyer()
        assert await call.wait_finished(30) == CallState.FALLBACK
        assert (call.end_reason, call.attempt) == (EndReason.MEDIA_LOST, 3)
    hangup = await hub.wait_message("call.hangup")
    assert hangup["reason"] == "media_lost"
    assert [o["attempt"] for o in hub.of_type("sdp.offer")] == [1, 2, 3]


async def test_garbage_from_the_hub_is_ignored(events: EventStream) -> None:
    garbage: list[str | bytes] = [
        "not json",
        b"\x00\x01binary",
        '{"type":"call.accepted"}',
        '{"type":"surprise","consultation_id":"x"}',
        '{"type":"call.queued","consultation_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7",'
        '"position":0,"estimated_wait_s":-1,"ringing":[]}',
        "[]",
        '{"type":"sdp.answer","consultation_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7",'
        '"sdp":"v=0 not for you","attempt":1}',
    ]
    async with FakeHub(on_connect=garbage) as hub:
        client = SignalClient(hub.url, hub.token, on_event=events)
        async with client:
            await client.wait_up(10)
            async with Consultation(client, ServiceCode.LEGAL_AID, settings=FAST,
                                    on_event=events) as call:
                await events.wait_for(StateChanged, reached(CallState.CONNECTED))
                # an error about someone else's consultation changes nothing either
                await hub.send(Error(detail="not yours", refused="sdp.offer",
                                     consultation_id=UUID(int=5)))
                await hub.send(b"\xff" * 10)
                await hub.send("{")
                await events.wait_for(MediaStats, lambda s: s.frames_decoded > 3)
                assert call.state == CallState.CONNECTED
            assert client.refused >= 7
            assert client.connections == 1  # the socket stayed open


async def test_request_is_resent_when_the_link_comes_back(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    hub.accept = False
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await hub.wait_message("call.request")
        await hub.drop()
        second = await hub.wait_message("call.request", count=2)
        assert second["consultation_id"] == str(call.consultation_id)
        assert hub.connections == 2
        hub.accept = True
        await hub.send(
            f'{{"type":"call.accepted","consultation_id":"{call.consultation_id}",'
            f'"expert":{EXPERT.model_dump_json()}}}'
        )
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))


async def test_a_link_back_during_the_call_resumes_it(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    """A hub that restarted (or a link that blipped) hears the call still goes on; media,
    peer to peer, never noticed."""
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        await hub.drop()
        resume = await hub.wait_message("call.resume")
        assert resume == {"type": "call.resume", "consultation_id": str(call.consultation_id),
                          "attempt": 1}
        # What the hub says on its return: presence for the schedule, the accept again.
        await hub.send(Presence(reachable=[EXPERT.id]))
        await hub.send(Accepted(consultation_id=call.consultation_id, expert=EXPERT))
        frames = len(events.of(MediaStats))
        await events.wait_for(MediaStats, lambda _: len(events.of(MediaStats)) > frames + 2)
        assert call.state == CallState.CONNECTED and call.attempt == 1
        assert len(hub.of_type("call.request")) == 1  # it was never asked for again


async def test_a_hang_up_while_the_hub_is_away_reaches_it_with_its_time(
    hub: FakeHub, events: EventStream
) -> None:
    client = SignalClient(hub.url, hub.token, on_event=events, backoff_initial_s=0.05,
                          backoff_max_s=0.2, auth_backoff_s=0.1)
    async with client, Consultation(client, ServiceCode.LEGAL_AID, settings=FAST,
                                    on_event=events) as call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        token, hub.token = hub.token, "the hub is down"
        await hub.drop()
        await events.wait_for(LinkChanged, lambda e: not e.up)
        before = datetime.now(UTC)
        await call.hang_up()
        after = datetime.now(UTC)
        assert hub.of_type("call.hangup") == []
        hub.token = token  # the hub is back
        hangup = await hub.wait_message("call.hangup")
        assert before <= datetime.fromisoformat(hangup["at"]) <= after
        assert hangup["consultation_id"] == str(call.consultation_id)
        assert hub.of_type("call.resume") == []  # a call that is over is not resumed


async def test_hub_refusing_the_request_fails_the_call(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    hub.accept = False
    async with Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST,
                            on_event=events) as call:
        await hub.wait_message("call.request")
        await hub.send(Error(detail="This terminal is not enrolled.", refused="call.request",
                             consultation_id=call.consultation_id))
        assert await call.wait_finished(10) == CallState.FAILED


async def test_a_still_that_cannot_be_taken_is_reported_to_the_lawyer_at_once(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    settings = dataclasses.replace(FAST, camera="/dev/video-nonexistent")
    call = Consultation(signal, ServiceCode.LEGAL_AID, settings=settings, on_event=events)
    await call.report_document_failure("no connection yet")  # nobody to tell: nothing happens
    async with call:
        await events.wait_for(StateChanged, reached(CallState.CONNECTED))
        lawyer = hub.lawyer
        assert lawyer is not None
        await eventually(lambda: lawyer.document is not None)  # a moment after ICE and DTLS
        await lawyer.request_document()
        await events.wait_for(DocumentRequested)
        with pytest.raises(CameraUnavailable) as failed:
            await call.capture_still()
        await call.report_document_failure(str(failed.value))
        await eventually(lambda: lawyer.document_errors != [])
        assert lawyer.document_errors == [str(failed.value)]
        assert "/dev/video-nonexistent" in lawyer.document_errors[0]
        assert hub.lawyer_events.of(DocumentReceived) == []
        assert call.state == CallState.CONNECTED


async def test_ice_servers_are_fetched_while_the_consoles_ring(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    asked: list[CallState] = []

    async def ice_servers() -> list[IceServer]:
        asked.append(call.state)
        return []

    hub.accept = False
    call = Consultation(signal, ServiceCode.LEGAL_AID, settings=FAST, on_event=events,
                        ice_servers=ice_servers)
    async with call:
        await events.wait_for(StateChanged, reached(CallState.QUEUED))
        for _ in range(100):
            if asked:
                break
            await asyncio.sleep(0.01)
        await call.hang_up()
    assert asked and asked[0] in (CallState.REQUESTED, CallState.QUEUED)


async def test_a_codec_probe_that_hangs_does_not_hold_up_the_call(
    hub: FakeHub, signal: SignalClient, events: EventStream
) -> None:
    from kiosk.call import consultation, hardware

    # An encoder name of this test's own, whose probe is held up as behind a hung driver:
    # the probe's per-setting lock is taken here until the call has connected.
    setting = "h264_hung_for_this_test"
    lock = hardware._locks.setdefault(setting, threading.Lock())
    settings = dataclasses.replace(FAST, video_encoder=setting)
    with lock:
        call = Consultation(signal, ServiceCode.LEGAL_AID, settings=settings, on_event=events)
        await call.start()
        started = asyncio.get_running_loop().time()
        await events.wait_for(StateChanged, reached(CallState.CONNECTED), timeout=20)
        waited = asyncio.get_running_loop().time() - started
        assert call.peer is not None and call.peer.sending is not None
        assert not call.peer.sending.is_h264  # this call went out in VP8
        assert waited >= consultation.CODEC_WAIT_S  # it did wait for the probe, that long
    await call.hang_up()
    assert call.state == CallState.ENDED
    # the probe went on and answered for the next call
    choice = await hardware.video_codec_choice_async(setting)
    assert choice.tried == ((setting, "not in this FFmpeg"),)
