// Residents who could not reach anyone left a phone number: GET /v1/callbacks,
// refreshed every 30 s; "已回电" -> PUT /v1/callbacks/{id}/done.

import { ApiError, busy, get, put } from "./api.js";
import { el, serviceName, toast } from "./catalogue.js";
import { agoLabel, dateTimeLabel, hm } from "./time.js";

export const CALLBACKS_REFRESH_MS = 30_000;

const $ = (id) => document.getElementById(id);

// The hub's field names, with the obvious alternatives, so a renamed field does not blank a row.
const pick = (item, ...names) => {
  for (const name of names) if (item[name] !== undefined && item[name] !== null) return item[name];
  return "";
};
const whenOf = (item) => pick(item, "requested_at", "created_at", "when", "at");

// "138 1234 5678", "024-8812 3456": easier to read out and dial.
export function phoneWords(phone) {
  const digits = String(phone ?? "").replace(/[\s-]+/g, "");
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  const landline = /^(0(?:10|2\d|[3-9]\d\d))(\d{7,8})$/.exec(digits);
  if (landline) {
    const [, area, number] = landline;
    return `${area}-${number.slice(0, number.length - 4)} ${number.slice(-4)}`;
  }
  return digits || "—";
}

// "5 分钟前（17:53）", or the date and time when it is older than a day.
function whenWords(when) {
  const ago = agoLabel(when);
  return ago.includes("月") ? ago : `${ago}（${hm(when)}）`;
}

function row(item, reload) {
  const id = pick(item, "id", "callback_id", "consultation_id");
  const place = [pick(item, "county"), pick(item, "town"), pick(item, "village")].filter(Boolean).join(" ");
  const when = whenOf(item);
  const phone = pick(item, "phone");
  const done = el("button", { type: "button", className: "btn primary" }, "已回电");
  const cancel = el("button", { type: "button", className: "btn", hidden: true }, "取消");
  const question = el("span", { className: "confirm-q", hidden: true }, "确定已经打过这个电话了？");
  let confirming = false;
  const reset = () => {
    confirming = false;
    done.textContent = "已回电";
    cancel.hidden = true;
    question.hidden = true;
  };
  cancel.addEventListener("click", reset);
  done.addEventListener("click", async () => {
    if (!confirming) {
      confirming = true;
      done.textContent = "确定";
      cancel.hidden = false;
      question.hidden = false;
      return;
    }
    await busy(done, async () => {
      try {
        await put(`/v1/callbacks/${encodeURIComponent(id)}/done`);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) {
          toast(error instanceof ApiError ? error.message : "没有保存成功，请再试一次。", "error");
          reset();
          return;
        }
        // 404: someone else has marked it already.
      }
      toast(`已记下：回电 ${phoneWords(phone)}。`);
      li.remove();
      $("no-callbacks").hidden = $("callback-list").children.length > 0;
      reload();
    });
  });
  const li = el(
    "li",
    { className: "callback", dataset: { callback: String(id) } },
    el(
      "div",
      { className: "cb-main" },
      el("p", { className: "cb-phone" }, el("span", { className: "visually-hidden" }, "电话 "), phoneWords(phone)),
      el("p", { className: "cb-place" }, place || "—", pick(item, "site_name", "site") ? ` · ${pick(item, "site_name", "site")}` : ""),
      el(
        "p",
        { className: "cb-meta" },
        pick(item, "service") ? `${serviceName(pick(item, "service"))} · ` : "",
        when ? el("time", { dateTime: when, title: dateTimeLabel(when) }, `留言于 ${whenWords(when)}`) : "",
      ),
    ),
    el("div", { className: "cb-actions" }, question, done, cancel),
  );
  return li;
}

export function startCallbacks() {
  const list = $("callback-list");
  let timer = null;
  let running = false;

  async function load() {
    if (running) return;
    // Do not redraw under a lawyer who is confirming a row.
    if (list.querySelector(".confirm-q:not([hidden])")) return;
    running = true;
    try {
      const data = await get("/v1/callbacks");
      const items = (Array.isArray(data) ? data : data.callbacks || data.items || []).slice();
      items.sort((a, b) => new Date(whenOf(a)) - new Date(whenOf(b)));
      list.textContent = "";
      list.append(...items.map((item) => row(item, load)));
      $("no-callbacks").hidden = items.length > 0;
      $("callbacks-error").hidden = true;
      $("callbacks-updated").textContent = `更新于 ${hm(new Date())}`;
    } catch (error) {
      const box = $("callbacks-error");
      box.textContent =
        error instanceof ApiError && error.status !== 0
          ? `回电请求暂时读不到（${error.message}）`
          : "回电请求暂时读不到，稍后会自动再试。";
      box.hidden = false;
    } finally {
      running = false;
    }
  }

  load();
  timer = setInterval(load, CALLBACKS_REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") load();
  });
  return { reload: load, stop: () => clearInterval(timer) };
}
