import { ApiError, busy, get, logout, put, requireSession } from "./api.js";
import { startCallbacks } from "./callbacks.js";
import { startCalls } from "./calls.js";
import { el, groupName, loadCatalogue, serviceName } from "./catalogue.js";
import { fillIcons } from "./icons.js";
import { Ringer } from "./ring.js";
import { Signal, showSignalState } from "./signal.js";
import { loadMyMonth } from "./subsidy.js";
import {
  addDays,
  dateTimeLabel,
  dayKey,
  dayLabel,
  durationLabel,
  isoAt,
  monthDay,
  nearWord,
  spanLabel,
  todayKey,
  weekday,
} from "./time.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 5 * 60 * 1000;

let me = null;
let shifts = [];

function showPageError(box, error) {
  box.textContent = error instanceof ApiError ? error.message : "出错了，请刷新页面再试。";
  box.hidden = false;
}

function renderMe() {
  $("me-name").textContent = me.name;
  $("me-group").textContent = groupName(me.group);
  $("me-org").textContent = me.organisation || "—";
  $("me-services").textContent = me.services.map(serviceName).join("、");
  const available = me.availability === "available";
  $("set-available").setAttribute("aria-pressed", String(available));
  $("set-away").setAttribute("aria-pressed", String(!available));
  const line = $("status-line");
  line.className = `status-line ${available ? "on" : "off"}`;
  line.textContent = "";
  line.append(
    el("span", { className: "dot", "aria-hidden": "true" }),
    available ? "现在：在线可接听（值班时间内村民可以呼叫您）" : "现在：暂离（村民看到您暂时不能接听）",
  );
}

function renderDutyNow() {
  const now = new Date();
  const current = shifts.find((s) => new Date(s.starts_at) <= now && now < new Date(s.ends_at));
  const next = shifts.find((s) => new Date(s.starts_at) > now);
  const box = $("duty-now");
  if (current) {
    box.textContent = `您现在正在值班：${spanLabel(current.starts_at, current.ends_at)}。`;
  } else if (next) {
    box.textContent = `现在不是您的值班时间。下一次值班：${dateTimeLabel(next.starts_at)}。`;
  } else {
    box.textContent = "现在不是您的值班时间。";
  }
}

function renderShifts() {
  const list = $("shift-days");
  list.textContent = "";
  const today = todayKey();
  const now = new Date();
  const byDay = new Map();
  for (const shift of shifts) {
    // A shift that began yesterday evening still shows under today.
    const key = dayKey(shift.starts_at) < today ? today : dayKey(shift.starts_at);
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(shift);
  }
  for (const [key, items] of [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const pills = items.map((s) => {
      const onNow = new Date(s.starts_at) <= now && now < new Date(s.ends_at);
      const past = new Date(s.ends_at) <= now;
      return el(
        "li",
        { className: `shift-pill${onNow ? " now" : ""}${past ? " past" : ""}` },
        el("span", { className: "span" }, spanLabel(s.starts_at, s.ends_at, key)),
        past ? null : el("span", { className: "len" }, `（${durationLabel(s.starts_at, s.ends_at)}）`),
        onNow ? el("span", { className: "len" }, "· 正在值班") : null,
        past ? el("span", { className: "len" }, "· 已结束") : null,
      );
    });
    list.append(
      el(
        "li",
        { className: key === today ? "shift-day today" : "shift-day", dataset: { day: key } },
        el(
          "span",
          { className: "day" },
          `${monthDay(key)} ${weekday(key)}`,
          nearWord(key, today) ? el("span", { className: "near" }, nearWord(key, today)) : null,
        ),
        el("ul", { "aria-label": `${dayLabel(key, today)}的值班` }, pills),
      ),
    );
  }
  $("no-shifts").hidden = shifts.length > 0;
}

async function loadShifts() {
  const today = todayKey();
  const params = new URLSearchParams({ from: isoAt(today), to: isoAt(addDays(today, 28)) });
  try {
    const data = await get(`/v1/me/shifts?${params}`);
    shifts = [...data].sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at));
    $("shifts-error").hidden = true;
  } catch (error) {
    showPageError($("shifts-error"), error);
  }
  renderShifts();
  renderDutyNow();
}

async function setAvailability(value, button) {
  if (me && me.availability === value) return;
  const box = $("availability-error");
  box.hidden = true;
  await busy(button, async () => {
    try {
      me = await put("/v1/me/availability", { availability: value });
      renderMe();
    } catch (error) {
      showPageError(box, error);
    }
  });
}

async function refresh() {
  try {
    me = await get("/v1/me");
    renderMe();
  } catch {
    /* keep what is shown; a 401 goes to the login page */
  }
  await Promise.all([loadShifts(), loadMyMonth()]);
}

async function start() {
  fillIcons();
  $("logout").addEventListener("click", () => logout());
  let session;
  try {
    session = await requireSession("lawyer");
  } catch {
    return; // redirected
  }
  $("who").textContent = `${session.display_name}（${session.username}）`;
  try {
    [me] = await Promise.all([get("/v1/me"), loadCatalogue()]);
  } catch (error) {
    $("loading").hidden = true;
    showPageError($("page-error"), error);
    return;
  }
  renderMe();
  const signal = new Signal();
  showSignalState(signal, $("signal-state"));
  const ringer = new Ringer();
  const calls = startCalls({ signal, ringer });
  signal.start();
  startCallbacks();
  window.lawyerConsole = { signal, calls, ringer }; // for support staff (developer tools) and tests
  $("set-available").addEventListener("click", (e) => setAvailability("available", e.currentTarget));
  $("set-away").addEventListener("click", (e) => setAvailability("away", e.currentTarget));
  await Promise.all([loadShifts(), loadMyMonth()]);
  $("loading").hidden = true;
  $("content").hidden = false;
  document.body.dataset.ready = "true";
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
}

start();
