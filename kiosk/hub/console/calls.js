// Incoming calls on the lawyer page: a card per ringing call (oldest first), a flashing
// banner and a ring; 接听 / 拒接; the call itself (call.js); the outcome form after it.

import { el, serviceName } from "./catalogue.js";
import { CallSession, endWords, hubSeconds, placeOf } from "./call.js";
import { icon } from "./icons.js";
import { dropOutcome, pendingOutcomes, showOutcome } from "./outcome.js";

const $ = (id) => document.getElementById(id);
const GONE_MS = 3_000; // how long "已被其他律师接听" stays on a card
const STALE_MS = 4_000; // after a reconnect, cards the hub did not re-send by then are over
const CURRENT_KEY = "lawyer.current-call";
// Without the hub's confirmation (call.taken by_you, or the kiosk's offer) by then, the accept failed.
const ACCEPT_TIMEOUT_MS = 25_000;

export function waitWords(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} 秒`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} 分 ${String(s % 60).padStart(2, "0")} 秒`;
  return `${Math.floor(m / 60)} 小时 ${m % 60} 分`;
}

const GONE_WORDS = {
  taken: "已被其他律师接听",
  elsewhere: "您已在另一个窗口接听",
  cancelled: "村民已取消呼叫",
  no_answer: "无人接听，呼叫已撤回",
  hub_restarted: "服务器重启，呼叫已结束",
  ended: "呼叫已结束",
  refused: "没能接听：这个来电已经结束或已被接听",
};

// Why a ringing card goes, from call.ended's reason (call.taken is someone else's accept).
function goneWhy(reason) {
  return ["cancelled", "no_answer", "hub_restarted"].includes(reason) ? reason : "ended";
}

function storeCurrent(value) {
  try {
    if (value) sessionStorage.setItem(CURRENT_KEY, JSON.stringify(value));
    else sessionStorage.removeItem(CURRENT_KEY);
  } catch {
    /* private mode */
  }
}

function storedCurrent() {
  try {
    return JSON.parse(sessionStorage.getItem(CURRENT_KEY) || "null");
  } catch {
    return null;
  }
}

export function startCalls({ signal, ringer }) {
  const ringing = new Map(); // consultation_id -> {info, card, state, stale, since}
  let current = null; // CallSession: accepting or in the call
  let interrupted = null; // a call this tab had when the page was reloaded
  let acceptTimer = null;

  const list = $("calls-list");

  // ---- cards ---------------------------------------------------------------

  function waitedSeconds(entry) {
    const asked = Date.parse(entry.info.requested_at);
    const from = Number.isFinite(asked) ? Math.min(asked, entry.since) : entry.since;
    return (Date.now() - from) / 1000;
  }

  function makeCard(entry) {
    const info = entry.info;
    const titleId = `ring-${info.consultation_id}`;
    const accept = el(
      "button",
      { type: "button", className: "btn accept", onclick: () => acceptCall(info.consultation_id) },
      icon("phone"),
      "接听",
    );
    const decline = el(
      "button",
      { type: "button", className: "btn decline", onclick: () => declineCall(info.consultation_id) },
      "拒接",
    );
    const wait = el("span", { className: "wait" }, waitWords(waitedSeconds(entry)));
    const card = el(
      "article",
      {
        className: `ring-card${info.for_you_only ? " for-you" : ""}`,
        "aria-labelledby": titleId,
        dataset: { consultation: info.consultation_id, state: "ringing" },
      },
      el(
        "div",
        { className: "ring-top" },
        info.for_you_only ? el("span", { className: "for-you-flag" }, "指定找您") : null,
        el("span", { className: "ring-label" }, icon("phone"), "来电"),
        el("span", { className: "ring-wait" }, "已等待 ", wait),
      ),
      el(
        "h3",
        { id: titleId, className: "ring-place" },
        el("span", { className: "area" }, [info.county, info.town].filter(Boolean).join(" ")),
        el("span", { className: "village" }, info.village || "—"),
      ),
      el(
        "p",
        { className: "ring-facts" },
        el("span", { className: "site" }, info.site_name || ""),
        el("span", { className: "service" }, "服务：", el("strong", {}, serviceName(info.service))),
      ),
      el("p", { className: "ring-note", role: "status" }),
      el("div", { className: "ring-actions" }, accept, decline),
    );
    entry.wait = wait;
    entry.note = card.querySelector(".ring-note");
    entry.buttons = [accept, decline];
    return card;
  }

  function render() {
    const entries = [...ringing.values()].sort(
      (a, b) => Date.parse(a.info.requested_at) - Date.parse(b.info.requested_at) || a.since - b.since,
    );
    // Into order, moving only what is out of place: a moved node loses the focus inside it.
    let previous = null;
    for (const entry of entries) {
      const next = previous ? previous.nextElementSibling : list.firstElementChild;
      if (entry.card !== next) list.insertBefore(entry.card, next);
      previous = entry.card;
    }
    $("calls-empty").hidden = entries.length > 0;
    const live = entries.filter((e) => e.state === "ringing");
    const banner = $("ring-banner");
    const inCall = current && current.shown;
    if (live.length && !inCall) {
      const first = live[0];
      $("ring-banner-title").textContent = live.length > 1 ? `有 ${live.length} 个来电` : "有村民来电";
      $("ring-banner-detail").textContent = `${placeOf(first.info)} · ${serviceName(first.info.service)}${
        first.info.for_you_only ? " · 指定找您" : ""
      }`;
      $("ring-banner-sound").classList.toggle("quiet", ringer.unlocked);
      banner.hidden = false;
      document.body.classList.add("ringing");
      ringer.start();
      flashTitle(true);
    } else {
      banner.hidden = true;
      document.body.classList.remove("ringing");
      ringer.stop();
      flashTitle(false);
    }
  }

  let titleTimer = null;
  const baseTitle = document.title;
  function flashTitle(on) {
    if (!on) {
      clearInterval(titleTimer);
      titleTimer = null;
      document.title = baseTitle;
      return;
    }
    if (titleTimer) return;
    let odd = false;
    titleTimer = setInterval(() => {
      odd = !odd;
      document.title = odd ? "【来电】请接听 · 律师工作台" : baseTitle;
    }, 1000);
  }

  function tickWaits() {
    for (const entry of ringing.values()) {
      if (entry.wait) entry.wait.textContent = waitWords(waitedSeconds(entry));
    }
  }
  setInterval(tickWaits, 1000);

  function addRinging(info) {
    const id = info.consultation_id;
    if (current && current.id === id && current.shown) return;
    const known = ringing.get(id);
    if (known) {
      known.stale = false;
      known.info = info;
      if (known.state === "accepting") {
        // Still ringing after a reconnect: the accept was lost on the way. Let the lawyer press again.
        if (current && current.id === id) {
          clearTimeout(acceptTimer);
          current.cancel();
          current = null;
        }
        setCardState(known, "ringing");
        render();
      }
      return;
    }
    const entry = { info, state: "ringing", stale: false, since: Date.now() };
    entry.card = makeCard(entry);
    ringing.set(id, entry);
    render();
  }

  function setCardState(entry, state, note = "") {
    entry.state = state;
    entry.card.dataset.state = state;
    entry.note.textContent = note;
    for (const button of entry.buttons) button.disabled = state !== "ringing";
    if (state === "gone") for (const button of entry.buttons) button.hidden = true;
  }

  // Shows why a card goes away, then removes it.
  function removeCard(id, why = "") {
    const entry = ringing.get(id);
    if (!entry) return;
    if (!why) {
      entry.card.remove();
      ringing.delete(id);
      render();
      return;
    }
    setCardState(entry, "gone", GONE_WORDS[why] || why);
    entry.wait = null;
    render();
    setTimeout(() => {
      if (ringing.get(id) === entry) {
        entry.card.remove();
        ringing.delete(id);
        render();
      }
    }, GONE_MS);
  }

  // ---- accept / decline ------------------------------------------------------

  function acceptCall(id) {
    const entry = ringing.get(id);
    if (!entry || entry.state !== "ringing" || current) return;
    if (!signal.send({ type: "call.accept", consultation_id: id })) {
      setCardState(entry, "ringing", "与服务器的连接中断，请稍等再点接听。");
      return;
    }
    setCardState(entry, "accepting", "正在接通……");
    const session = newSession(entry.info);
    current = session;
    session.prepareMedia(); // the camera permission prompt, while the hub confirms
    clearTimeout(acceptTimer);
    acceptTimer = setTimeout(() => {
      if (current !== session || session.shown) return;
      // No word from the hub: give the call back (and end it, in case the hub did give it to us).
      signal.send({ type: "call.hangup", consultation_id: id, reason: "hung_up", at: new Date().toISOString() });
      acceptFailed(session, "没能接通，请稍后再试");
    }, ACCEPT_TIMEOUT_MS);
    render();
  }

  function declineCall(id) {
    const entry = ringing.get(id);
    if (!entry || entry.state !== "ringing") return;
    signal.send({ type: "call.decline", consultation_id: id });
    removeCard(id);
  }

  function newSession(info, options = {}) {
    const session = new CallSession({
      info,
      signal,
      ...options,
      onEnd: (summary) => callEnded(session, summary),
    });
    session.onNotes = () => storeCurrent(snapshot(session));
    return session;
  }

  function snapshot(session) {
    return { info: session.info, acceptedAt: session.acceptedAt, notes: session.notes };
  }

  // The hub confirmed (call.taken by_you, or the kiosk's offer came): into the call view.
  function confirmed(session, resumed = false) {
    if (session !== current || session.shown) return;
    clearTimeout(acceptTimer);
    const entry = ringing.get(session.id);
    if (entry) {
      entry.card.remove();
      ringing.delete(session.id);
    }
    if (!resumed) session.acceptedAt = Date.now();
    storeCurrent(snapshot(session));
    session.show();
    render();
  }

  function acceptFailed(session, why) {
    if (session !== current) return;
    clearTimeout(acceptTimer);
    current = null;
    session.cancel();
    removeCard(session.id, why);
    render();
  }

  // The outcome's notes replace the call's: notes still waiting for the socket must not
  // arrive after them and overwrite them.
  const dropQueuedNotes = (id) =>
    signal.forget((m) => m.type === "notes.save" && m.consultation_id === id);

  function showForm(summary) {
    showOutcome(summary, { onDone: render, beforeSave: () => dropQueuedNotes(summary.consultation_id) });
  }

  function callEnded(session, summary) {
    if (session === current) current = null;
    storeCurrent(null);
    showForm(summary);
    // Back to waiting: the page with the outcome form on top.
    window.scrollTo(0, 0);
    const form = document.querySelector(`.outcome[data-consultation="${CSS.escape(summary.consultation_id)}"]`);
    if (form) form.querySelector("h2").focus?.();
    render();
  }

  // ---- messages from the hub -----------------------------------------------------------

  signal.on("call.ringing", (m) => addRinging(m));

  signal.on("call.taken", (m) => {
    const id = m.consultation_id;
    if (current && current.id === id) {
      if (m.by_you) confirmed(current);
      else if (!current.shown) acceptFailed(current, "taken");
      return;
    }
    removeCard(id, m.by_you ? "elsewhere" : "taken");
  });

  signal.on("call.ended", (m) => {
    const id = m.consultation_id;
    if (current && current.id === id) {
      if (current.shown) current.remoteEnded(m);
      else acceptFailed(current, goneWhy(m.reason));
      return;
    }
    if (interrupted && interrupted.info.consultation_id === id) {
      // The call this tab had before a reload ended meanwhile: its form says how, and how long.
      interrupted = null;
      const summary = pendingOutcomes().find((s) => s.consultation_id === id);
      if (summary) {
        const seconds = hubSeconds(m);
        showForm({
          ...summary,
          duration_s: seconds === null ? summary.duration_s : Math.round(seconds),
          ended: endWords(m.by, m.reason),
          reason: m.reason,
        });
      }
    }
    removeCard(id, goneWhy(m.reason));
  });

  // Sent as the socket (re)connects, and when asked: the lawyer's open call, or none.
  signal.on("call.current", (m) => {
    const call = m.call;
    $("calls-elsewhere").hidden = !(call && call.elsewhere);
    if (call && current && current.id === call.consultation_id) {
      if (!current.shown) confirmed(current); // the accept went through while we were away
      current.fromHub(call);
      return;
    }
    // A call this tab had and the hub no longer names: ask how it ended (and how long it was).
    for (const had of [current, interrupted && { id: interrupted.info.consultation_id }]) {
      if (had && (!call || had.id !== call.consultation_id)) {
        signal.send({ type: "call.status", consultation_id: had.id });
      }
    }
    if (!call || call.elsewhere || (current && current.shown)) return;
    // The lawyer's call goes on but this tab had no view of it (reloaded, or a new tab):
    // back into the call, waiting for the kiosk's next offer.
    const notes = interrupted && interrupted.info.consultation_id === call.consultation_id
      ? interrupted.notes
      : "";
    if (current) acceptFailed(current, "ended");
    interrupted = null;
    dropOutcome(call.consultation_id);
    current = newSession(call, { notes });
    confirmed(current, true);
    current.fromHub(call);
  });

  signal.on("sdp.offer", (m) => {
    const id = m.consultation_id;
    if (current && current.id === id) {
      confirmed(current);
      current.handleOffer(m);
      return;
    }
    if (!current && interrupted && interrupted.info.consultation_id === id) {
      // The page was reloaded during this call and the kiosk rebuilt its connection: resume it.
      const { info, acceptedAt, notes } = interrupted;
      interrupted = null;
      dropOutcome(id);
      current = newSession(info, { acceptedAt, notes });
      confirmed(current, true);
      current.handleOffer(m);
      return;
    }
    console.warn("an offer for a call that is not this tab's", id);
  });

  signal.on("error", (m) => {
    if (!current || current.id !== m.consultation_id) return;
    if (m.refused === "call.accept" && !current.shown) acceptFailed(current, "refused");
    else if (m.refused === "notes.save" && current.shown) current.notesRefused();
  });

  signal.on("open", () => {
    // The hub re-sends every call still ringing for us; cards it does not re-send are over.
    for (const entry of ringing.values()) if (entry.state !== "gone") entry.stale = true;
    setTimeout(() => {
      for (const [id, entry] of ringing) {
        if (entry.stale && entry.state !== "gone" && !(current && current.id === id)) removeCard(id, "ended");
      }
    }, STALE_MS);
  });

  signal.onState((state) => {
    const offline = state === "reconnecting";
    $("calls-offline").hidden = !offline;
  });

  // ---- sound ---------------------------------------------------------------------

  const hint = $("sound-hint");
  hint.hidden = ringer.unlocked;
  ringer.onUnlock(() => {
    hint.hidden = true;
    $("ring-banner-sound").classList.add("quiet");
  });
  $("sound-test").addEventListener("click", () => ringer.chime());
  $("ring-banner-go").addEventListener("click", () => {
    const first = list.querySelector(".ring-card[data-state='ringing'] .accept");
    if (!first) return;
    first.scrollIntoView({ block: "center", behavior: "smooth" });
    first.focus({ preventScroll: true });
  });

  // Closing or reloading the tab drops the call: ask first.
  window.addEventListener("beforeunload", (event) => {
    if (current && current.shown) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ---- after a reload ---------------------------------------------------------------------

  for (const summary of pendingOutcomes()) showForm(summary);
  const stored = storedCurrent();
  if (stored && stored.info && stored.info.consultation_id) {
    storeCurrent(null);
    interrupted = stored;
    const summary = {
      consultation_id: stored.info.consultation_id,
      info: stored.info,
      duration_s: Math.round((Date.now() - stored.acceptedAt) / 1000),
      connected: true,
      ended: "页面刷新，通话中断",
      notes: stored.notes || "",
    };
    showOutcome(summary, {
      onDone: render,
      // The hub may still count the call as going on: end it before recording the outcome.
      beforeSave: () => {
        dropQueuedNotes(summary.consultation_id);
        if (interrupted && interrupted.info.consultation_id === summary.consultation_id) {
          signal.sendSoon({
            type: "call.hangup",
            consultation_id: summary.consultation_id,
            reason: "hung_up",
            at: new Date().toISOString(),
          });
          interrupted = null;
        }
      },
    });
  }

  render();
  return {
    get current() {
      return current;
    },
  };
}
