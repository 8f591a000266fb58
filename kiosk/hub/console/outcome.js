// After a call: what came of it, and the final notes -> PUT /v1/consultations/{id}/outcome.
// Forms not yet saved survive a page reload (sessionStorage of this tab only).

import { busy, clearErrors, fieldError, put, showError } from "./api.js";
import { el, serviceName, toast } from "./catalogue.js";
import { clock, placeOf } from "./call.js";

export const OUTCOMES = [
  ["answered", "已解答"],
  ["referred", "已转介"],
  ["legal_aid_started", "已启动法律援助申请"],
  ["mediation_arranged", "已安排调解"],
  ["call_failed", "通话失败"],
];

const STORE_KEY = "lawyer.pending-outcomes";

function readStore() {
  try {
    const list = JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function writeStore(list) {
  try {
    if (list.length) sessionStorage.setItem(STORE_KEY, JSON.stringify(list));
    else sessionStorage.removeItem(STORE_KEY);
  } catch {
    /* private mode: the form on the screen is all there is */
  }
}

function remember(summary) {
  const list = readStore().filter((s) => s.consultation_id !== summary.consultation_id);
  list.push(summary);
  writeStore(list);
}

function forget(id) {
  writeStore(readStore().filter((s) => s.consultation_id !== id));
}

export function pendingOutcomes() {
  return readStore();
}

export function dropOutcome(id) {
  forget(id);
  const form = document.querySelector(`.outcome[data-consultation="${CSS.escape(id)}"]`);
  if (form) form.remove();
}

// summary: {consultation_id, info, duration_s, connected, ended, notes, outcome?}
// onDone() after it is saved; beforeSave(summary) may send what the hub still needs.
export function showOutcome(summary, { onDone = () => {}, beforeSave = null } = {}) {
  const box = document.getElementById("outcomes");
  const id = summary.consultation_id;
  const existing = box.querySelector(`.outcome[data-consultation="${CSS.escape(id)}"]`);
  if (existing) existing.remove();
  remember(summary);

  const titleId = `outcome-title-${id}`;
  const name = `outcome-${id}`;
  const preset = summary.outcome || (summary.connected ? "" : "call_failed");
  const options = OUTCOMES.map(([code, label]) =>
    el(
      "label",
      { className: "choice" },
      el("input", { type: "radio", name: "outcome", value: code, checked: code === preset }),
      el("span", { className: "choice-text" }, label),
    ),
  );
  const notes = el("textarea", { name: "notes", id: `outcome-notes-${id}`, maxLength: 10000, rows: 4 });
  notes.value = summary.notes || "";
  const submit = el("button", { type: "submit", className: "btn primary large" }, "保存结果");
  const form = el(
    "form",
    { noValidate: true },
    el("div", { className: "form-error", role: "alert", hidden: true }),
    el(
      "fieldset",
      {},
      el("legend", {}, "这次咨询的结果（必选一项）"),
      el("div", { className: "choices" }, options),
      el("p", { className: "field-error", dataset: { errorFor: "outcome" }, hidden: true }),
    ),
    el(
      "div",
      { className: "field" },
      el("label", { for: notes.id }, "笔记（可以补充或修改）"),
      notes,
      el("p", { className: "field-error", dataset: { errorFor: "notes" }, hidden: true }),
    ),
    el("div", { className: "btn-row" }, submit),
  );
  const facts = [
    summary.info.site_name,
    serviceName(summary.info.service),
    `通话 ${clock(summary.duration_s || 0)}`,
    summary.ended,
  ].filter(Boolean);
  const panel = el(
    "section",
    { className: "panel outcome", "aria-labelledby": titleId, dataset: { consultation: id } },
    el("h2", { id: titleId }, "通话已结束，请填写结果：", el("span", { className: "place" }, placeOf(summary.info))),
    el("p", { className: "facts" }, facts.join(" · ")),
    form,
  );

  const keep = () => {
    const checked = form.querySelector("input[name=outcome]:checked");
    remember({ ...summary, notes: notes.value, outcome: checked ? checked.value : "" });
  };
  form.addEventListener("change", keep);
  notes.addEventListener("input", keep);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const checked = form.querySelector("input[name=outcome]:checked");
    if (!checked) {
      fieldError(form, "outcome", "请选择这次咨询的结果。");
      return;
    }
    await busy(submit, async () => {
      try {
        if (beforeSave) beforeSave(summary);
        await put(`/v1/consultations/${encodeURIComponent(id)}/outcome`, {
          outcome: checked.value,
          notes: notes.value,
        });
      } catch (error) {
        showError(form, error, { 404: "服务器上找不到这次通话的记录。请把结果告诉管理员。" });
        return;
      }
      forget(id);
      panel.remove();
      toast("通话结果已保存。");
      onDone();
    });
  });

  box.prepend(panel);
  return panel;
}
