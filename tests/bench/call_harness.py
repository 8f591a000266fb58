"""The parts of the call benchmarks (P1-P3): both kiosk sides, the lawyer's console, CPU time.

* `KioskAppProcess`: ours in P1 and P2, the whole kiosk app in its own process
  under Xvfb (`tests/bench/call_kiosk_app.py`), tapped through to the call.
* `KioskProcess`: ours in P3, the bare `kiosk.call` stack in its own process
  (`tests/bench/call_kiosk_side.py`). Both are driven by lines on their stdin.
* `AnchorKiosk`: the anchor, a Chromium page playing the kiosk's WebRTC part (as
  `tests/console/terminal.py`'s `MediaPeer` does: complete offer with the
  `document` channel, VP8, 640x480 at 15 fps, the kiosk's bitrate ceilings),
  its signaling through the hub over a Python terminal socket.
* `lawyer_console`: the real lawyer page of the hub in Chromium, logged in, on
  duty and available, which accepts every call that rings by clicking its
  接听 button from a MutationObserver as soon as the card appears: the same
  accept, within a millisecond, for ours and for the anchor.
* `call_stamp.js`: the test pattern's stamp painted and read in pages.
* CPU seconds of processes and of a Chromium instance's process tree, from /proc.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright, expect

from kiosk.call.pattern import draw_test_pattern
from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS, Console, ConsoleLog
from tests.console.terminal import SignalClient
from tests.support.hub import RunningHub
from tests.support.requires import missing

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
STAMP_JS = (HERE / "call_stamp.js").read_text(encoding="utf-8")
WIDTH, HEIGHT, FPS = 640, 480, 15
# What the kiosk's bitrate policy allows at most (kiosk/call/settings.py PolicySettings).
VIDEO_CEILING_BPS = 1_000_000
AUDIO_BPS = 32_000
SERVICE = "legal_consultation"

Message = dict[str, Any]


def ladder_said(stats: Message, steps: Sequence[str]) -> str:
    """Where the kiosk's send ladder was at the end of a call, and how it moved."""
    moved = "moved " + "; ".join(steps) if steps else "not moved in the call"
    return (f"the send ladder at {stats['send_step']} (machine CPU "
            f"{(stats['cpu_busy'] or 0) * 100:.0f} %), {moved}")


def median_ms(values: Sequence[float]) -> float:
    return float(statistics.median(values))


# --- ours: the kiosk in a process of its own -----------------------------------------------


class _LineProcess:
    """A child process answering commands on its stdin with JSON lines on its stdout."""

    name = "kiosk side"

    def __init__(self, argv: Sequence[str], log_path: Path, env: dict[str, str]) -> None:
        self._log = log_path.open("wb")
        self.log_path = log_path
        # A session of its own: whatever it starts (Xvfb) goes with it if it must be killed.
        self.process = subprocess.Popen(
            list(argv), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, text=True, env={**env, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        self._lines: queue.Queue[Message | None] = queue.Queue()
        self.seen: list[Message] = []
        threading.Thread(target=self._read, name=f"{self.name}-stdout", daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self._lines.put(json.loads(line))
        self._lines.put(None)

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def expect(self, event: str, timeout: float = 30.0, **fields: Any) -> Message:
        """The first message `event` (with these field values) not yet returned; waits for it.
        An `error` message from the child fails at once."""
        deadline = time.monotonic() + timeout
        while True:
            for index, message in enumerate(self.seen):
                if message["event"] == "error":
                    raise AssertionError(f"{self.name}: {message}; log {self.log_path}")
                if message["event"] == event and all(
                    message.get(k) == v for k, v in fields.items()
                ):
                    return self.seen.pop(index)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    f"{self.name}: no {event} {fields} within {timeout} s; saw {self.seen}; "
                    f"log {self.log_path}"
                )
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(
                    f"{self.name} exited ({self.process.wait()}) before {event}; "
                    f"see {self.log_path}:\n{self.log_path.read_text(errors='replace')[-3000:]}"
                )
            self.seen.append(line)

    def _started(self, timeout: float) -> Message:
        try:
            return self.expect("ready", timeout=timeout)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                self.send("quit")
                self.process.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        finally:
            self._log.close()


class KioskProcess(_LineProcess):
    """`python -m tests.bench.call_kiosk_side` with the terminal's token: the bare `kiosk.call`
    stack, no Qt; see its docstring. P3 measures it."""

    def __init__(self, hub: RunningHub | str, token: str, log_path: Path, *,
                 read_stamps: bool = False, ice: bool = False, wrap: Sequence[str] = (),
                 env: dict[str, str] | None = None, own_cpu: bool = False):
        """`hub`: the hub, or the URL the kiosk reaches it at; `wrap`: a command prefix
        (`ip netns exec village`); `env`: more environment (SSL_CERT_FILE)."""
        url = hub if isinstance(hub, str) else hub.base_url
        argv = [*wrap, sys.executable, "-m", "tests.bench.call_kiosk_side"]
        if read_stamps:
            argv.append("--read-stamps")
        if ice:
            argv.append("--ice")
        if own_cpu:
            argv.append("--own-cpu")
        # A token is URL-safe base64 and may begin with "-": after "--" it is never an option.
        argv += ["--", url, token]
        super().__init__(argv, log_path, {**os.environ, **(env or {})})
        self.pid = int(self._started(60)["pid"])
        assert wrap or self.pid == self.process.pid  # `ip netns exec` execs: the same pid

    def call(self) -> tuple[float, str]:
        """The resident's tap: (wall clock just before `Consultation.start()`, consultation id)."""
        self.seen.clear()
        self.send("call")
        started = self.expect("started")
        return float(started["t"]), str(started["consultation_id"])

    def hang_up(self) -> None:
        self.send("hangup")
        self.expect("ended")

    def stats(self) -> Message:
        self.send("stats")
        stats: Message = self.expect("stats")["stats"]
        return stats

    def stamps(self) -> Message:
        self.send("stamps")
        return self.expect("stamps")

    def __enter__(self) -> KioskProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


XVFB_SCREEN = "-screen 0 1280x800x24"


def require_xvfb() -> None:
    if shutil.which("xvfb-run") is None:
        missing("xvfb-run not found (apt-get install xvfb xauth)")


class KioskAppProcess(_LineProcess):
    """The whole kiosk app of an enrolled terminal (`tests/bench/call_kiosk_app.py`) under
    Xvfb with Qt's xcb platform, its window on that display, driven by taps; see its
    docstring. `pid` is the app's process (not xvfb-run's), `xvfb_pid` its X server's."""

    name = "kiosk app"

    def __init__(self, hub: RunningHub, token: str, data_dir: Path, log_path: Path) -> None:
        require_xvfb()
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(REPO)}
        env.pop("KIOSK_REPORT_READY", None)
        argv = ["xvfb-run", "-a", "-s", XVFB_SCREEN, sys.executable, "-m",
                "tests.bench.call_kiosk_app", hub.base_url, token, str(data_dir)]
        super().__init__(argv, log_path, env)
        ready = self._started(90)
        self.pid = int(ready["pid"])
        assert ready["platform"] == "xcb", ready
        tree = process_tree(self.process.pid)
        assert self.pid in tree, (self.pid, tree)
        self.xvfb_pid = next((p for p in tree if _comm(p) == "Xvfb"), None)

    def call(self) -> tuple[float, str]:
        """Tap the schedule's call button: (wall clock just before the tap, consultation id)."""
        self.seen.clear()
        self.send("call")
        tapped = float(self.expect("tapped")["t"])
        return tapped, str(self.expect("consultation")["consultation_id"])

    def hang_up(self) -> Message:
        """Tap hang up; back once the rating screen shows (the app then returns to the
        schedule by itself, before it reads the next command). How soon the screen answered
        the tap (`phase_ms`, `drawn_ms`)."""
        self.send("hangup")
        answered = self.expect("answered")
        self.expect("ended")
        return answered

    def census(self) -> Message:
        self.send("census")
        return self.expect("census", timeout=60)

    def lateness(self, seconds: float) -> Message:
        self.send(f"lateness {seconds}")
        return self.expect("lateness", timeout=seconds + 30)

    def stats(self) -> Message:
        self.send("stats")
        return self.expect("stats")

    def geometry(self) -> Message:
        self.send("geometry")
        return self.expect("geometry")

    def __enter__(self) -> KioskAppProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# --- the anchor: the kiosk's part played by a Chromium page ----------------------------------

# Like tests/console/terminal.py's PEER_JS, plus: the camera opened at the tap (as the kiosk
# does), VP8 only and the kiosk's bitrate ceilings, and the remote video in a <video> whose
# first presented frame (requestVideoFrameCallback) is the first remote frame. `offer(display)`:
# false shows nothing, true a 640x480 <video> of the remote video, and a layout
# `{remote: [x, y, w, h], self: [x, y, w, h]}` (CSS px) the remote video fitted into its box on
# black and the camera's own picture mirrored and cropped to fill its box, as the kiosk's call
# screen shows them.
ANCHOR_KIOSK_JS = """
([width, height, fps, videoBps, audioBps]) => {
  if (window.kioskPeer) return;
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") resolve();
    });
  });
  const place = (v, [x, y, w, h], fit) => {
    Object.assign(v.style, { position: "fixed", left: `${x}px`, top: `${y}px`, width: `${w}px`,
                             height: `${h}px`, objectFit: fit, background: "#000" });
  };
  window.kioskPeer = {
    pc: null, stream: null, video: null, selfView: null, firstFrameAt: null, reader: null,
    marks: {}, iceServers: [],
    // "fake": Chromium's fake camera (or the file it was given); "painter": call_stamp.js
    async openCamera(source) {
      const video = source === "fake" ? { width, height, frameRate: fps } : false;
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video });
      if (source === "painter") {
        this.stream.addTrack(window.benchStamp.painter({ width, height, fps }).track);
      }
      return this.stream.getTracks().length;
    },
    async offer(display) {
      this.marks = { offer: Date.now() };
      const pc = new RTCPeerConnection({ iceServers: this.iceServers });
      this.pc = pc;
      this.firstFrameAt = null;

      if (display) {
        const v = document.createElement("video");
        v.muted = true; v.autoplay = true; v.playsInline = true;
        if (display === true) {
          v.width = width; v.height = height;
        } else {
          place(v, display.remote, "contain");
          const own = document.createElement("video");
          own.muted = true; own.autoplay = true; own.playsInline = true;
          place(own, display.self, "cover");
          own.style.transform = "scaleX(-1)";
          own.srcObject = new MediaStream(this.stream.getVideoTracks());
          document.body.append(own);
          own.play().catch(() => {});
          this.selfView = own;
        }
        document.body.append(v);
        this.video = v;
        v.requestVideoFrameCallback((now, meta) => {
          this.firstFrameAt = performance.timeOrigin + meta.presentationTime;
        });
      }
      pc.ontrack = (e) => {
        if (e.track.kind === "video" && this.video) {
          this.video.srcObject = new MediaStream([e.track]);
          this.video.play().catch(() => {});
        }
      };
      for (const track of this.stream.getTracks()) {
        const t = pc.addTransceiver(track, { direction: "sendrecv", streams: [this.stream] });
        if (track.kind === "video") {
          t.setCodecPreferences(RTCRtpSender.getCapabilities("video").codecs
            .filter((c) => /^video\\/(vp8|rtx)$/i.test(c.mimeType)));
        }
      }
      pc.createDataChannel("document");
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      this.marks.offered = Date.now();
      return pc.localDescription.sdp;
    },
    async answer(sdp) {
      await this.pc.setRemoteDescription({ type: "answer", sdp });
      for (const sender of this.pc.getSenders()) {
        if (!sender.track) continue;
        const params = sender.getParameters();
        if (!params.encodings || !params.encodings.length) params.encodings = [{}];
        params.encodings[0].maxBitrate = sender.track.kind === "video" ? videoBps : audioBps;
        await sender.setParameters(params);
      }
    },
    startReader() {
      this.reader = window.benchStamp.reader(this.video);
    },
    async stats() {
      // `presented`: frames each <video> has put on the page so far
      const presented = (v) => (v ? v.getVideoPlaybackQuality().totalVideoFrames : 0);
      const out = { sent: {}, received: {},
                    presented: { remote: presented(this.video), self: presented(this.selfView) } };
      if (!this.pc) return out;
      (await this.pc.getStats()).forEach((s) => {
        if (s.kind !== "video") return;
        if (s.type === "outbound-rtp") {
          out.sent = { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond,
                       frames: s.framesEncoded, bytes: s.bytesSent,
                       limitation: s.qualityLimitationReason };
        } else if (s.type === "inbound-rtp") {
          out.received = { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond,
                           frames: s.framesDecoded || 0, bytes: s.bytesReceived };
        }
      });
      return out;
    },
    hangUp() {
      if (this.reader) this.reader.stop();
      this.reader = null;
      if (this.pc) this.pc.close();
      this.pc = null;
      if (this.stream) for (const t of this.stream.getTracks()) t.stop();
      this.stream = null;
      for (const v of [this.video, this.selfView]) if (v) v.remove();
      this.video = this.selfView = null;
    },
  };
}
"""


class AnchorKiosk:
    """The kiosk's WebRTC part in a page (at the hub's /healthz: a secure context for the
    camera), its signaling over a Python terminal socket of the hub."""

    def __init__(self, page: Page, terminal: SignalClient) -> None:
        self.page = page
        self.terminal = terminal
        page.evaluate(STAMP_JS)
        page.evaluate(ANCHOR_KIOSK_JS, [WIDTH, HEIGHT, FPS, VIDEO_CEILING_BPS, AUDIO_BPS])
        self.consultation_id: str | None = None
        self.accepted_at: float | None = None

    @classmethod
    @contextmanager
    def open(cls, page: Page, hub: RunningHub, token: str) -> Iterator[AnchorKiosk]:
        page.goto(f"{hub.base_url}/healthz")
        with SignalClient.terminal(hub, token) as terminal, cls.hanging_up(page, terminal) as side:
            yield side

    @classmethod
    @contextmanager
    def hanging_up(cls, page: Page, terminal: SignalClient) -> Iterator[AnchorKiosk]:
        """The page (already at a page of the hub) and a terminal socket; hangs up after."""
        anchor = cls(page, terminal)
        try:
            yield anchor
        finally:
            with suppress(Exception):  # a failure of the test says more than this one
                anchor.hang_up()

    def use_ice_servers(self, servers: list[Message]) -> None:
        """STUN and TURN for the page's next offers (the hub's `ice_servers`); Chromium,
        unlike aiortc, uses all of them."""
        self.page.evaluate("servers => { window.kioskPeer.iceServers = servers; }", servers)

    def call(self, camera: str, *, display: bool | Message = True) -> float:
        """The resident's tap up to the answer applied; returns the wall clock of the tap.

        What `Consultation` does, in order: `call.request`, the camera opened while the hub
        rings, on `call.accepted` a complete offer, the answer applied."""
        self.terminal.seen.clear()
        tapped = time.time()
        cid = self.terminal.request_call(SERVICE)
        self.consultation_id = cid
        self.page.evaluate("source => window.kioskPeer.openCamera(source)", camera)

        def of(message: Message) -> bool:
            return message.get("consultation_id") == cid

        self.terminal.expect("call.accepted", where=of)
        self.accepted_at = time.time()
        sdp = self.page.evaluate("display => window.kioskPeer.offer(display)", display)
        self.terminal.send(type="sdp.offer", consultation_id=cid, sdp=sdp, attempt=1)
        answer = self.terminal.expect(
            "sdp.answer", timeout=20, where=lambda m: of(m) and m.get("attempt") == 1
        )
        self.page.evaluate("sdp => window.kioskPeer.answer(sdp)", answer["sdp"])
        return tapped

    def first_frame_at(self, timeout: float = 20.0) -> float:
        """Wall clock (s) when the first remote frame was presented in the page's <video>."""
        handle = self.page.wait_for_function(
            "() => window.kioskPeer.firstFrameAt", timeout=timeout * 1000
        )
        return float(handle.json_value()) / 1000

    def offered_at(self) -> float:
        """Wall clock (s) when the page's complete offer was ready (ICE gathering done)."""
        return float(self.page.evaluate("() => window.kioskPeer.marks.offered")) / 1000

    def wait_decoding(self, timeout: float = 20.0) -> None:
        self.page.wait_for_function(
            "async () => ((await window.kioskPeer.stats()).received.frames || 0) > 0",
            timeout=timeout * 1000, polling=100,
        )

    def stats(self) -> Message:
        stats: Message = self.page.evaluate("() => window.kioskPeer.stats()")
        return stats

    def start_reader(self) -> None:
        self.page.evaluate("() => window.kioskPeer.startReader()")

    def take_stamps(self) -> Message:
        taken: Message = self.page.evaluate("() => window.kioskPeer.reader.take()")
        return taken

    def hang_up(self) -> None:
        cid, self.consultation_id = self.consultation_id, None
        if cid is not None:
            self.terminal.send(type="call.hangup", consultation_id=cid, reason="hung_up")
            self.terminal.expect(
                "call.ended", timeout=10, where=lambda m: m.get("consultation_id") == cid
            )
        self.page.evaluate("() => window.kioskPeer.hangUp()")


# --- the lawyer's console ------------------------------------------------------------------

AUTO_ACCEPT_JS = """
() => {
  if (window.benchAccept) return;
  const list = document.getElementById("calls-list");
  const accepted = [];
  const accept = () => {
    for (const button of list.querySelectorAll(".ring-card[data-state='ringing'] button.accept")) {
      accepted.push({ id: button.closest(".ring-card").dataset.consultation, at: Date.now() });
      button.click();
    }
  };
  new MutationObserver(accept).observe(list, { childList: true, subtree: true, attributes: true,
                                              attributeFilter: ["data-state"] });
  window.benchAccept = { accepted };
  accept();
}
"""

# In P3 the lawyer's camera is the stamp painter, at the size and rate the console asks for
# (kiosk/hub/console/call.js CAMERA: ideally 640x480 at 24 fps); the microphone stays
# Chromium's fake one.
PAINTED_CAMERA_JS = STAMP_JS + """
(() => {
  const media = navigator.mediaDevices;
  if (!media || media.benchPainted) return;
  const original = media.getUserMedia.bind(media);
  const wanted = (value, fallback) => (typeof value === "number" ? value
    : (value && (value.ideal || value.exact || value.max)) || fallback);
  media.getUserMedia = async (constraints) => {
    const stream = await original({ ...constraints, video: false });
    const video = constraints.video;
    if (video) {
      const size = { width: wanted(video.width, 640), height: wanted(video.height, 480),
                     fps: wanted(video.frameRate, 30) };
      window.benchPaintedCamera = size;
      stream.addTrack(window.benchStamp.painter(size).track);
    }
    return stream;
  };
  media.benchPainted = true;
})();
"""


@dataclass
class LawyerConsole:
    page: Page
    log: ConsoleLog

    def accepted(self, consultation_id: str) -> float:
        """Wall clock (s) when the console clicked 接听 for this call."""
        handle = self.page.wait_for_function(
            "id => (window.benchAccept.accepted.find((a) => a.id === id) || {}).at",
            arg=consultation_id,
        )
        return float(handle.json_value()) / 1000

    def wait_idle(self) -> None:
        """The call is over on the console: the in-call view is gone, the next can ring."""
        expect(self.page.locator("#call-view")).to_be_hidden(timeout=15_000)

    def wait_video(self) -> None:
        self.page.wait_for_function(
            """() => { const v = document.getElementById('remote-video');
                       return v.currentTime > 0
                           && v.getVideoPlaybackQuality().totalVideoFrames > 2; }"""
        )

    def start_reader(self) -> None:
        self.page.evaluate(
            "() => { window.benchReader = "
            "window.benchStamp.reader(document.getElementById('remote-video')); }"
        )

    def take_stamps(self) -> Message:
        taken: Message = self.page.evaluate("() => window.benchReader.take()")
        return taken

    def stop_reader(self) -> None:
        self.page.evaluate("() => { if (window.benchReader) window.benchReader.stop(); }")

    def painted_camera(self) -> str:
        """What the console asked its (painted) camera for, e.g. `640×480, 24 fps`."""
        size = self.page.evaluate("() => window.benchPaintedCamera")
        return f"{size['width']}×{size['height']}, {size['fps']} fps"

    def stats(self) -> Message:
        """The console's own view of the call's video (getStats of its peer connection)."""
        stats: Message = self.page.evaluate(
            """async () => { const out = { sent: {}, received: {} };
                 const pc = window.lawyerConsole.calls.current?.pc;
                 if (!pc) return out;
                 (await pc.getStats()).forEach((s) => {
                   if (s.kind !== 'video') return;
                   if (s.type === 'outbound-rtp') out.sent = { width: s.frameWidth,
                       height: s.frameHeight, fps: s.framesPerSecond, bytes: s.bytesSent };
                   if (s.type === 'inbound-rtp') out.received = { width: s.frameWidth,
                       height: s.frameHeight, fps: s.framesPerSecond, frames: s.framesDecoded };
                 });
                 return out; }"""
        )
        return stats


@contextmanager
def lawyer_console(
    browser: Browser, hub: RunningHub, *, painted_camera: bool = False
) -> Iterator[LawyerConsole]:
    """The hub's lawyer page, logged in as the on-duty lawyer, accepting every call."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(20_000)
    if painted_camera:
        context.add_init_script(PAINTED_CAMERA_JS)
    try:
        page = context.new_page()
        log = ConsoleLog()
        log.attach(page)
        Console(hub=hub, context=context, page=page, log=log).login(
            hub.lawyer, expect="lawyer.html"
        )
        expect(page.locator("#signal-state")).to_have_text("已连接")
        if not painted_camera:
            page.evaluate(STAMP_JS)
        page.evaluate(AUTO_ACCEPT_JS)
        yield LawyerConsole(page, log)
    finally:
        context.close()


# --- CPU time from /proc --------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/PID/stat (after the command name), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of all threads of `pid` so far."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_by_thread(pid: int) -> dict[str, float]:
    """User + system CPU time of `pid`'s threads alive now, summed by thread name (the
    kernel's `comm`: Qt and Mesa name theirs, the app names Python's); the
    main thread is `main`."""
    out: dict[str, float] = defaultdict(float)
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return {}
    for task in tasks:
        try:
            text = (task / "stat").read_text()
        except OSError:
            continue
        name = "main" if int(task.name) == pid else text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        out[name] += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return dict(out)


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _cmdline(pid: int) -> list[str]:
    """The arguments of `pid` ([] if gone). Chromium rewrites its children's command lines
    into one space-separated string (setproctitle), so both separators count."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return []
    return raw.replace("\0", " ").split()


def chromium_kind(pid: int) -> str:
    """`browser`, `renderer`, `gpu-process`, `zygote`, `utility:<sub type>`, ..."""
    args = _cmdline(pid)
    if not args:
        return "gone"
    kind = next((a.split("=", 1)[1] for a in args if a.startswith("--type=")), None)
    if kind is None:
        return "browser" if args and "chrom" in args[0] else Path(args[0]).name
    if kind == "utility":
        sub = next((a.split("=", 1)[1] for a in args if a.startswith("--utility-sub-type=")), "")
        return f"utility:{sub.rsplit('.', 1)[0].replace('.mojom', '')}"
    return kind


def browser_pid(user_data_dir: Path) -> int:
    """The browser process of the Chromium instance running with this profile directory."""
    flag = f"--user-data-dir={user_data_dir}"
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        args = _cmdline(int(entry.name))
        if flag in args and not any(a.startswith("--type=") for a in args):
            return int(entry.name)
    raise AssertionError(f"no Chromium browser process with {flag}")


def cpu_by_process(pids: Sequence[int]) -> dict[int, float]:
    return {pid: cpu_seconds(pid) for pid in pids}


def memory_kib(pid: int, field: str = "Pss") -> int:
    """`Rss` or `Pss` of `pid` in KiB (0 if gone). Pss shares each page among the processes
    that map it: Chromium's processes share their libraries, and summed Rss counts them
    once a process."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


@contextmanager
def anchor_kiosk_call(
    playwright: Playwright, hub: RunningHub, token: str, console: LawyerConsole, tmp: Path,
    layout: Message, viewport: tuple[int, int] = (1280, 800),
) -> Iterator[tuple[AnchorKiosk, int]]:
    """A Chromium instance of its own (headless, `--disable-gpu`, like the console's) whose
    one page plays the kiosk's part of a call: the kiosk's test pattern through Chromium's
    fake camera (a Y4M of `pattern.py`'s frames), the remote video and its own camera in
    `<video>` elements at the kiosk's places and sizes (`layout`: the app's `geometry`).
    Yields the page's side and the instance's browser pid once the lawyer sees video; hangs
    up after."""
    tmp.mkdir(parents=True, exist_ok=True)
    camera = write_pattern_y4m(tmp / "pattern.y4m")
    profile = tmp / "anchor-profile"
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={camera}"],
        viewport={"width": viewport[0], "height": viewport[1]},
    )
    try:
        root = browser_pid(profile)
        page = context.pages[0] if context.pages else context.new_page()
        with AnchorKiosk.open(page, hub, token) as side:
            side.call("fake", display={"remote": layout["remoteVideo"],
                                       "self": layout["selfView"]})
            side.first_frame_at()
            console.wait_video()
            yield side, root
            side.hang_up()
        console.wait_idle()
    finally:
        context.close()


# --- a camera file for Chromium's fake capture device ---------------------------------------


def write_pattern_y4m(path: Path, frames: int = WIDTH // 4) -> Path:
    """The kiosk's test pattern (moving bars, stamp, digits) as a looping Y4M at 15 fps: with
    the bars moving 4 px a frame, `WIDTH // 4` frames loop without a jump."""
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for counter in range(frames):
            frame = draw_test_pattern(counter, 0, WIDTH, HEIGHT)
            out.write(b"FRAME\n")
            for plane, width in zip(frame.planes, (WIDTH, WIDTH // 2, WIDTH // 2), strict=True):
                data = bytes(plane)
                for row in range(plane.height):
                    out.write(data[row * plane.line_size:row * plane.line_size + width])
    return path
