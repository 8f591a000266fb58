import { ApiError, busy, clearErrors, del, fieldError, get, logout, post, put, requireSession, showError } from "./api.js";
import { catalogue, el, groupName, loadCatalogue, serviceName, toast } from "./catalogue.js";
import { startAdminReport } from "./subsidy.js";
import {
  SHORT_WEEKDAYS,
  addDays,
  agoLabel,
  dateTimeLabel,
  dayKey,
  dayLabel,
  durationLabel,
  fullDate,
  hm,
  isoAt,
  monthDay,
  mondayOf,
  remainingLabel,
  spanLabel,
  todayKey,
  weekdayIndex,
} from "./time.js";

const $ = (id) => document.getElementById(id);

const state = {
  experts: [],
  terminals: [],
  shifts: [],
  week: mondayOf(todayKey()),
  flashShiftId: null,
};

function pageError(box, error) {
  box.textContent = error instanceof ApiError ? error.message : "出错了，请刷新页面再试。";
  box.hidden = false;
}

// ---- dialogs --------------------------------------------------------------

function openDialog(dialog) {
  const form = dialog.querySelector("form");
  if (form) clearErrors(form);
  dialog.showModal();
  const first = dialog.querySelector("[autofocus]") || dialog.querySelector("input, select, button");
  if (first) first.focus();
}

for (const dialog of document.querySelectorAll("dialog")) {
  for (const button of dialog.querySelectorAll("[data-close]")) {
    button.addEventListener("click", () => dialog.close());
  }
}

// A confirmation that runs `action` and keeps the dialog open with the error if it fails.
let confirmAction = null;
function confirmThen({ title, message, ok, action }) {
  $("confirm-title").textContent = title;
  const box = $("confirm-message");
  box.textContent = "";
  box.append(...(Array.isArray(message) ? message : [message]));
  $("confirm-ok").textContent = ok;
  confirmAction = action;
  openDialog($("confirm-dialog"));
}
$("confirm-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  await busy($("confirm-ok"), async () => {
    try {
      await confirmAction();
      $("confirm-dialog").close();
    } catch (error) {
      showError(form, error);
    }
  });
});

// ---- tabs -----------------------------------------------------------------

const TABS = ["experts", "shifts", "terminals", "report"];
let report = null;

function selectTab(name, { focus = false, push = true } = {}) {
  if (!TABS.includes(name)) name = "experts";
  for (const tab of TABS) {
    const button = $(`tab-${tab}`);
    const selected = tab === name;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`panel-${tab}`).hidden = !selected;
    if (selected && focus) button.focus();
  }
  if (push && window.location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  document.body.dataset.tab = name;
  if (name === "shifts") return loadShifts();
  if (name === "terminals") return loadTerminals();
  if (name === "report") return report.load();
  return loadExperts();
}

for (const tab of TABS) {
  const button = $(`tab-${tab}`);
  button.addEventListener("click", () => selectTab(tab));
  button.addEventListener("keydown", (event) => {
    const index = TABS.indexOf(tab);
    let next = null;
    if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length];
    if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length];
    if (event.key === "Home") next = TABS[0];
    if (event.key === "End") next = TABS[TABS.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next, { focus: true });
    }
  });
}
window.addEventListener("hashchange", () => selectTab(window.location.hash.slice(1), { push: false }));

// ---- experts --------------------------------------------------------------

function sortExperts(experts) {
  const order = catalogue.groups.map((g) => g.code);
  return [...experts].sort(
    (a, b) => order.indexOf(a.group) - order.indexOf(b.group) || a.name.localeCompare(b.name, "zh-CN"),
  );
}

// Whether a resident can call the expert now, and if not, why: what they marked is not enough,
// a console tab of theirs must be open and answering (docs/signaling.md, "Presence").
export function presenceBadge(expert) {
  if (expert.reachable) return { tone: "ok", words: "在线可接听", why: "值班中，控制台已连接，村民可以呼叫。" };
  if (expert.availability !== "available") return { tone: "grey", words: "暂离", why: "本人设为暂离。" };
  if (!expert.username) {
    return { tone: "no", words: "不能接听", why: "没有登录账号，打不开律师工作台，村民呼叫不到。" };
  }
  if (!expert.console_connected) {
    return {
      tone: "no",
      words: "控制台未连接",
      why: "已标记可接听，但律师工作台没有打开或网络中断，村民呼叫不到。",
    };
  }
  return { tone: "grey", words: "在线，未值班", why: "控制台已连接，但现在不是值班时间。" };
}

function badgeOf(expert) {
  const { tone, words, why } = presenceBadge(expert);
  return el("span", { className: `badge ${tone}`, title: why, dataset: { presence: tone } }, words);
}

// While the list shows, who can be called is read again every few seconds: a lawyer who
// closed their console must not look reachable for long.
const PRESENCE_MS = 5_000;

async function refreshPresence() {
  if (document.visibilityState !== "visible" || $("panel-experts").hidden) return;
  let experts;
  try {
    experts = await get("/v1/experts");
  } catch {
    return; // the next round tries again; a 401 goes to the login page
  }
  const shown = state.experts.map((e) => e.id).join(",");
  const fresh = sortExperts(experts);
  state.experts = fresh;
  if (fresh.map((e) => e.id).join(",") !== shown) {
    renderExperts();
    return;
  }
  // Only the badges change: the rows stay, and with them the focus of a keyboard user.
  for (const expert of fresh) {
    const cell = document.querySelector(`#experts-table tr[data-expert-id="${expert.id}"] .presence-cell`);
    if (cell) cell.replaceChildren(badgeOf(expert));
  }
}

function renderExperts() {
  const body = $("experts-table").querySelector("tbody");
  body.textContent = "";
  $("experts-title").textContent = `专家名单（${state.experts.length} 位）`;
  if (!state.experts.length) {
    body.append(el("tr", {}, el("td", { colSpan: 7, className: "empty-row" }, "还没有专家。请点右上方“添加专家”。")));
    return;
  }
  for (const expert of state.experts) {
    body.append(
      el(
        "tr",
        { dataset: { expertId: String(expert.id) } },
        el("td", { className: "name-cell" }, expert.name),
        el("td", { className: "nowrap" }, groupName(expert.group)),
        el("td", {}, el("span", { className: "tags" }, expert.services.map((s) => el("span", { className: "tag" }, serviceName(s))))),
        el("td", { className: "org" }, expert.organisation || "—"),
        el("td", {}, expert.username ? expert.username : el("span", { className: "badge no" }, "未设置")),
        el("td", { className: "presence-cell" }, badgeOf(expert)),
        el(
          "td",
          { className: "actions" },
          el("button", { type: "button", className: "btn small", onclick: () => editExpert(expert), "aria-label": `编辑：${expert.name}` }, "编辑"),
          el(
            "button",
            {
              type: "button",
              className: "btn small",
              onclick: () => editAccount(expert),
              "aria-label": `${expert.username ? "重设登录" : "设置登录"}：${expert.name}`,
            },
            expert.username ? "重设登录" : "设置登录",
          ),
          el("button", { type: "button", className: "btn small danger-outline", onclick: () => deleteExpert(expert), "aria-label": `删除：${expert.name}` }, "删除"),
        ),
      ),
    );
  }
}

async function loadExperts() {
  try {
    state.experts = sortExperts(await get("/v1/experts"));
    $("experts-error").hidden = true;
  } catch (error) {
    pageError($("experts-error"), error);
  }
  renderExperts();
  fillExpertSelect();
}

function buildExpertForm() {
  const group = $("expert-group");
  group.textContent = "";
  for (const g of catalogue.groups) group.append(el("option", { value: g.code }, g.name_zh));
  const grid = $("expert-services").querySelector(".check-grid");
  grid.textContent = "";
  for (const s of catalogue.services) {
    grid.append(el("label", { className: "check" }, el("input", { type: "checkbox", name: "services", value: s.code }), s.name_zh));
  }
}

let editingExpertId = null;
function editExpert(expert) {
  const form = $("expert-form");
  form.reset();
  editingExpertId = expert ? expert.id : null;
  $("expert-dialog-title").textContent = expert ? `编辑专家：${expert.name}` : "添加专家";
  form.elements.name.value = expert ? expert.name : "";
  form.elements.group.value = expert ? expert.group : catalogue.groups[0].code;
  form.elements.organisation.value = expert ? expert.organisation : "";
  for (const box of form.querySelectorAll('input[name="services"]')) {
    box.checked = expert ? expert.services.includes(box.value) : false;
  }
  openDialog($("expert-dialog"));
}

$("add-expert").addEventListener("click", () => editExpert(null));

$("expert-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {
    name: form.elements.name.value.trim(),
    group: form.elements.group.value,
    services: [...form.querySelectorAll('input[name="services"]:checked')].map((b) => b.value),
    organisation: form.elements.organisation.value.trim(),
  };
  if (!body.name) return fieldError(form, "name", "请填写姓名。");
  if (!body.services.length) {
    fieldError(form, "services", "请至少选一项服务事项。");
    form.querySelector('input[name="services"]').focus();
    return;
  }
  await busy($("expert-save"), async () => {
    try {
      const saved = editingExpertId
        ? await put(`/v1/experts/${editingExpertId}`, body)
        : await post("/v1/experts", body);
      $("expert-dialog").close();
      toast(editingExpertId ? `已保存：${saved.name}` : `已添加专家：${saved.name}`);
      await loadExperts();
    } catch (error) {
      showError(form, error);
    }
  });
});

let accountExpert = null;
function editAccount(expert) {
  accountExpert = expert;
  const form = $("account-form");
  form.reset();
  $("account-dialog-title").textContent = expert.username ? "重设登录账号" : "设置登录账号";
  $("account-for").textContent = `专家：${expert.name}（${groupName(expert.group)}）。保存后，原来的密码不能再用。`;
  form.elements.username.value = expert.username || "";
  openDialog($("account-dialog"));
  (expert.username ? form.elements.password : form.elements.username).focus();
}

$("account-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!/^[A-Za-z0-9._-]{3,40}$/.test(username)) {
    return fieldError(form, "username", "用户名要 3 到 40 个英文字母、数字或 . _ -");
  }
  if (password.length < 10) return fieldError(form, "password", "密码至少要 10 个字符。");
  await busy($("account-save"), async () => {
    try {
      await put(`/v1/experts/${accountExpert.id}/account`, { username, password });
      $("account-dialog").close();
      toast(`已保存 ${accountExpert.name} 的登录账号：${username}`);
      await loadExperts();
    } catch (error) {
      showError(form, error, { 409: "这个用户名已经有人用了，请换一个。" });
    }
  });
});

function deleteExpert(expert) {
  confirmThen({
    title: `删除专家：${expert.name}？`,
    message: [
      el("strong", {}, expert.name),
      `（${groupName(expert.group)}${expert.organisation ? "，" + expert.organisation : ""}）将被删除，`,
      "同时删除他以后的所有值班和登录账号。删除后不能恢复。",
    ],
    ok: "确认删除",
    action: async () => {
      await del(`/v1/experts/${expert.id}`);
      toast(`已删除专家：${expert.name}`);
      await loadExperts();
    },
  });
}

// ---- shifts (week grid) ---------------------------------------------------

const HALF_HOURS = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`);

function fillExpertSelect() {
  const select = $("shift-expert");
  const old = select.value;
  select.textContent = "";
  select.append(el("option", { value: "" }, "— 请选择专家 —"));
  for (const g of catalogue.groups) {
    const members = state.experts.filter((e) => e.group === g.code);
    if (!members.length) continue;
    select.append(el("optgroup", { label: g.name_zh }, members.map((e) => el("option", { value: String(e.id) }, e.name))));
  }
  if (state.experts.some((e) => String(e.id) === old)) select.value = old;
}

function buildShiftForm() {
  for (const [id, value] of [["shift-start", "09:00"], ["shift-end", "17:00"]]) {
    const select = $(id);
    for (const t of HALF_HOURS) select.append(el("option", { value: t }, t));
    select.value = value;
  }
  for (const id of ["shift-expert", "shift-day", "shift-start", "shift-end"]) {
    $(id).addEventListener("change", updatePreview);
  }
}

function fillDaySelect() {
  const select = $("shift-day");
  const old = select.value;
  select.textContent = "";
  const today = todayKey();
  for (let i = 0; i < 7; i += 1) {
    const key = addDays(state.week, i);
    select.append(el("option", { value: key }, dayLabel(key, today)));
  }
  const days = [...select.options].map((o) => o.value);
  select.value = days.includes(old) ? old : days.includes(today) ? today : state.week;
}

// The shift the form describes: {startsAt, endsAt} ISO, or null when incomplete.
function formShift() {
  const day = $("shift-day").value;
  const start = $("shift-start").value;
  const end = $("shift-end").value;
  if (!day || !start || !end || start === end) return null;
  const endDay = end <= start ? addDays(day, 1) : day;
  return { startsAt: isoAt(day, start), endsAt: isoAt(endDay, end), overnight: endDay !== day };
}

function updatePreview() {
  const preview = $("shift-preview");
  const shift = formShift();
  const expert = state.experts.find((e) => String(e.id) === $("shift-expert").value);
  if ($("shift-start").value === $("shift-end").value) {
    preview.textContent = "结束时间不能和开始时间一样。";
    return;
  }
  if (!shift) {
    preview.textContent = "";
    return;
  }
  const who = expert ? `${expert.name}，` : "";
  const night = shift.overnight ? "（结束时间早于开始时间，算到第二天）" : "";
  preview.textContent = `将添加：${who}${dateTimeLabel(shift.startsAt)} 至 ${
    shift.overnight ? dateTimeLabel(shift.endsAt) : hm(shift.endsAt)
  }，共 ${durationLabel(shift.startsAt, shift.endsAt)}${night}`;
}

$("shift-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const expertId = Number($("shift-expert").value);
  if (!expertId) return fieldError(form, "expert_id", "请选择专家。");
  const shift = formShift();
  if (!shift) return fieldError(form, "ends_at", "结束时间不能和开始时间一样。");
  await busy($("shift-submit"), async () => {
    try {
      const created = await post("/v1/shifts", { expert_id: expertId, starts_at: shift.startsAt, ends_at: shift.endsAt });
      const expert = state.experts.find((e) => e.id === expertId);
      state.flashShiftId = created.id;
      toast(`已添加值班：${expert ? expert.name : ""} ${dateTimeLabel(created.starts_at)} 起`);
      await loadShifts();
    } catch (error) {
      // Name the shift in the way when it is on this page (the hub's sentence gives UTC times).
      const start = new Date(shift.startsAt);
      const end = new Date(shift.endsAt);
      const clash = state.shifts.find(
        (s) => s.expert_id === expertId && new Date(s.starts_at) < end && start < new Date(s.ends_at),
      );
      const which = clash
        ? `（${dayLabel(dayKey(clash.starts_at))} ${spanLabel(clash.starts_at, clash.ends_at)}）`
        : "";
      showError(form, error, {
        409: `这个时间和该专家已有的值班${which}重叠了。请换一个时间，或先删除原来的值班。`,
      });
    }
  });
});

function weekLabel() {
  const end = addDays(state.week, 6);
  const sameYear = state.week.slice(0, 4) === end.slice(0, 4);
  const thisWeek = state.week === mondayOf(todayKey()) ? "（本周）" : "";
  return `${fullDate(state.week)} – ${sameYear ? monthDay(end) : fullDate(end)}${thisWeek}`;
}

function renderWeek() {
  $("week-label").textContent = weekLabel();
  const grid = $("week-grid");
  const today = todayKey();
  const days = Array.from({ length: 7 }, (_, i) => addDays(state.week, i));
  const dayClass = (key) =>
    [key === today ? "today" : "", weekdayIndex(key) % 6 === 0 ? "weekend" : ""].filter(Boolean).join(" ");

  const head = grid.querySelector("thead");
  head.textContent = "";
  head.append(
    el(
      "tr",
      {},
      el("th", { scope: "col", className: "expert-col" }, "专家"),
      days.map((key) =>
        el(
          "th",
          { scope: "col", className: dayClass(key), dataset: { day: key } },
          SHORT_WEEKDAYS[weekdayIndex(key)],
          key === today ? "（今天）" : "",
          el("span", { className: "date" }, monthDay(key)),
        ),
      ),
    ),
  );

  const body = grid.querySelector("tbody");
  body.textContent = "";
  if (!state.experts.length) {
    body.append(el("tr", {}, el("td", { colSpan: 8, className: "empty-row" }, "还没有专家。请先在“专家”页添加。")));
    return;
  }
  const weekStart = new Date(isoAt(state.week));
  for (const expert of state.experts) {
    const mine = state.shifts.filter((s) => s.expert_id === expert.id);
    const cells = days.map((key) => {
      const here = mine.filter((s) => {
        const start = new Date(s.starts_at);
        const placed = start < weekStart ? state.week : dayKey(s.starts_at);
        return placed === key;
      });
      const blocks = here.map((s) => {
        const overnight = dayKey(s.ends_at) !== dayKey(s.starts_at) && hm(s.ends_at) !== "00:00";
        const evening = Number(hm(s.starts_at).slice(0, 2)) >= 17 || overnight;
        const label = spanLabel(s.starts_at, s.ends_at, key);
        const block = el(
          "button",
          {
            type: "button",
            className: `shift-block${evening ? " evening" : ""}${s.id === state.flashShiftId ? " flash" : ""}`,
            dataset: { shiftId: String(s.id) },
            "aria-label": `${expert.name} ${dayLabel(key, today)} ${label}，点一下可删除`,
            onclick: () => deleteShift(s, expert),
          },
          ...label.split(/(?<=–) /).map((part) => el("span", { className: "part" }, part)),
        );
        return block;
      });
      return el("td", { className: dayClass(key), dataset: { day: key } }, el("div", { className: "cell" }, blocks));
    });
    body.append(
      el(
        "tr",
        { dataset: { expertId: String(expert.id) } },
        el("th", { scope: "row" }, expert.name, el("span", { className: "group" }, groupName(expert.group))),
        cells,
      ),
    );
  }
}

let shiftsRequest = 0;
async function loadShifts() {
  const ticket = (shiftsRequest += 1);
  fillDaySelect();
  updatePreview();
  const params = new URLSearchParams({ from: isoAt(state.week), to: isoAt(addDays(state.week, 7)) });
  try {
    const [shifts] = await Promise.all([get(`/v1/shifts?${params}`), state.experts.length ? null : loadExperts()]);
    if (ticket !== shiftsRequest) return;
    state.shifts = [...shifts].sort((a, b) => new Date(a.starts_at) - new Date(b.starts_at));
    $("shifts-error").hidden = true;
  } catch (error) {
    if (ticket !== shiftsRequest) return;
    pageError($("shifts-error"), error);
    state.shifts = [];
  }
  renderWeek();
  const flashed = state.flashShiftId && document.querySelector(`[data-shift-id="${state.flashShiftId}"]`);
  if (flashed) flashed.scrollIntoView({ block: "nearest" });
  state.flashShiftId = null;
}

function deleteShift(shift, expert) {
  const key = dayKey(shift.starts_at);
  confirmThen({
    title: "删除这个值班？",
    message: [
      el("strong", {}, expert.name),
      `，${dayLabel(key)} ${spanLabel(shift.starts_at, shift.ends_at)}（${durationLabel(shift.starts_at, shift.ends_at)}）。`,
      "删除后村民就看不到这个值班了。",
    ],
    ok: "删除值班",
    action: async () => {
      await del(`/v1/shifts/${shift.id}`);
      toast(`已删除值班：${expert.name} ${monthDay(key)} ${hm(shift.starts_at)}`);
      await loadShifts();
    },
  });
}

$("week-prev").addEventListener("click", () => {
  state.week = addDays(state.week, -7);
  loadShifts();
});
$("week-next").addEventListener("click", () => {
  state.week = addDays(state.week, 7);
  loadShifts();
});
$("week-this").addEventListener("click", () => {
  state.week = mondayOf(todayKey());
  loadShifts();
});

// ---- terminals ------------------------------------------------------------

function renderTerminals() {
  const body = $("terminals-table").querySelector("tbody");
  body.textContent = "";
  $("terminals-title").textContent = `村级终端（${state.terminals.length} 台）`;
  const counties = [...new Set(state.terminals.map((t) => t.county))];
  $("county-list").replaceChildren(...counties.map((c) => el("option", { value: c })));
  if (!state.terminals.length) {
    body.append(el("tr", {}, el("td", { colSpan: 7, className: "empty-row" }, "还没有终端。请点右上方“添加终端”。")));
    return;
  }
  for (const t of state.terminals) {
    const seen = t.last_seen_at
      ? el("span", { title: dateTimeLabel(t.last_seen_at) }, agoLabel(t.last_seen_at))
      : el("span", { className: "muted" }, "从未联系");
    body.append(
      el(
        "tr",
        { dataset: { terminalId: String(t.id) } },
        el("td", {}, t.county),
        el("td", {}, t.town),
        el("td", { className: "name-cell" }, t.village),
        el("td", {}, t.site_name),
        el("td", {}, el("span", { className: t.enrolled ? "badge ok" : "badge no" }, t.enrolled ? "已登记" : "未登记")),
        el("td", {}, seen),
        el(
          "td",
          { className: "actions" },
          el("button", { type: "button", className: "btn small", onclick: () => editTerminal(t), "aria-label": `编辑：${t.village}终端` }, "编辑"),
          el(
            "button",
            { type: "button", className: "btn small primary", onclick: () => makeCode(t), "aria-label": `生成登记码：${t.village}终端` },
            "生成登记码",
          ),
        ),
      ),
    );
  }
}

async function loadTerminals() {
  try {
    const terminals = await get("/v1/terminals");
    state.terminals = [...terminals].sort(
      (a, b) =>
        a.county.localeCompare(b.county, "zh-CN") ||
        a.town.localeCompare(b.town, "zh-CN") ||
        a.village.localeCompare(b.village, "zh-CN") ||
        a.id - b.id,
    );
    $("terminals-error").hidden = true;
  } catch (error) {
    pageError($("terminals-error"), error);
  }
  renderTerminals();
}

let editingTerminalId = null;
function editTerminal(terminal) {
  const form = $("terminal-form");
  form.reset();
  editingTerminalId = terminal ? terminal.id : null;
  $("terminal-dialog-title").textContent = terminal ? `编辑终端：${terminal.village}` : "添加终端";
  for (const name of ["county", "town", "village", "site_name"]) {
    form.elements[name].value = terminal ? terminal[name] : "";
  }
  openDialog($("terminal-dialog"));
}

$("add-terminal").addEventListener("click", () => editTerminal(null));

$("terminal-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors(form);
  const body = {};
  const labels = { county: "县（市、区）", town: "乡镇", village: "村", site_name: "安放地点" };
  for (const name of ["county", "town", "village", "site_name"]) {
    body[name] = form.elements[name].value.trim();
    if (!body[name]) return fieldError(form, name, `请填写${labels[name]}。`);
  }
  await busy($("terminal-save"), async () => {
    try {
      const saved = editingTerminalId
        ? await put(`/v1/terminals/${editingTerminalId}`, body)
        : await post("/v1/terminals", body);
      $("terminal-dialog").close();
      toast(editingTerminalId ? `已保存终端：${saved.village}` : `已添加终端：${saved.village}。下一步请点“生成登记码”。`);
      await loadTerminals();
    } catch (error) {
      showError(form, error);
    }
  });
});

function place(t) {
  return `${t.county} ${t.town} ${t.village} · ${t.site_name}`;
}

async function showCode(terminal) {
  const result = await post(`/v1/terminals/${terminal.id}/enrolment-code`);
  $("code-for").textContent = `终端：${place(terminal)}`;
  const value = $("code-value");
  value.textContent = "";
  value.dataset.code = result.code;
  // The hub gives groups like "3AFT-P9JZ-HS5N"; show them apart so they are easy to read aloud.
  const groups = result.code.includes("-") ? result.code.split("-") : result.code.match(/.{1,4}/g) || [];
  groups.forEach((group, index) => {
    if (index) value.append(el("span", { className: "sep" }, "-"));
    value.append(el("span", { className: "grp" }, group));
  });
  value.setAttribute("aria-label", `登记码 ${result.code.split("").join(" ")}`);
  $("code-expires").replaceChildren(
    `有效期到 ${dateTimeLabel(result.expires_at)}`,
    el("span", { className: "left" }, `（${remainingLabel(result.expires_at)}）`),
  );
  openDialog($("code-dialog"));
  $("code-copy").focus();
  await loadTerminals();
}

function makeCode(terminal) {
  const run = async () => {
    try {
      await showCode(terminal);
    } catch (error) {
      pageError($("terminals-error"), error);
      throw error;
    }
  };
  if (terminal.enrolled) {
    confirmThen({
      title: "重新生成登记码？",
      message: [
        el("strong", {}, place(terminal)),
        " 已经登记过。用新登记码重新登记后，这台终端原来的凭证会失效（例如换了新机器时才需要这样做）。",
      ],
      ok: "生成新登记码",
      action: async () => {
        $("confirm-dialog").close();
        await run();
      },
    });
    return;
  }
  run().catch(() => {});
}

$("code-copy").addEventListener("click", async () => {
  const code = $("code-value").dataset.code || "";
  try {
    await navigator.clipboard.writeText(code);
    toast("已复制登记码。");
  } catch {
    const range = document.createRange();
    range.selectNodeContents($("code-value"));
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    toast("请按 Ctrl+C 复制选中的登记码。");
  }
});

// ---- start ----------------------------------------------------------------

async function start() {
  $("logout").addEventListener("click", () => logout());
  let session;
  try {
    session = await requireSession("admin");
  } catch {
    return;
  }
  $("who").textContent =
    session.display_name && session.display_name !== session.username
      ? `${session.display_name}（${session.username}）`
      : `管理员 ${session.username}`;
  await loadCatalogue();
  buildExpertForm();
  buildShiftForm();
  report = startAdminReport({ pageError });
  $("loading").hidden = true;
  $("content").hidden = false;
  await selectTab(window.location.hash.slice(1) || "experts", { push: false });
  setInterval(refreshPresence, PRESENCE_MS);
  document.body.dataset.ready = "true";
}

start();
