// The ring of an incoming call, made with WebAudio (no sound file).
// Browsers let a page make sound only after the user has interacted with it,
// so the sound starts on the first click or key press; the flashing banner
// shows the call whatever the sound does.
//
// The chimes are scheduled ahead on the audio clock, not by timers: a
// background tab's timers may be throttled to once a minute, its audio is not.

const CYCLE_S = 2.6;
const AHEAD_S = 30; // how far ahead chimes are scheduled
const TOP_UP_MS = 10_000;
const VOLUME = 0.32;
// A two-tone chime, twice: "叮咚 叮咚".
const NOTES = [
  [0.0, 880],
  [0.32, 659.25],
  [0.9, 880],
  [1.22, 659.25],
];

export class Ringer {
  constructor() {
    this.ctx = null;
    this.ringing = false;
    this.master = null; // the gain node of the chimes scheduled for this ring
    this.scheduledUntil = 0;
    this.timer = null;
    this.unlockHandlers = new Set();
    this.announced = false;
    const unlock = () => this.unlock();
    for (const type of ["pointerdown", "keydown", "touchend", "click"]) {
      document.addEventListener(type, unlock, { capture: true, passive: true });
    }
  }

  // True when the page may make sound (Firefox can tell before any gesture; others only after).
  get unlocked() {
    if (this.ctx) return this.ctx.state === "running";
    try {
      return navigator.getAutoplayPolicy?.("audiocontext") === "allowed";
    } catch {
      return false;
    }
  }

  onUnlock(handler) {
    this.unlockHandlers.add(handler);
  }

  unlock() {
    const AudioCtx = window.AudioContext || window.webkitAudioContext;
    if (!AudioCtx) return;
    if (!this.ctx) {
      try {
        this.ctx = new AudioCtx();
      } catch {
        return;
      }
      this.ctx.addEventListener("statechange", () => this._stateChanged());
    }
    if (this.ctx.state === "suspended") this.ctx.resume().catch(() => {});
    this._stateChanged();
  }

  start() {
    if (this.ringing) return;
    this.ringing = true;
    if (!this.ctx && this.unlocked) this.unlock();
    this._begin();
  }

  stop() {
    this.ringing = false;
    clearInterval(this.timer);
    this.timer = null;
    if (this.master) {
      const master = this.master;
      this.master = null;
      // A short fade, then silence: the chimes scheduled ahead go with the node.
      try {
        const now = this.ctx.currentTime;
        master.gain.cancelScheduledValues(now);
        master.gain.setValueAtTime(master.gain.value, now);
        master.gain.linearRampToValueAtTime(0, now + 0.05);
        setTimeout(() => master.disconnect(), 200);
      } catch {
        master.disconnect();
      }
    }
  }

  // One short chime, e.g. to test the speakers.
  chime() {
    this.unlock();
    if (!this.ctx) return;
    const out = this.ctx.createGain();
    out.connect(this.ctx.destination);
    this._cycle(out, this.ctx.currentTime + 0.05, NOTES.slice(0, 2));
    setTimeout(() => out.disconnect(), 2000);
  }

  _stateChanged() {
    if (!this.ctx || this.ctx.state !== "running") return;
    if (!this.announced) {
      this.announced = true;
      for (const handler of this.unlockHandlers) handler();
    }
    this._begin();
  }

  _begin() {
    if (!this.ringing || this.master || !this.ctx || this.ctx.state !== "running") return;
    this.master = this.ctx.createGain();
    this.master.connect(this.ctx.destination);
    this.scheduledUntil = this.ctx.currentTime + 0.05;
    this._topUp();
    this.timer = setInterval(() => this._topUp(), TOP_UP_MS);
  }

  _topUp() {
    const master = this.master;
    if (!master || !this.ringing) return;
    const horizon = this.ctx.currentTime + AHEAD_S;
    // After a long stall (a sleeping laptop) start from now, not from the past.
    this.scheduledUntil = Math.max(this.scheduledUntil, this.ctx.currentTime + 0.05);
    while (this.scheduledUntil < horizon) {
      this._cycle(master, this.scheduledUntil, NOTES);
      this.scheduledUntil += CYCLE_S;
    }
  }

  _cycle(out, start, notes) {
    const ctx = this.ctx;
    for (const [offset, frequency] of notes) {
      const t = start + offset;
      const gain = ctx.createGain();
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(VOLUME, t + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.7);
      gain.connect(out);
      // A sine and a quiet octave above: a bell rather than a beep.
      for (const [multiple, level] of [
        [1, 1],
        [2, 0.25],
      ]) {
        const osc = ctx.createOscillator();
        const partial = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = frequency * multiple;
        partial.gain.value = level;
        osc.connect(partial).connect(gain);
        osc.start(t);
        osc.stop(t + 0.75);
      }
    }
  }
}
