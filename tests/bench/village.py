"""The parts of P4: a consultation across the emulated village link, ours and the anchor.

The centre namespace of `tests/support/village_link.py` runs coturn (UDP and TCP
on 3478, TLS and TCP on 443 at `TURN_IP`), the hub (port 443 at `HUB_IP`, with
TURN credentials) and the lawyer's console in Debian's Chromium (its painted,
stamped camera, accepting every call). The village namespace runs the kiosk's
side: ours, the bare `kiosk.call` stack in its own process
(`call_kiosk_side.py --ice`), or the anchor, a Chromium page playing the kiosk's
part with the same ICE servers, its signaling over a Python terminal socket made
inside the village. Everything the kiosk's side sends, signaling included,
crosses the shaped link.

`CallFigures` is what one call measured; `Side` figures compare them.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

from tests.bench.call_harness import (
    STAMP_JS,
    AnchorKiosk,
    KioskProcess,
    LawyerConsole,
    lawyer_console,
)
from tests.call.coturn import make_certificates, running_coturn
from tests.console.conftest import CHROMIUM_ARGS
from tests.console.terminal import SignalClient
from tests.support.hub import HubAccess, RunningHub, running_hub
from tests.support.village_link import (
    HUB_IP,
    TURN_IP,
    Profile,
    VillageLink,
)

HUB_PORT = 443
TURN_PORT = 3478
TURN_TLS_PORT = 443
FROZEN_GAP_MS = 200.0  # a gap between two new frames longer than this is a freeze
Message = dict[str, Any]


@dataclass(frozen=True)
class Centre:
    hub: RunningHub  # reached by this process over the management link
    village_url: str  # the hub as the village reaches it, across the link
    console_url: str  # the hub as the console reaches it, inside the centre
    # (one address, `HUB_IP`, three routes: the hub listens on the link's address only,
    # as coturn on its own listens on 443 too)
    turn_ca: Path  # the test CAs of the hub's and coturn's TLS certificates

    def as_seen_from(self, url: str) -> HubAccess:
        return HubAccess(base_url=url, admin=self.hub.admin, lawyer=self.hub.lawyer,
                         ca=self.hub.ca)


@contextmanager
def centre(link: VillageLink, folder: Path) -> Iterator[Centre]:
    """coturn and the hub in the centre namespace, the on-duty lawyer available."""
    # This process seeds the hub and checks that coturn listens: their addresses, through
    # the management link (unshaped).
    for ip in (HUB_IP, TURN_IP):
        link.reach_from_here(ip)
    turn_dir = folder / "turn"
    turn_dir.mkdir(parents=True, exist_ok=True)
    hub_dir = folder / "hub"
    hub_dir.mkdir(parents=True, exist_ok=True)
    hub_ca, cert, key = make_certificates(hub_dir, HUB_IP)
    with running_coturn(turn_dir, ip=TURN_IP, port=TURN_PORT, tls_port=TURN_TLS_PORT,
                        wrap=link.centre_argv([])) as turn:
        secret = folder / "turn-secret"
        secret.write_text(turn.secret)
        # What the kiosk trusts (SSL_CERT_FILE): the test CAs of the hub and of coturn.
        cas = folder / "test-cas.pem"
        cas.write_bytes(hub_ca.read_bytes() + turn.ca.read_bytes())
        with running_hub(
            hub_dir, wrap=link.centre_argv([]), host=HUB_IP, port=HUB_PORT,
            reach=f"https://{HUB_IP}:{HUB_PORT}", ca=hub_ca,
            extra_args=("--turn-host", TURN_IP, "--turn-secret-file", str(secret),
                        "--tls-cert", str(cert), "--tls-key", str(key)),
        ) as hub:
            hub.set_on_duty_now(hub.lawyer)
            yield Centre(hub, hub.base_url, hub.base_url, cas)


def launch(playwright: Playwright, link: VillageLink, side: str, folder: Path,
           extra: Sequence[str] = ()) -> Browser:
    """Debian's Chromium in the `side` namespace."""
    folder.mkdir(parents=True, exist_ok=True)
    return playwright.chromium.launch(
        executable_path=str(link.chromium(folder, side)), args=[*CHROMIUM_ARGS, *extra]
    )


# Chromium trusts the test CAs of the hub and coturn no more than any other.
TRUST_TEST_CAS = "--ignore-certificate-errors"


@contextmanager
def console_in_centre(browser: Browser, centre_: Centre) -> Iterator[LawyerConsole]:
    with lawyer_console(browser, centre_.as_seen_from(centre_.console_url),  # type: ignore[arg-type]
                        painted_camera=True) as console:
        yield console


# --- what one call measured -----------------------------------------------------------------


@dataclass
class CallFigures:
    tap: float  # wall clock, s
    kiosk_first_frame: float  # s after the tap: the lawyer's video on the kiosk's side
    lawyer_first_frame: float  # s after the tap: the kiosk's video on the console
    window: tuple[float, float]  # the measured span, wall ms
    lawyer_times: list[float]  # new frames on the console, wall ms
    kiosk_times: list[float]  # new frames on the kiosk's side
    to_lawyer_ages: list[float]  # glass-to-glass ages, ms
    to_kiosk_ages: list[float]
    concealed: float  # the console's concealed share of the kiosk's audio, 0..1
    outage: dict[str, float] | None = None  # wall s
    link: Message = field(default_factory=dict)
    sent_kbps: float | None = None  # the kiosk's side's video, as the console received it

    def _skip(self) -> tuple[float, float] | None:
        if self.outage is None:
            return None
        return self.outage["from"] * 1000, self.outage["to"] * 1000

    def frozen_ms(self, times: list[float]) -> float:
        return sum(gap for gap in gaps(times, self.window, self._skip()) if gap > FROZEN_GAP_MS)

    def longest_freeze_ms(self, times: list[float]) -> float:
        return max(gaps(times, self.window, self._skip()), default=0.0)

    def fps(self, times: list[float]) -> float:
        start, end = self.window
        inside = [t for t in times if start <= t <= end]
        span = (end - start) / 1000
        if self.outage is not None:
            span -= self.outage["to"] - self.outage["from"]
        return len(inside) / span if span > 0 else 0.0

    def diagnosis(self) -> str:
        """Where the freezes were (s into the window: length in ms), and the link's queues."""
        start = self.window[0]

        def freezes(times: list[float]) -> str:
            points = [start, *(t for t in sorted(times) if start < t < self.window[1]),
                      self.window[1]]
            return " ".join(f"{(a - start) / 1000:.1f}:{b - a:.0f}"
                            for a, b in itertools.pairwise(points) if b - a > FROZEN_GAP_MS)

        up, down = self.link.get("up", {}), self.link.get("down", {})
        return (f"lawyer frozen [{freezes(self.lawyer_times)}] kiosk frozen "
                f"[{freezes(self.kiosk_times)}]; up queue p50/p95/max "
                f"{up.get('queue_p50_ms')}/{up.get('queue_p95_ms')}/{up.get('queue_max_ms')} "
                f"lost {up.get('lost')} overflowed {up.get('overflowed')}; down queue "
                f"{down.get('queue_p50_ms')}/{down.get('queue_p95_ms')}/{down.get('queue_max_ms')}"
                f" lost {down.get('lost')} overflowed {down.get('overflowed')}; sent "
                f"{self.sent_kbps}")

    def back_after_outage_s(self, times: list[float]) -> float | None:
        if self.outage is None:
            return None
        end = self.outage["to"] * 1000
        after = [t for t in times if t > end]
        return (after[0] - end) / 1000 if after else float("inf")


def gaps(times: Sequence[float], window: tuple[float, float],
         skip: tuple[float, float] | None = None) -> list[float]:
    """The gaps between new frames inside `window` (its edges count as frames), less those
    that overlap `skip` (an outage: the link carried nothing)."""
    start, end = window
    points = [start, *(t for t in sorted(times) if start < t < end), end]
    out = []
    for a, b in itertools.pairwise(points):
        if skip is not None and a < skip[1] and b > skip[0]:
            continue
        out.append(b - a)
    return out


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


# --- the console's view of the call ------------------------------------------------------------

CONSOLE_AUDIO_JS = """async () => {
  const pc = window.lawyerConsole.calls.current?.pc;
  const out = { concealed: 0, total: 0, videoBytes: 0 };
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'audio') { out.concealed = s.concealedSamples || 0;
                              out.total = s.totalSamplesReceived || 0; }
    if (s.kind === 'video') out.videoBytes = s.bytesReceived || 0;
  });
  return out;
}"""


def console_audio(console: LawyerConsole) -> Message:
    figures: Message = console.page.evaluate(CONSOLE_AUDIO_JS)
    return figures


def console_reader(console: LawyerConsole) -> None:
    """Read every frame the console's <video> presents, from its first (before the accept)."""
    console.page.evaluate(
        "() => { if (window.benchReader) window.benchReader.stop(); window.benchReader = "
        "window.benchStamp.reader(document.getElementById('remote-video')); }"
    )


# --- the two kiosk sides -------------------------------------------------------------------------


class Caller:
    """One side in the kiosk's place; `call` runs one measured call and hangs up."""

    name = ""

    def call(self, console: LawyerConsole, link: VillageLink, profile: Profile,
             seconds: float) -> CallFigures:
        raise NotImplementedError


def _wait(predicate: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {timeout} s")


def _run_call(console: LawyerConsole, link: VillageLink, profile: Profile, seconds: float,
              kiosk_times: Any, first_kiosk_frame: Any) -> tuple[float, float, Message, Message,
                                                                  dict[str, float] | None]:
    """From both sides' first frames: the measured span with its outage; returns the first
    frames (wall s), the console's audio before and after, and the outage."""
    lawyer_first = _wait(lambda: (console.page.evaluate(
        "() => { const t = window.benchReader.state.times; return t.length ? t[0] : null; }")),
        60, "first frame on the console") / 1000
    kiosk_first = first_kiosk_frame()
    audio_before = console_audio(console)
    started = time.time()
    outage = None
    if profile.outage_s and profile.outage_at_s is not None:
        time.sleep(max(0.0, profile.outage_at_s - (time.time() - started)))
        outage = link.outage(profile.outage_s)
    time.sleep(max(0.0, seconds - (time.time() - started)))
    audio_after = console_audio(console)
    return lawyer_first, kiosk_first, audio_before, audio_after, outage


class Ours(Caller):
    name = "ours"

    def __init__(self, centre_: Centre, link: VillageLink, token: str, log: Path) -> None:
        self.kiosk = KioskProcess(
            centre_.village_url, token, log, read_stamps=True, ice=True, own_cpu=True,
            wrap=link.village_argv([]), env={"SSL_CERT_FILE": str(centre_.turn_ca)},
        )

    def close(self) -> None:
        self.kiosk.close()

    def call(self, console: LawyerConsole, link: VillageLink, profile: Profile,
             seconds: float) -> CallFigures:
        console_reader(console)
        link.reset_stats()
        tap, _ = self.kiosk.call()
        try:
            first = float(self.kiosk.expect("first_frame", timeout=90)["t"])
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nthe link: {link.stats()}") from None
        lawyer_first, _, audio_before, audio_after, outage = _run_call(
            console, link, profile, seconds, None, lambda: first)
        end = time.time() * 1000
        on_kiosk = self.kiosk.stamps()
        stats = self.kiosk.stats()
        figures = _figures(console, link, tap, first, lawyer_first, end, on_kiosk,
                           audio_before, audio_after, outage,
                           None if stats is None else stats.get("send_kbps"))
        self.kiosk.hang_up()
        console.wait_idle()
        return figures


class Anchor(Caller):
    name = "anchor"

    def __init__(self, browser: Browser, centre_: Centre, link: VillageLink, token: str) -> None:
        self._stack = ExitStack()
        self.context = browser.new_context()
        self._stack.callback(self.context.close)
        page: Page = self.context.new_page()
        page.goto(f"{centre_.village_url}/healthz")
        village = centre_.as_seen_from(centre_.village_url)
        sock = link.village_socket(HUB_IP, HUB_PORT)
        terminal = self._stack.enter_context(SignalClient.terminal(village, token, sock=sock))
        self.side = self._stack.enter_context(AnchorKiosk.hanging_up(page, terminal))
        with centre_.hub.terminal_client(token) as client:
            servers = client.get("/v1/ice-servers").json()["ice_servers"]
        self.side.use_ice_servers(servers)

    def close(self) -> None:
        self._stack.close()

    def call(self, console: LawyerConsole, link: VillageLink, profile: Profile,
             seconds: float) -> CallFigures:
        console_reader(console)
        link.reset_stats()
        tap = self.side.call("painter")
        self.side.start_reader()
        first_kiosk = _wait(lambda: self.side.page.evaluate(
            "() => { const r = window.kioskPeer.reader; "
            "return r && r.state.times.length ? r.state.times[0] : null; }"),
            60, "first frame on the anchor") / 1000
        lawyer_first, _, audio_before, audio_after, outage = _run_call(
            console, link, profile, seconds, None, lambda: first_kiosk)
        end = time.time() * 1000
        figures = _figures(console, link, tap, first_kiosk, lawyer_first, end,
                           self.side.take_stamps(), audio_before, audio_after, outage, None)
        self.side.hang_up()
        console.wait_idle()
        return figures


def _figures(console: LawyerConsole, link: VillageLink, tap: float, kiosk_first: float,
             lawyer_first: float, end_ms: float, on_kiosk: Message, audio_before: Message,
             audio_after: Message, outage: dict[str, float] | None,
             sent_kbps: float | None) -> CallFigures:
    """One call's figures, either side, from both sides' first frames (wall s) to `end_ms`;
    takes the console's stamps and the link's counts, before the hang-up."""
    window = (max(lawyer_first, kiosk_first) * 1000, end_ms)
    on_console = console.take_stamps()
    if os.environ.get("KIOSK_P4_DUMP"):  # for tracing one profile (test_p4_village_link.py)
        with open(os.environ["KIOSK_P4_DUMP"], "a", encoding="utf-8") as dump:
            dump.write(json.dumps({"sent": sent_kbps, "window": window, "kiosk": on_kiosk,
                                   "console": on_console}) + "\n")
    return CallFigures(
        tap=tap, kiosk_first_frame=kiosk_first - tap, lawyer_first_frame=lawyer_first - tap,
        window=window, lawyer_times=on_console["times"], kiosk_times=on_kiosk["times"],
        to_lawyer_ages=_inside(on_console, window), to_kiosk_ages=_inside(on_kiosk, window),
        concealed=_concealed(audio_before, audio_after), outage=outage, link=link.stats(),
        sent_kbps=sent_kbps,
    )


def _inside(stamps: Message, window: tuple[float, float]) -> list[float]:
    """The ages of the frames presented inside `window`."""
    start, end = window
    return [age for at, age in zip(stamps["agedAt"], stamps["ages"], strict=True)
            if start <= at <= end]


def _concealed(before: Message, after: Message) -> float:
    total = after["total"] - before["total"]
    return (after["concealed"] - before["concealed"]) / total if total > 0 else 0.0


@contextmanager
def village_sides(
    playwright: Playwright, link: VillageLink, centre_: Centre, folder: Path,
) -> Iterator[tuple[Ours, Anchor]]:
    ours_token = centre_.hub.enrol_terminal()[1]
    anchor_token = centre_.hub.enrol_terminal()[1]
    with ExitStack() as stack:
        village_browser = launch(playwright, link, "village", folder / "village-browser", (
            TRUST_TEST_CAS,
        ))
        stack.callback(village_browser.close)
        anchor = Anchor(village_browser, centre_, link, anchor_token)
        stack.callback(anchor.close)
        ours = Ours(centre_, link, ours_token, folder / "kiosk-side.log")
        stack.callback(ours.close)
        yield ours, anchor


__all__ = ["STAMP_JS", "Anchor", "CallFigures", "Centre", "Ours", "centre",
           "console_in_centre", "launch", "median", "percentile", "village_sides"]
