// The lawyer tab's one WebSocket to the hub (docs/signaling.md, kiosk/domain/signaling.py).
// - same origin, the session cookie authenticates it;
// - answers the hub's heartbeat (`ping` -> `pong`) at once: a tab that stops answering
//   stops counting as reachable, so no call rings where nobody can hear it;
// - sends `ping` every 20 s and reconnects with backoff when the socket drops
//   or stays silent;
// - hands every JSON message to the handlers registered for its `type`.

import { get } from "./api.js";

export const SIGNAL_PATH = "/v1/signal/console";
export const PING_MS = 20_000;
// The hub pings every tab every few seconds (its heartbeat) and answers every ping: a socket
// silent for this long is dead even if TCP has not noticed (a network gone, a laptop asleep).
const SILENT_MS = 20_000;
const CHECK_MS = 5_000;
// Capped low: a lawyer whose tab waits long to come back after the hub does misses calls.
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 10_000];
const TOO_MANY_REFUSED_MS = 60_000;

// Close codes of the hub (docs/signaling.md).
const UNAUTHORISED = 4401;
const WRONG_ROLE = 4403;
const TOO_MANY_REFUSED = 4429;

export class Signal {
  constructor(path = SIGNAL_PATH) {
    const url = new URL(path, window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    this.url = url.toString();
    this.ws = null;
    this.handlers = new Map(); // type -> Set(handler)
    this.stateHandlers = new Set();
    this.state = "idle"; // idle | connecting | open | reconnecting | stopped
    this.failures = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.lastHeard = 0;
    this.lastPing = 0;
    this.everOpened = false;
    this.outbox = new Map(); // key -> message, sent on the next open
  }

  // on("call.ringing", fn) -> unsubscribe; "*" gets every message; "open" runs after each (re)connect.
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  onState(handler) {
    this.stateHandlers.add(handler);
    handler(this.state);
    return () => this.stateHandlers.delete(handler);
  }

  get connected() {
    return this.state === "open";
  }

  start() {
    if (this.state !== "idle" && this.state !== "stopped") return;
    this._setState("connecting");
    this._connect();
    window.addEventListener("online", () => this.reconnectNow());
    // A closed tab must stop counting at once: say goodbye rather than let the hub wait
    // for the heartbeat. A page kept in the back-forward cache connects again on return.
    window.addEventListener("pagehide", () => {
      if (this.ws) this.ws.close(1000, "page closed");
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) this.reconnectNow();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.state === "reconnecting") this.reconnectNow();
    });
  }

  stop() {
    this._setState("stopped");
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000, "bye");
    }
  }

  // Sends a message now; false when the socket is not open (the caller decides whether to retry).
  send(message) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  // Sends now, or keeps it for the next connection. A later message with the same key
  // replaces a waiting one (the notes of a call: only the latest text matters).
  // Returns true when sent now.
  sendSoon(message, key = `${message.type}:${message.consultation_id || ""}:${Math.random()}`) {
    if (this.send(message)) {
      this.outbox.delete(key);
      return true;
    }
    this.outbox.set(key, message);
    return false;
  }

  // Drops waiting messages of a consultation (its call is over and they no longer matter).
  forget(predicate) {
    for (const [key, message] of this.outbox) if (predicate(message)) this.outbox.delete(key);
  }

  reconnectNow() {
    if (this.state !== "reconnecting") return;
    clearTimeout(this.retryTimer);
    this._connect();
  }

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    for (const handler of this.stateHandlers) handler(state);
  }

  _connect() {
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      console.warn("signal: cannot open", error);
      this._retry();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.failures = 0;
      this.everOpened = true;
      this.lastHeard = Date.now();
      this._setState("open");
      clearInterval(this.pingTimer);
      this.lastPing = Date.now();
      this.pingTimer = setInterval(() => this._tick(ws), CHECK_MS);
      const waiting = [...this.outbox.values()];
      this.outbox.clear();
      for (const message of waiting) this.send(message);
      this._dispatch({ type: "open" });
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        console.warn("signal: not JSON", event.data);
        return;
      }
      if (!message || typeof message.type !== "string") return;
      if (message.type === "ping") {
        // The heartbeat is answered here, in the message event: timers of a background
        // tab are throttled, its message events are not.
        ws.send(JSON.stringify({ type: "pong" }));
        return;
      }
      if (message.type === "error") console.warn("signal: the hub refused a message:", message);
      this._dispatch(message);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearInterval(this.pingTimer);
      if (this.state === "stopped") return;
      this._dispatch({ type: "close", code: event.code });
      this._closed(event.code);
    });
    // An "error" event is always followed by "close"; nothing to do here.
  }

  async _closed(code) {
    if (code === UNAUTHORISED || code === WRONG_ROLE) {
      // Session gone (expired, logged out elsewhere): the REST call goes to the login page on 401.
      try {
        await get("/v1/auth/session");
      } catch {
        return;
      }
    }
    this._retry(code === TOO_MANY_REFUSED ? TOO_MANY_REFUSED_MS : null);
  }

  _retry(delay = null) {
    this._setState("reconnecting");
    const base = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)];
    this.failures += 1;
    // Jitter, so the tabs of a restarted hub do not all come back at the same moment.
    const wait = delay ?? Math.round(base * (0.75 + Math.random() * 0.5));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._connect(), wait);
  }

  _tick(ws) {
    if (this.ws !== ws) return;
    if (Date.now() - this.lastHeard > SILENT_MS) {
      console.warn("signal: the hub is silent; reconnecting");
      this.ws = null;
      clearInterval(this.pingTimer);
      ws.close(4000, "silent");
      this._retry(0);
      return;
    }
    if (Date.now() - this.lastPing >= PING_MS) {
      this.lastPing = Date.now();
      this.send({ type: "ping" });
    }
  }

  _dispatch(message) {
    for (const key of [message.type, "*"]) {
      const set = this.handlers.get(key);
      if (!set) continue;
      for (const handler of [...set]) {
        try {
          handler(message);
        } catch (error) {
          console.error("signal handler failed", message.type, error);
        }
      }
    }
  }
}

// The small "已连接 / 正在重新连接…" pill in the top bar.
export function showSignalState(signal, box) {
  const words = {
    idle: "正在连接…",
    connecting: "正在连接…",
    open: "已连接",
    reconnecting: "正在重新连接…",
    stopped: "未连接",
  };
  signal.onState((state) => {
    box.dataset.state = state;
    box.textContent = "";
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.setAttribute("aria-hidden", "true");
    box.append(dot, words[state] || state);
    box.title = state === "open" ? "来电会立即显示" : "连上之前收不到来电";
  });
}
