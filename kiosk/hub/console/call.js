// One video consultation on the lawyer's side (docs/signaling.md):
// the kiosk offers (complete, no trickle ICE), the console answers after its own
// gathering is complete; a later offer with attempt + 1 means the kiosk rebuilt
// its peer connection, so the old one is closed and the new offer answered on a
// fresh one. The kiosk's data channel "document" carries document stills:
// a JSON header {"type": "document.still", "mime", "size"} and then the bytes,
// or {"type": "document.error"} when the kiosk cannot take one.
// Nothing of a still is kept after the call. The same channel brings the kiosk's
// {"type": "device.status", "kind", "working", "substitute"} when a camera,
// microphone or speaker of the resident's fails (sent again on every new channel):
// the lawyer sees a note over the video until the call ends.

import { get } from "./api.js";
import { serviceName } from "./catalogue.js";
import { icon } from "./icons.js";

// The terminal sits on a thin village link: what the console sends is capped (bit/s).
export const SEND_BITRATE_BPS = 500_000;
const AUDIO_BITRATE_BPS = 40_000;
const VIDEO_BITRATE_BPS = SEND_BITRATE_BPS - AUDIO_BITRATE_BPS;
export const CAMERA = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24, max: 30 } };
// Gathering with an unreachable TURN server can take long; answer with what is there by then.
const GATHER_TIMEOUT_MS = 5_000;
const STATS_MS = 2_000;
const NOTES_DEBOUNCE_MS = 1_000;
const DOCUMENT_TIMEOUT_MS = 30_000;
const MAX_STILL_BYTES = 20 * 1024 * 1024;
const STILL_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
const ZOOMS = [1, 1.5, 2, 3, 4];

// What the lawyer reads when a device of the resident's fails; the call goes on with what works.
const DEVICE_NOTES = new Map([
  ["camera", { icon: "camera-off", words: "村民的摄像头出了故障，看不到村民，声音照常。" }],
  [
    "microphone",
    {
      icon: "mic-off",
      words: "村民的麦克风出了故障，听不到村民的声音。请看村民的手势，或请村民拨打12348。",
    },
  ],
  [
    "speaker",
    {
      icon: "speaker-off",
      words: "村民那边的喇叭出了故障，村民听不到您的声音。可以把要说的话写在纸上，对着摄像头给村民看。",
    },
  ],
]);

const $ = (id) => document.getElementById(id);

export function placeOf(info) {
  return [info.county, info.town, info.village].filter(Boolean).join(" ");
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

const END_WORDS = {
  hung_up: "村民已挂断",
  cancelled: "村民取消了呼叫",
  no_answer: "无人接听，呼叫已撤回",
  all_busy: "律师都在忙，呼叫已结束",
  nobody_on_duty: "没有值班的律师，呼叫已结束",
  media_lost: "视频连接中断，通话结束",
  hub_restarted: "服务器重启后对方没有重新连上，通话结束",
};

// The length of a call by the hub's clock (call.ended's accepted_at and ended_at): a call
// that ended while the hub or this tab was away is as long as it really was.
export function hubSeconds(message) {
  const from = Date.parse(message.accepted_at || "");
  const to = Date.parse(message.ended_at || "");
  return Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, (to - from) / 1000) : null;
}

export function endWords(by, reason) {
  if (by === "expert") return reason === "hung_up" ? "您已挂断" : END_WORDS[reason] || "通话已结束";
  if (by === "hub" && reason === "hung_up") return "通话已由服务器结束";
  return END_WORDS[reason] || "通话已结束";
}

let iceCache = null; // {servers, until}

async function iceServers() {
  if (iceCache && Date.now() < iceCache.until) return iceCache.servers;
  try {
    const data = await get("/v1/ice-servers");
    const servers = (data.ice_servers || []).map((s) => {
      const server = { urls: s.urls };
      if (s.username) server.username = s.username;
      if (s.credential) server.credential = s.credential;
      return server;
    });
    // Renew well before the TURN credentials expire.
    const ttl = Number(data.ttl_s) > 0 ? Number(data.ttl_s) : 600;
    iceCache = { servers, until: Date.now() + (ttl * 1000) / 2 };
    return servers;
  } catch (error) {
    console.warn("ice servers not available; trying direct connection only", error);
    return [];
  }
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", onState);
      pc.removeEventListener("icecandidate", onCandidate);
      resolve();
    };
    const onState = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const onCandidate = (event) => {
      if (!event.candidate) done();
    };
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", onState);
    pc.addEventListener("icecandidate", onCandidate);
  });
}

async function capBitrate(pc) {
  for (const sender of pc.getSenders()) {
    if (!sender.track) continue;
    const max = sender.track.kind === "video" ? VIDEO_BITRATE_BPS : AUDIO_BITRATE_BPS;
    try {
      const params = sender.getParameters();
      if (!params.encodings || params.encodings.length === 0) params.encodings = [{}];
      for (const encoding of params.encodings) encoding.maxBitrate = max;
      await sender.setParameters(params);
    } catch (error) {
      console.warn("cannot cap the send bitrate", sender.track.kind, error);
    }
  }
}

function mediaErrorWords(error) {
  switch (error && error.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "浏览器没有允许使用摄像头和麦克风。请点地址栏左边的图标，允许本网站使用摄像头和麦克风，然后刷新页面。";
    case "NotFoundError":
    case "OverconstrainedError":
      return "没有找到摄像头或麦克风。请检查是否接好。";
    case "NotReadableError":
    case "AbortError":
      return "摄像头或麦克风正被别的程序占用。请关掉其他视频软件再试。";
    case "NoMediaDevices":
      return "这个页面不能使用摄像头：请通过 https 地址打开工作台。";
    default:
      return "摄像头或麦克风打不开。";
  }
}

// Connection quality from two getStats() samples: "good" | "fair" | "poor".
export function judgeQuality(sample) {
  const { loss, rtt, fps, frozen } = sample;
  // A village camera may well send only 10-15 frames a second on purpose: that is still good.
  if (frozen || loss > 0.1 || rtt > 1.0 || (fps !== null && fps < 4)) return "poor";
  if (loss > 0.03 || rtt > 0.4 || (fps !== null && fps < 9)) return "fair";
  return "good";
}

const QUALITY_WORDS = { good: "好", fair: "一般", poor: "差", none: "—" };

export class CallSession {
  // info: the call.ringing message (or what was stored of it); onEnd(summary) when it is over.
  constructor({ info, signal, onEnd, acceptedAt = Date.now(), notes = "" }) {
    this.id = info.consultation_id;
    this.info = info;
    this.signal = signal;
    this.onEnd = onEnd;
    this.acceptedAt = acceptedAt;
    this.attempt = 0;
    this.pc = null;
    this.localStream = null;
    this.mediaReady = null;
    this.ended = false;
    this.shown = false;
    this.connected = false; // media ever flowed
    this.muted = false;
    this.cameraOff = false;
    this.notes = notes;
    this.notesTimer = null;
    this.timers = [];
    this.stats = null; // previous sample
    this.docChannel = null;
    this.incoming = null;
    this.docTimer = null;
    this.stillUrl = null;
    this.zoom = 1;
    this.devices = new Map(); // kind -> substitute, for each device of the resident's that failed
    this.abort = new AbortController();
  }

  // Camera and microphone, asked for as soon as the lawyer presses 接听.
  prepareMedia() {
    if (!this.mediaReady) this.mediaReady = this._openMedia();
    return this.mediaReady;
  }

  async _openMedia() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      this._mediaError({ name: "NoMediaDevices" });
      return null;
    }
    const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia({ audio, video: CAMERA });
    } catch (error) {
      console.warn("camera and microphone", error);
      try {
        // Without a camera the resident can still hear the lawyer.
        this.localStream = await navigator.mediaDevices.getUserMedia({ audio, video: false });
        this._mediaError(error, "没有摄像头画面，村民只能听到您的声音。");
      } catch (second) {
        this._mediaError(second);
        return null;
      }
    }
    if (this.ended) {
      this._stopLocal();
      return null;
    }
    $("self-video").srcObject = this.localStream;
    this._applyTrackStates();
    return this.localStream;
  }

  _mediaError(error, extra = "") {
    const box = $("media-error");
    box.textContent = extra ? `${mediaErrorWords(error)}${extra}` : mediaErrorWords(error);
    box.hidden = false;
  }

  // Shows the in-call view (after the hub confirmed the accept, or the first offer came).
  show() {
    if (this.shown || this.ended) return;
    this.shown = true;
    const on = (id, type, handler) =>
      $(id).addEventListener(type, handler, { signal: this.abort.signal });

    $("call-place").textContent = placeOf(this.info);
    $("call-meta").textContent = [this.info.site_name, serviceName(this.info.service)]
      .filter(Boolean)
      .join(" · ");
    $("call-state").textContent = "通话中：";
    $("call-notes").value = this.notes;
    $("notes-state").textContent = "";
    $("media-error").hidden = $("media-error").textContent === "";
    this._stage("正在等待村民端的视频……");
    this._setQuality("none");
    this._resetDocument();
    this._showDevices();
    this._applyTrackStates();

    on("btn-mute", "click", () => {
      this.muted = !this.muted;
      this._applyTrackStates();
    });
    on("btn-camera", "click", () => {
      this.cameraOff = !this.cameraOff;
      this._applyTrackStates();
    });
    on("btn-hangup", "click", () => this.hangUp());
    on("call-notes", "input", () => this._notesChanged());
    on("btn-document", "click", () => this._requestDocument());
    on("doc-thumb", "click", () => this._openStill());
    on("doc-zoom-in", "click", () => this._setZoom(+1));
    on("doc-zoom-out", "click", () => this._setZoom(-1));
    on("doc-zoom-fit", "click", () => this._setZoom(0));
    on("doc-close", "click", () => $("doc-dialog").close());
    on("doc-big", "click", () => this._setZoom(this.zoom >= ZOOMS.length - 1 ? 0 : +1));
    on("play-sound", "click", () => {
      $("remote-video").play().then(() => {
        $("play-sound").hidden = true;
      }, () => {});
    });
    on("remote-video", "playing", () => this._remotePlaying());
    on("remote-video", "resize", () => this._remotePlaying());

    const tick = () => {
      $("call-timer").textContent = clock((Date.now() - this.acceptedAt) / 1000);
    };
    tick();
    this.timers.push(setInterval(tick, 1000));
    this.timers.push(setInterval(() => this._sampleStats(), STATS_MS));

    $("content").hidden = true;
    $("call-view").hidden = false;
    document.body.classList.add("in-call");
    window.scrollTo(0, 0);
    $("btn-hangup").focus({ preventScroll: true });
  }

  // sdp.offer: the first one, or attempt + 1 from a kiosk that rebuilt its connection.
  async handleOffer(message) {
    const attempt = Number(message.attempt) || 1;
    if (this.ended) return;
    if (attempt <= this.attempt) {
      console.warn("ignoring an old offer", attempt, "<=", this.attempt);
      return;
    }
    this.attempt = attempt;
    this._closePc();
    if (attempt > 1) this._stage("村民端正在重新连接视频……");
    const [servers] = await Promise.all([iceServers(), this.prepareMedia()]);
    if (this.ended || this.attempt !== attempt) return; // a newer offer took over

    const pc = new RTCPeerConnection({ iceServers: servers });
    this.pc = pc;
    const remote = new MediaStream();
    pc.addEventListener("track", (event) => {
      remote.addTrack(event.track);
      const video = $("remote-video");
      if (video.srcObject !== remote) video.srcObject = remote;
      this._playRemote();
    });
    pc.addEventListener("datachannel", (event) => {
      if (event.channel.label === "document") this._bindDocument(event.channel);
    });
    pc.addEventListener("connectionstatechange", () => this._connectionChanged(pc));

    try {
      await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
      if (this.localStream) {
        for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
      }
      await pc.setLocalDescription(await pc.createAnswer());
      await gatheringComplete(pc);
    } catch (error) {
      console.warn("cannot answer the offer", error);
      if (this.pc === pc) this._stage("视频连接没有建立成功，正在等待村民端重试……");
      return;
    }
    if (this.pc !== pc || this.ended) return;
    this.signal.sendSoon(
      { type: "sdp.answer", consultation_id: this.id, sdp: pc.localDescription.sdp, attempt },
      `answer:${this.id}`,
    );
    await capBitrate(pc);
  }

  hangUp() {
    if (this.ended) return;
    this.signal.forget((m) => m.consultation_id === this.id && m.type === "sdp.answer");
    this._saveNotesNow(); // the last words typed go before the end of the call
    // `at`: a hang-up that waits for the hub (it is away) still ends the call now.
    this.signal.sendSoon({
      type: "call.hangup",
      consultation_id: this.id,
      reason: "hung_up",
      at: new Date().toISOString(),
    });
    this._finish("expert", "hung_up");
  }

  // call.ended from the hub (the resident hung up, media lost, ...).
  remoteEnded(message) {
    if (this.ended) return;
    this.signal.forget((m) => m.consultation_id === this.id && m.type === "sdp.answer");
    this._finish(message.by, message.reason, hubSeconds(message));
  }

  // call.current from the hub for this call: the timer follows the hub's clock (a reload or
  // a restart must not reset it), and a terminal not back yet is said so.
  fromHub(call) {
    if (this.ended) return;
    this.acceptedAt = Date.now() - Math.max(0, Number(call.elapsed_s) || 0) * 1000;
    const timer = $("call-timer");
    if (this.shown && timer) timer.textContent = clock((Date.now() - this.acceptedAt) / 1000);
    const live = this.pc && this.pc.connectionState === "connected";
    if (!call.terminal_present && !live) this._stage("村民端与服务器的连接中断，正在等待重新连接……");
    else if (!this.pc) this._stage("正在重新连接视频……");
  }

  // Called when the accept failed (someone else was quicker): no view, no outcome.
  cancel() {
    this.ended = true;
    this._dispose();
  }

  _finish(by, reason, seconds = null) {
    this.ended = true;
    this._saveNotesNow();
    const summary = {
      consultation_id: this.id,
      info: this.info,
      duration_s: Math.round(seconds ?? (Date.now() - this.acceptedAt) / 1000),
      connected: this.connected,
      ended: endWords(by, reason),
      reason,
      notes: this.notes,
    };
    this._dispose();
    this.onEnd(summary);
  }

  _dispose() {
    this.abort.abort();
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    clearTimeout(this.notesTimer);
    clearTimeout(this.docTimer);
    this._closePc();
    this._stopLocal();
    this._resetDocument();
    this.devices.clear();
    this._showDevices();
    for (const id of ["remote-video", "self-video"]) $(id).srcObject = null;
    if ($("doc-dialog").open) $("doc-dialog").close();
    $("media-error").hidden = true;
    $("media-error").textContent = "";
    $("play-sound").hidden = true;
    if (this.shown) {
      $("call-view").hidden = true;
      $("content").hidden = false;
      document.body.classList.remove("in-call");
    }
  }

  _closePc() {
    if (!this.pc) return;
    const pc = this.pc;
    this.pc = null;
    this.docChannel = null;
    this.stats = null;
    if (this.docTimer !== null) this._documentDone("视频连接正在重建，稍后请再拍一次。");
    this.incoming = null;
    try {
      pc.close();
    } catch {
      /* already closed */
    }
    $("btn-document").disabled = true;
  }

  _stopLocal() {
    if (this.localStream) for (const track of this.localStream.getTracks()) track.stop();
    this.localStream = null;
  }

  _applyTrackStates() {
    const stream = this.localStream;
    if (stream) {
      for (const track of stream.getAudioTracks()) track.enabled = !this.muted;
      for (const track of stream.getVideoTracks()) track.enabled = !this.cameraOff;
    }
    const mute = $("btn-mute");
    mute.classList.toggle("active", this.muted);
    mute.querySelector(".word").textContent = this.muted ? "已静音（点此恢复）" : "静音";
    const camera = $("btn-camera");
    camera.classList.toggle("active", this.cameraOff);
    camera.querySelector(".word").textContent = this.cameraOff ? "摄像头已关（点此打开）" : "关闭摄像头";
    $("camera-off-note").hidden = !this.cameraOff;
    $("self-video").classList.toggle("off", this.cameraOff);
  }

  _stage(text) {
    const box = $("stage-status");
    box.textContent = text;
    box.hidden = !text;
  }

  _playRemote() {
    const video = $("remote-video");
    const attempt = video.play();
    if (attempt && attempt.catch) {
      attempt.catch((error) => {
        if (error && error.name === "NotAllowedError") $("play-sound").hidden = false;
      });
    }
  }

  _remotePlaying() {
    const video = $("remote-video");
    if (!this.pc || video.readyState < 2) return;
    this.connected = true;
    this._stage("");
  }

  _connectionChanged(pc) {
    if (pc !== this.pc) return;
    switch (pc.connectionState) {
      case "connected":
        this.connected = true;
        if ($("remote-video").readyState >= 2) this._stage("");
        break;
      case "disconnected":
        this._stage("连接不稳定，正在恢复……");
        this._setQuality("poor");
        break;
      case "failed":
        this._stage("视频连接中断，正在等待村民端重新连接……");
        this._setQuality("poor");
        break;
      default:
        break;
    }
  }

  _setQuality(level) {
    const box = $("call-quality");
    box.dataset.level = level;
    $("call-quality-word").textContent = QUALITY_WORDS[level];
  }

  async _sampleStats() {
    const pc = this.pc;
    if (!pc || pc.connectionState !== "connected") return;
    let report;
    try {
      report = await pc.getStats();
    } catch {
      return;
    }
    if (pc !== this.pc) return;
    const now = { t: performance.now(), received: 0, lost: 0, frames: 0, video: false, rtt: null };
    let pairRtt = null;
    let remoteRtt = null;
    report.forEach((s) => {
      if (s.type === "inbound-rtp") {
        now.received += s.packetsReceived || 0;
        now.lost += Math.max(0, s.packetsLost || 0);
        if (s.kind === "video") {
          now.video = true;
          now.frames = s.framesDecoded || 0;
        }
      } else if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
        if (typeof s.currentRoundTripTime === "number") pairRtt = s.currentRoundTripTime;
      } else if (s.type === "remote-inbound-rtp" && typeof s.roundTripTime === "number") {
        remoteRtt = Math.max(remoteRtt ?? 0, s.roundTripTime);
      }
    });
    now.rtt = pairRtt ?? remoteRtt ?? 0;
    const before = this.stats;
    this.stats = now;
    if (!before) return;
    const seconds = (now.t - before.t) / 1000;
    const received = now.received - before.received;
    const lost = now.lost - before.lost;
    const loss = received + lost > 0 ? lost / (received + lost) : 0;
    const fps = now.video ? (now.frames - before.frames) / seconds : null;
    const frozen = received === 0;
    this._setQuality(judgeQuality({ loss, rtt: now.rtt, fps, frozen }));
  }

  // ---- notes -------------------------------------------------------------

  _notesChanged() {
    this.notes = $("call-notes").value;
    $("notes-state").textContent = "正在输入……";
    clearTimeout(this.notesTimer);
    this.notesTimer = setTimeout(() => this._saveNotesNow(), NOTES_DEBOUNCE_MS);
    if (this.onNotes) this.onNotes(this.notes);
  }

  _saveNotesNow() {
    if (this.notesTimer === null) return;
    clearTimeout(this.notesTimer);
    this.notesTimer = null;
    const sent = this.signal.sendSoon(
      { type: "notes.save", consultation_id: this.id, notes: this.notes },
      `notes:${this.id}`,
    );
    const box = $("notes-state");
    box.textContent = sent ? "已保存" : "连接中断，连上后会自动保存";
    box.dataset.state = sent ? "saved" : "waiting";
  }

  // The hub answered notes.save with an error: say so, and let the next keystroke retry.
  notesRefused() {
    const box = $("notes-state");
    box.textContent = "笔记没有保存成功，结束后请在结果表里补上";
    box.dataset.state = "waiting";
  }

  // ---- document camera ----------------------------------------------------

  _bindDocument(channel) {
    channel.binaryType = "arraybuffer";
    this.docChannel = channel;
    const ready = () => {
      if (this.docChannel !== channel) return;
      $("btn-document").disabled = channel.readyState !== "open" || this.docTimer !== null;
      if (channel.readyState === "open" && !this.docTimer && !this.stillUrl) {
        $("doc-state").textContent = "请村民把文件放到文件摄像头下，再点上面的按钮。";
      }
    };
    channel.addEventListener("open", ready);
    channel.addEventListener("close", ready);
    channel.addEventListener("message", (event) => this._documentMessage(channel, event.data));
    ready();
  }

  _requestDocument() {
    const channel = this.docChannel;
    if (!channel || channel.readyState !== "open") return;
    channel.send(JSON.stringify({ type: "document.request" }));
    $("btn-document").disabled = true;
    $("doc-state").textContent = "正在拍摄……";
    clearTimeout(this.docTimer);
    this.docTimer = setTimeout(() => this._documentDone("没有收到照片，可以再试一次。"), DOCUMENT_TIMEOUT_MS);
  }

  _documentDone(text) {
    clearTimeout(this.docTimer);
    this.docTimer = null;
    this.incoming = null;
    $("doc-state").textContent = text;
    const channel = this.docChannel;
    $("btn-document").disabled = !channel || channel.readyState !== "open";
  }

  _documentMessage(channel, data) {
    if (channel !== this.docChannel) return;
    if (typeof data === "string") {
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return;
      }
      if (!message || typeof message !== "object") return;
      if (message.type === "document.still") {
        const size = Number(message.size);
        const mime = String(message.mime || "");
        if (!STILL_TYPES.has(mime) || !(size > 0) || size > MAX_STILL_BYTES) {
          this._documentDone("收到的照片格式不对，请再试一次。");
          return;
        }
        this.incoming = { mime, size, parts: [], received: 0 };
        $("doc-state").textContent = "正在接收照片……";
      } else if (message.type === "document.error") {
        this._documentDone(
          this.devices.has("camera")
            ? "村民的摄像头出了故障，拍不了文件。可以请村民把文件念给您听。"
            : "村民端没能拍摄，请再试一次。",
        );
      } else if (message.type === "device.status") {
        this._deviceStatus(message);
      }
      return;
    }
    const incoming = this.incoming;
    if (!incoming) return;
    const length = data.byteLength ?? data.size ?? 0;
    incoming.parts.push(data);
    incoming.received += length;
    if (incoming.received < incoming.size) {
      const percent = Math.floor((incoming.received / incoming.size) * 100);
      $("doc-state").textContent = `正在接收照片…… ${percent}%`;
      return;
    }
    this._showStill(new Blob(incoming.parts, { type: incoming.mime }));
  }

  // ---- the resident's devices ---------------------------------------------

  _deviceStatus(message) {
    const { kind, working } = message;
    if (typeof kind !== "string" || !DEVICE_NOTES.has(kind) || typeof working !== "boolean") return;
    // The kiosk says it again on every new connection: only a change is shown (and read out).
    if (!working === this.devices.has(kind)) return;
    if (working) this.devices.delete(kind);
    else this.devices.set(kind, typeof message.substitute === "string" ? message.substitute : "");
    this._showDevices();
  }

  _showDevices() {
    const lines = [];
    for (const [kind, note] of DEVICE_NOTES) {
      if (!this.devices.has(kind)) continue;
      const line = document.createElement("p");
      line.dataset.kind = kind;
      line.append(icon(note.icon), note.words);
      lines.push(line);
    }
    const box = $("device-note");
    box.replaceChildren(...lines);
    box.hidden = lines.length === 0;
  }

  _showStill(blob) {
    if (this.stillUrl) URL.revokeObjectURL(this.stillUrl);
    this.stillUrl = URL.createObjectURL(blob);
    $("doc-img").src = this.stillUrl;
    $("doc-big").src = this.stillUrl;
    $("doc-thumb").hidden = false;
    this._documentDone("已收到。需要时可以再拍一张。");
  }

  _resetDocument() {
    this.incoming = null;
    if (this.stillUrl) URL.revokeObjectURL(this.stillUrl);
    this.stillUrl = null;
    for (const id of ["doc-img", "doc-big"]) $(id).removeAttribute("src");
    $("doc-thumb").hidden = true;
    $("btn-document").disabled = true;
    $("doc-state").textContent = "视频接通后才能拍摄。";
  }

  _openStill() {
    if (!this.stillUrl) return;
    const dialog = $("doc-dialog");
    dialog.showModal();
    this.zoom = 0;
    this._setZoom(0);
    $("doc-close").focus();
  }

  // step: +1 / -1 through ZOOMS, 0: back to fit.
  _setZoom(step) {
    this.zoom = step === 0 ? 0 : Math.min(ZOOMS.length - 1, Math.max(0, this.zoom + step));
    const factor = ZOOMS[this.zoom];
    const img = $("doc-big");
    const scroll = $("doc-scroll");
    if (factor === 1) {
      img.classList.add("fit");
      img.style.width = "";
    } else {
      img.classList.remove("fit");
      const fitWidth = Math.min(
        scroll.clientWidth,
        img.naturalWidth * (scroll.clientHeight / Math.max(1, img.naturalHeight)),
      );
      img.style.width = `${Math.round(fitWidth * factor)}px`;
    }
    $("doc-zoom-level").textContent = `${Math.round(factor * 100)}%`;
    $("doc-zoom-out").disabled = this.zoom === 0;
    $("doc-zoom-in").disabled = this.zoom === ZOOMS.length - 1;
  }
}
