// The bureau's fixed catalogue (kiosk/domain/catalogue.py), read from the hub,
// with the same Chinese names built in so a page never shows a bare code.
import { get } from "./api.js";

const SERVICE_NAMES = {
  legal_consultation: "法律咨询",
  legal_aid: "法律援助",
  duty_lawyer: "值班律师法律帮助",
  village_adviser: "村（居）法律顾问",
  mediation: "人民调解",
  legal_education: "普法宣传",
};
const GROUP_NAMES = {
  lawyer: "律师",
  judicial_appraisal: "司法鉴定",
  notary: "公证",
  arbitration: "仲裁",
};

export const catalogue = {
  services: Object.entries(SERVICE_NAMES).map(([code, name_zh]) => ({ code, name_zh })),
  groups: Object.entries(GROUP_NAMES).map(([code, name_zh]) => ({ code, name_zh })),
};

export async function loadCatalogue() {
  const [services, groups] = await Promise.all([
    get("/v1/services").catch(() => null),
    get("/v1/expert-groups").catch(() => null),
  ]);
  if (Array.isArray(services) && services.length) catalogue.services = services;
  if (Array.isArray(groups) && groups.length) catalogue.groups = groups;
  return catalogue;
}

export function serviceName(code) {
  const found = catalogue.services.find((s) => s.code === code);
  return found ? found.name_zh : SERVICE_NAMES[code] || code;
}

export function groupName(code) {
  const found = catalogue.groups.find((g) => g.code === code);
  return found ? found.name_zh : GROUP_NAMES[code] || code;
}

// Small DOM helper: el("p", {className: "x"}, "text", child)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

let toastTimer = null;
export function toast(message, kind = "ok") {
  let box = document.getElementById("toast");
  if (!box) {
    box = el("div", { id: "toast", className: "toast", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  box.className = kind === "error" ? "toast error" : "toast";
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 5000);
}
