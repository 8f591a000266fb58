"""The kiosk's peer on the emulated village link (`tests/support/village_link.py`), an aiortc
"lawyer" on the centre's side: where only TLS to port 443 gets out, on a thin lossy
link, and through an outage. Each side runs in its own namespace (`village_pair.py`)."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import av
import pytest

from kiosk.call.frames import FrameSlot
from kiosk.call.ice import TurnPreference, plan_ice_servers
from kiosk.call.peer import ConsultationPeer
from kiosk.call.sources import AudioSource, NullAudioSink, VideoSource
from kiosk.domain.signaling import IceServer
from tests.call import coturn
from tests.call.coturn import Coturn, rest_credentials, running_coturn
from tests.call.village_pair import Side, sides
from tests.support import village_link
from tests.support.requires import missing
from tests.support.village_link import PROFILES, TURN_IP, VillageLink


@pytest.fixture(scope="module")
def link(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VillageLink]:
    village_link.require()
    with VillageLink.open(tmp_path_factory.mktemp("calls-link")) as opened:
        yield opened


@pytest.fixture(scope="module")
def turn(link: VillageLink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Coturn]:
    if not coturn.available():
        missing("turnserver not found (apt-get install coturn)")
    link.reach_from_here(TURN_IP)
    with running_coturn(tmp_path_factory.mktemp("calls-turn"), ip=TURN_IP, port=3478,
                        tls_port=443, wrap=link.centre_argv([])) as server:
        yield server


class Arrivals:
    """When each decoded frame reached the slot the screen draws from (monotonic s)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.slot: FrameSlot[av.VideoFrame] = FrameSlot(self._arrived)

    def _arrived(self) -> None:
        self.times.append(time.monotonic())
        self.slot.take()

    def longest_gap(self, since: float) -> float:
        points = [since, *(t for t in self.times if t > since), time.monotonic()]
        return max(b - a for a, b in itertools.pairwise(points))


async def make_peer(name: str, ice: list[object], arrivals: Arrivals | None = None,
                    relay_only: bool = False) -> ConsultationPeer:
    video, audio = VideoSource("test-pattern"), AudioSource("test-tone")
    await video.start()
    await audio.start()
    peer = ConsultationPeer(name, video=video, audio=audio, ice_servers=ice,  # type: ignore[arg-type]
                            remote_video=arrivals.slot if arrivals else None,
                            remote_audio=NullAudioSink(), relay_only=relay_only)
    SOURCES[peer] = (video, audio)
    return peer


SOURCES: dict[ConsultationPeer, tuple[VideoSource, AudioSource]] = {}


async def _close(peer: ConsultationPeer) -> None:
    await peer.aclose()
    for source in SOURCES.pop(peer, ()):
        await source.aclose()


def chromium_layout(answer: str) -> str:
    """The answer as Chromium writes it under BUNDLE: every candidate in the first media
    section, none in the others."""
    out, seen_media = [], 0
    for line in answer.splitlines():
        if line.startswith("m="):
            seen_media += 1
        if line.startswith("a=candidate:") and seen_media > 1:
            continue
        if line.startswith("a=end-of-candidates"):
            continue
        out.append(line)
    return "\r\n".join(out) + "\r\n"


def call(kiosk: Side, kiosk_peer: ConsultationPeer, lawyer: Side,
         lawyer_peer: ConsultationPeer, rewrite: bool = False) -> None:
    offer = kiosk.run(kiosk_peer.create_offer())
    answer = lawyer.run(lawyer_peer.answer(offer))
    kiosk.run(kiosk_peer.accept_answer(chromium_layout(answer) if rewrite else answer))


def wait_for(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {timeout} s")


def close(kiosk: Side, kiosk_peer: ConsultationPeer, lawyer: Side,
          lawyer_peer: ConsultationPeer) -> None:
    kiosk.run(_close(kiosk_peer))
    lawyer.run(_close(lawyer_peer))


def test_where_only_tls_to_443_gets_out_a_call_connects_through_turn(
    link: VillageLink, turn: Coturn, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lawyer's browser lists its addresses only in the answer's first section, and
    its checks cannot reach us: only our own checks, through the relay, can connect."""
    monkeypatch.setenv("SSL_CERT_FILE", str(turn.ca))
    username, credential = rest_credentials(turn.secret, "terminal-1")
    servers = [IceServer(urls=[f"turns:{TURN_IP}:443?transport=tcp"], username=username,
                         credential=credential)]
    preference = TurnPreference("tls")
    plan, _ = plan_ice_servers(servers, preference=preference)
    link.shape(PROFILES["443-only"])
    arrivals = Arrivals()
    try:
        with sides(link) as (kiosk, lawyer):
            ours = kiosk.run(make_peer("kiosk", list(plan), arrivals))
            theirs = lawyer.run(make_peer("lawyer", []))
            try:
                call(kiosk, ours, lawyer, theirs, rewrite=True)
                wait_for(lambda: arrivals.times, 30, "frame from the lawyer")
                pair = ours.selected_pair()
                assert pair is not None and pair.local_candidate.type == "relay"
                assert lawyer.run(_frames(theirs)) > 0
            finally:
                close(kiosk, ours, lawyer, theirs)
    finally:
        link.clear()
    stats = link.stats()
    assert stats["up"]["filtered"] > 0  # UDP tried to get out and did not


async def _frames(peer: ConsultationPeer) -> int:
    return peer.frames_decoded


@contextmanager
def video_call(link: VillageLink, profile: str) -> Iterator[tuple[ConsultationPeer, Arrivals]]:
    """A call over the link shaped as `profile`, once the lawyer's first frame is in: the
    kiosk's peer and the times its frames arrive. The link is clear again after."""
    link.shape(PROFILES[profile])
    arrivals = Arrivals()
    try:
        with sides(link) as (kiosk, lawyer):
            ours = kiosk.run(make_peer("kiosk", [], arrivals))
            theirs = lawyer.run(make_peer("lawyer", []))
            try:
                call(kiosk, ours, lawyer, theirs)
                wait_for(lambda: arrivals.times, 30, "frame from the lawyer")
                yield ours, arrivals
            finally:
                close(kiosk, ours, lawyer, theirs)
    finally:
        link.clear()


def test_a_thin_lossy_link_never_stalls_the_picture(link: VillageLink) -> None:
    """256 kbit/s, 150 ms and 5 % loss each way for `seconds`: the lawyer's video keeps
    coming (lost packets asked for again, a hole given up for a key frame)."""
    seconds = float(os.environ.get("KIOSK_LOSSY_CALL_S", "15"))
    with video_call(link, "256k") as (ours, arrivals):
        start = time.monotonic()
        time.sleep(seconds)
        longest = arrivals.longest_gap(start)
        count = sum(1 for t in arrivals.times if t > start)
        (path,) = ours._receive_paths()
    assert path.nacks_sent > 0  # the link lost packets, and they were asked for
    assert count > seconds * 3, (count, path.summary())
    # aiortc's own buffer stalled for 6 to 17 s on such a link (issue 13)
    assert longest < 3.0, (longest, path.summary())


def test_an_outage_of_seconds_keeps_the_connection(link: VillageLink) -> None:
    """Six seconds with nothing passing: the same peer connection carries video again
    soon after the link is back (no new offer, no ICE, no DTLS)."""
    with video_call(link, "400k") as (ours, arrivals):
        time.sleep(2)
        spell = link.outage(6)
        back = time.monotonic() + (spell["to"] - time.time())
        wait_for(lambda: any(t > back for t in arrivals.times), 15, "frame after the outage")
        after = min(t for t in arrivals.times if t > back) - back
        assert ours.state.value in ("connected", "media_lost")
    assert after < 5.0, after
