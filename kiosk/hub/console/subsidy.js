// The subsidy report (补贴报表), GET /v1/reports/subsidy: the admin's tab, with its list of
// records to check, and the lawyer's own line ("本月服务统计"). What each figure means is
// in docs/api-contract.md ("Subsidy report"); the hub computes them all, the page only shows.

import { ApiError, get, getPage } from "./api.js";
import { el, groupName } from "./catalogue.js";
import { dateTimeLabel, todayKey } from "./time.js";

const $ = (id) => document.getElementById(id);
const FLAGGED_PAGE = 20;
// The month list goes back three years; 上个月 goes further one month at a time.
const MONTHS_LISTED = 36;

export const FLAG_NAMES = {
  not_signaled: "服务器没有这次呼叫",
  expert_differs: "接听的专家不一致",
  answer_unseen: "服务器没看到接听",
  answer_unreported: "终端没报告接听",
  ended_by_differs: "挂断的一方不一致",
  duration_differs: "通话时长相差超过 1 分钟",
  clock_jumped: "终端时钟跳变",
  sequence_gap: "记录有缺失",
  conflicting_replay: "重复上传的内容不一致",
};

// The same words as the CSV's columns (kiosk/hub/subsidy.py).
export const FALLBACK_NAMES = {
  no_answer: "无人接听",
  all_busy: "专家都在忙",
  nobody_on_duty: "无人值班",
  media_lost: "通话中断",
  unreachable: "连不上服务器",
  failed: "终端故障",
};

// "2026-11", the Beijing-time month of today.
export const thisMonth = () => todayKey().slice(0, 7);

export function previousMonth(month) {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

export function monthLabel(month) {
  const [y, m] = month.split("-").map(Number);
  return `${y}年${m}月`;
}

// As the hub rounded it, without a trailing ".0": 17, 3.5.
export const num = (n) => (n === null || n === undefined ? "—" : String(Number(n)));
export const percent = (r) => (r === null || r === undefined ? "—" : `${(r * 100).toFixed(1)}%`);

export function heldRule(share) {
  return `履职：值班已结束，且在值班时间内标为“在线可接听”的时间不少于值班时长的 ${Math.round(share * 100)}%。`;
}

const RATING_RULE = "平均评分只算村民选的 1–5 分，跳过的不算在内。";

// One figure of a stat grid: <div><dt>label</dt><dd>value unit</dd><dd>note</dd></div>.
function stat(label, value, unit = "", note = "") {
  return el(
    "div",
    { className: "stat", dataset: { stat: label } },
    el("dt", {}, label),
    el("dd", {}, el("span", { className: "value" }, value), unit ? el("span", { className: "unit" }, unit) : null),
    note ? el("dd", { className: "note" }, note) : null,
  );
}

function fallbackWords(fallbacks) {
  const parts = Object.entries(FALLBACK_NAMES)
    .filter(([code]) => fallbacks[code])
    .map(([code, name]) => `${name} ${fallbacks[code]}`);
  return parts.length ? parts.join("、") : "—";
}

// ---- the lawyer's own line --------------------------------------------------

export async function loadMyMonth() {
  const month = thisMonth();
  const box = $("month-stats-error");
  let report;
  try {
    report = await get(`/v1/reports/subsidy?month=${month}`);
    box.hidden = true;
  } catch (error) {
    box.textContent = error instanceof ApiError ? `本月统计暂时读不到（${error.message}）` : "本月统计暂时读不到。";
    box.hidden = false;
    return;
  }
  const mine = report.experts[0] || report.expert_totals;
  $("month-stats-month").textContent = monthLabel(report.month);
  $("month-stats-list").replaceChildren(
    stat("接听咨询", num(mine.consultations_answered), "次"),
    stat("有画面时长", num(mine.minutes_with_media), "分钟"),
    stat("值班", num(mine.shifts_scheduled), "次", `已履职 ${mine.shifts_held} 次`),
    stat("值班内在线", num(mine.hours_available), "小时", `排班共 ${num(mine.hours_scheduled)} 小时`),
    stat(
      "村民评价",
      num(mine.rating_mean),
      mine.rating_mean === null ? "" : "分",
      `${mine.ratings} 人评价，${mine.ratings_skipped} 人跳过`,
    ),
  );
  $("month-stats-note").textContent = `${heldRule(report.held_share)}${RATING_RULE}`;
}

// ---- the admin's tab --------------------------------------------------------

export function startAdminReport({ pageError }) {
  const state = { report: null, ticket: 0, flaggedOffset: 0, flaggedTicket: 0 };
  // A list rather than <input type="month">: that one shows the browser's own language
  // ("November 2026") and Firefox has none.
  const picker = $("report-month");
  let oldest = thisMonth();
  picker.append(el("option", { value: oldest }, monthLabel(oldest)));
  for (let i = 1; i < MONTHS_LISTED; i += 1) {
    oldest = previousMonth(oldest);
    picker.append(el("option", { value: oldest }, monthLabel(oldest)));
  }

  function month() {
    return /^\d{4}-\d{2}$/.test(picker.value) ? picker.value : thisMonth();
  }

  function choose(wanted) {
    if (![...picker.options].some((o) => o.value === wanted)) {
      picker.append(el("option", { value: wanted }, monthLabel(wanted)));
    }
    picker.value = wanted;
  }

  function renderTotals(report) {
    const e = report.expert_totals;
    const t = report.terminal_totals;
    $("report-totals").replaceChildren(
      stat("村民呼叫", num(t.calls), "次", `接通 ${t.answered} 次，接通率 ${percent(t.answered_ratio)}`),
      stat("接听咨询", num(e.consultations_answered), "次"),
      stat("有画面时长", num(e.minutes_with_media), "分钟"),
      stat("值班", num(e.shifts_scheduled), "次", `已履职 ${e.shifts_held} 次`),
      stat("值班内在线", num(e.hours_available), "小时", `排班共 ${num(e.hours_scheduled)} 小时`),
      stat("村民评价", num(e.rating_mean), e.rating_mean === null ? "" : "分", `${e.ratings} 人评价，${e.ratings_skipped} 人跳过`),
      stat("回电请求", num(t.callbacks), "次"),
    );
  }

  function renderFlagNote(report) {
    const box = $("report-flagged");
    const count = report.flagged_records || 0;
    box.className = count ? "flag-note warn" : "flag-note ok";
    if (!count) {
      box.replaceChildren(`${monthLabel(report.month)}的通话记录都和服务器的记录一致。`);
      return;
    }
    box.replaceChildren(
      el("span", {}, "有 ", el("strong", {}, String(count)), " 条通话记录和服务器的记录不一致，需要核对。"),
      el("button", { type: "button", className: "btn", id: "report-flagged-open", onclick: () => openFlagged() }, `查看待核对的记录（${count} 条）`),
    );
  }

  function expertCells(figures) {
    return [
      figures.consultations_answered,
      figures.minutes_with_media,
      figures.shifts_scheduled,
      figures.shifts_held,
      figures.hours_scheduled,
      figures.hours_available,
      figures.ratings,
      figures.rating_mean,
      figures.ratings_skipped,
    ].map((value) => el("td", { className: "num" }, num(value)));
  }

  function terminalCells(figures) {
    return [
      el("td", { className: "num" }, num(figures.calls)),
      el("td", { className: "num" }, num(figures.answered)),
      el("td", { className: "num" }, percent(figures.answered_ratio)),
      el("td", { className: "reasons" }, fallbackWords(figures.fallbacks)),
      el("td", { className: "num" }, num(figures.callbacks)),
    ];
  }

  function renderTables(report) {
    const experts = $("report-experts");
    experts.querySelector("tbody").replaceChildren(
      ...report.experts.map((line) =>
        el(
          "tr",
          { dataset: { expertId: String(line.expert_id) } },
          el("th", { scope: "row", className: "name-cell" }, line.name, line.retired ? el("span", { className: "muted" }, "（已删除）") : null),
          el("td", { className: "nowrap" }, groupName(line.group)),
          expertCells(line),
        ),
      ),
    );
    experts.querySelector("tfoot").replaceChildren(
      el("tr", {}, el("th", { scope: "row", colSpan: 2 }, "合计"), expertCells(report.expert_totals)),
    );
    const terminals = $("report-terminals");
    terminals.querySelector("tbody").replaceChildren(
      ...report.terminals.map((line) =>
        el(
          "tr",
          { dataset: { terminalId: String(line.terminal_id), village: line.village } },
          el("td", {}, line.county),
          el("td", {}, line.town),
          el("th", { scope: "row", className: "name-cell" }, line.village),
          el("td", {}, line.site_name),
          terminalCells(line),
        ),
      ),
    );
    terminals.querySelector("tfoot").replaceChildren(
      el("tr", {}, el("th", { scope: "row", colSpan: 4 }, "合计"), terminalCells(report.terminal_totals)),
    );
    $("report-note").textContent =
      `${heldRule(report.held_share)}接听咨询以服务器看到的专家接听为准。有画面时长来自终端上报的记录。${RATING_RULE}`;
  }

  async function load() {
    const ticket = (state.ticket += 1);
    const wanted = month();
    $("report-csv").href = `/v1/reports/subsidy.csv?month=${wanted}`;
    $("report-range").textContent = `${monthLabel(wanted)}（北京时间），正在读取……`;
    closeFlagged();
    let report;
    try {
      report = await get(`/v1/reports/subsidy?month=${wanted}`);
    } catch (error) {
      if (ticket !== state.ticket) return;
      pageError($("report-error"), error);
      $("report-range").textContent = "";
      $("report-body").hidden = true;
      return;
    }
    if (ticket !== state.ticket) return;
    state.report = report;
    $("report-error").hidden = true;
    $("report-body").hidden = false;
    $("report-range").textContent = `${monthLabel(report.month)}1 日至月底（北京时间）。生成于 ${dateTimeLabel(report.generated_at)}。`;
    renderTotals(report);
    renderFlagNote(report);
    renderTables(report);
  }

  // ---- the records to check ----

  function expertName(id) {
    if (id === null || id === undefined) return null;
    const line = state.report && state.report.experts.find((e) => e.expert_id === id);
    return line ? line.name : `专家 #${id}`;
  }

  function whoAnswered(record) {
    const kiosk = expertName(record.expert_id);
    const hub = expertName(record.hub_accepted_expert_id);
    if (kiosk && hub && kiosk !== hub) return [el("span", { className: "nowrap" }, `终端：${kiosk}`), el("br"), el("span", { className: "nowrap" }, `服务器：${hub}`)];
    return hub || kiosk || "—";
  }

  function outcome(record) {
    if (record.expert_id !== null || record.hub_accepted_expert_id !== null) {
      return record.rating ? `接通 · 评 ${record.rating} 分` : "接通";
    }
    if (record.fallback) return `未接通：${FALLBACK_NAMES[record.fallback] || record.fallback}`;
    return "—";
  }

  function flaggedRow(record) {
    const when = record.requested_at || record.first_received_at;
    return el(
      "tr",
      { dataset: { consultation: record.consultation_id } },
      el("td", { className: "nowrap" }, dateTimeLabel(when)),
      el("td", {}, el("strong", {}, record.village), `（${record.site_name}）`, el("br"), el("span", { className: "muted" }, `${record.county} ${record.town}`)),
      el("td", {}, whoAnswered(record)),
      el("td", {}, outcome(record)),
      el("td", {}, el("span", { className: "tags" }, record.flags.map((f) => el("span", { className: "tag warn" }, FLAG_NAMES[f] || f)))),
    );
  }

  async function loadFlagged() {
    const ticket = (state.flaggedTicket += 1);
    const params = new URLSearchParams({
      month: month(),
      flagged: "true",
      limit: String(FLAGGED_PAGE),
      offset: String(state.flaggedOffset),
    });
    let page;
    try {
      page = await getPage(`/v1/records?${params}`);
    } catch (error) {
      if (ticket === state.flaggedTicket) pageError($("flagged-error"), error);
      return;
    }
    if (ticket !== state.flaggedTicket) return;
    $("flagged-error").hidden = true;
    const body = $("flagged-table").querySelector("tbody");
    body.replaceChildren(...page.items.map(flaggedRow));
    if (!page.items.length) {
      body.append(el("tr", {}, el("td", { colSpan: 5, className: "empty-row" }, "没有待核对的记录。")));
    }
    const first = page.items.length ? state.flaggedOffset + 1 : 0;
    const last = state.flaggedOffset + page.items.length;
    $("flagged-title").textContent = `待核对的记录（${page.total} 条）`;
    $("flagged-page").textContent = `第 ${first}–${last} 条，共 ${page.total} 条`;
    $("flagged-prev").disabled = state.flaggedOffset === 0;
    $("flagged-next").disabled = last >= page.total;
    // One page holds them all: buttons that can never be used only get in the way.
    $("flagged-pager").hidden = page.total <= FLAGGED_PAGE && state.flaggedOffset === 0;
  }

  async function openFlagged() {
    state.flaggedOffset = 0;
    const panel = $("flagged-records");
    panel.hidden = false;
    await loadFlagged();
    panel.scrollIntoView({ block: "start" });
    panel.focus({ preventScroll: true });
  }

  function closeFlagged() {
    $("flagged-records").hidden = true;
  }

  picker.addEventListener("change", load);
  $("report-previous").addEventListener("click", () => {
    choose(previousMonth(month()));
    load();
  });
  $("report-this").addEventListener("click", () => {
    choose(thisMonth());
    load();
  });
  $("flagged-close").addEventListener("click", () => {
    closeFlagged();
    const opener = $("report-flagged-open");
    if (opener) opener.focus();
  });
  $("flagged-prev").addEventListener("click", () => {
    state.flaggedOffset = Math.max(0, state.flaggedOffset - FLAGGED_PAGE);
    loadFlagged();
  });
  $("flagged-next").addEventListener("click", () => {
    state.flaggedOffset += FLAGGED_PAGE;
    loadFlagged();
  });
  choose(thisMonth());
  return { load };
}
