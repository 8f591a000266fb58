// Small fetch wrapper for the hub's JSON API (docs/api-contract.md).
// - sends and reads JSON, same-origin cookies;
// - adds the X-CSRF-Token header on unsafe methods;
// - on 401 (no session / session expired) goes back to the login page;
// - turns ErrorBody {detail, errors[]} into an ApiError with Chinese text.

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const CSRF_KEY = "kiosk_csrf";

export class ApiError extends Error {
  constructor(status, message, detail = "", errors = [], retryAfter = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail; // the hub's own sentence (English), kept for the details line
    this.errors = errors; // [{field, message}]
    this.retryAfter = retryAfter; // seconds, for 429
  }
}

function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export function rememberCsrf(token) {
  try {
    sessionStorage.setItem(CSRF_KEY, token);
  } catch {
    /* private mode: the cookie is enough */
  }
}

function csrfToken() {
  const fromCookie = readCookie(CSRF_KEY);
  if (fromCookie) return fromCookie;
  try {
    return sessionStorage.getItem(CSRF_KEY) || "";
  } catch {
    return "";
  }
}

export function goToLogin(reason = "") {
  const url = new URL("index.html", window.location.href);
  if (reason) url.searchParams.set("reason", reason);
  window.location.assign(url.toString());
}

// Chinese sentences for the statuses a user can meet. The hub's English
// sentence is shown after them in smaller type when it adds something.
function messageFor(status, retryAfter) {
  switch (status) {
    case 400:
      return "请求的内容不对，请检查后再试。";
    case 401:
      return "登录已过期，请重新登录。";
    case 403:
      return "您的账号没有权限做这件事。";
    case 404:
      return "没有找到这条记录，可能已被别人删除。请刷新页面。";
    case 409:
      return "和已有的记录冲突。";
    case 422:
      return "填写的内容有误，请按提示修改。";
    case 429:
      return `尝试次数过多，请 ${retryAfter ?? 60} 秒后再试。`;
    default:
      if (status >= 500) return "服务器出了问题，请稍后再试。如果一直这样，请联系管理员。";
      return `操作没有成功（错误 ${status}）。`;
  }
}

// Field messages from pydantic are English; translate the common ones.
const FIELD_MESSAGES = [
  [/at least 1 (item|character)/i, "这一项必须填写。"],
  [/at least (\d+) characters/i, (m) => `至少要 ${m[1]} 个字符。`],
  [/at most (\d+) characters/i, (m) => `最多 ${m[1]} 个字符。`],
  [/should match pattern/i, "只能用英文字母、数字和 . _ -"],
  [/field required|missing/i, "这一项必须填写。"],
  [/ends_at must be after starts_at/i, "结束时间必须晚于开始时间。"],
  [/at most 24 hours/i, "一次值班最长 24 小时。"],
];

export function translateFieldMessage(message) {
  for (const [pattern, text] of FIELD_MESSAGES) {
    const match = pattern.exec(message || "");
    if (match) return typeof text === "function" ? text(match) : text;
  }
  return message;
}

export async function api(method, path, body = undefined, options = {}) {
  const { redirectOn401 = true, withTotal = false } = options;
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) headers["X-CSRF-Token"] = csrfToken();

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "连不上服务器，请检查网络后再试。");
  }

  if (response.status === 204) return null;
  let data = null;
  const text = await response.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (response.ok) {
    if (!withTotal) return data;
    // A paged list: the hub says in X-Total-Count how many there are over all pages.
    const items = Array.isArray(data) ? data : [];
    const total = Number(response.headers.get("X-Total-Count"));
    return { items, total: Number.isFinite(total) ? total : items.length };
  }

  const retryHeader = response.headers.get("Retry-After");
  const retryAfter = retryHeader && /^\d+$/.test(retryHeader) ? Number(retryHeader) : null;
  const detail = data && typeof data.detail === "string" ? data.detail : "";
  const errors = data && Array.isArray(data.errors) ? data.errors : [];
  const error = new ApiError(
    response.status,
    messageFor(response.status, retryAfter),
    detail,
    errors,
    retryAfter,
  );
  if (response.status === 401 && redirectOn401) {
    goToLogin("expired");
  }
  throw error;
}

export const get = (path, options) => api("GET", path, undefined, options);
export const getPage = (path, options) => api("GET", path, undefined, { ...options, withTotal: true });
export const post = (path, body, options) => api("POST", path, body, options);
export const put = (path, body, options) => api("PUT", path, body, options);
export const del = (path, options) => api("DELETE", path, undefined, options);

export async function logout() {
  try {
    await api("POST", "/v1/auth/logout", undefined, { redirectOn401: false });
  } catch {
    /* already logged out: fine */
  }
  try {
    sessionStorage.removeItem(CSRF_KEY);
  } catch {
    /* ignore */
  }
  goToLogin("logout");
}

// ---- showing errors next to a form -------------------------------------

// Clears the form's error box and every field message.
export function clearErrors(form) {
  const box = form.querySelector(".form-error");
  if (box) {
    box.hidden = true;
    box.textContent = "";
  }
  for (const el of form.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

// Shows an error in the form's .form-error box (role=alert) and, for 422,
// each field's message under the field named like errors[].field.
export function showError(form, error, overrides = {}) {
  clearErrors(form);
  const box = form.querySelector(".form-error");
  const status = error instanceof ApiError ? error.status : 0;
  const main = overrides[status] || (error instanceof ApiError ? error.message : "出错了，请再试一次。");
  let firstInvalid = null;
  const unplaced = [];
  if (error instanceof ApiError) {
    for (const item of error.errors) {
      const name = String(item.field || "").split(".").pop();
      const input = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
      const slot = name ? form.querySelector(`[data-error-for="${CSS.escape(name)}"]`) : null;
      if (slot) {
        slot.textContent = translateFieldMessage(item.message);
        slot.hidden = false;
      } else {
        unplaced.push(translateFieldMessage(item.message));
      }
      if (input) {
        input.setAttribute("aria-invalid", "true");
        firstInvalid = firstInvalid || input;
      }
    }
  }
  if (box) {
    box.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = main;
    box.append(strong);
    for (const message of unplaced) box.append(" ", message);
    // The hub's English sentence helps whoever supports the user; a page's own
    // Chinese explanation (an override) already says it better.
    if (error instanceof ApiError && error.detail && !overrides[status] && status !== 401 && status !== 429) {
      const small = document.createElement("span");
      small.className = "detail";
      small.textContent = `（${error.detail}）`;
      box.append(" ", small);
    }
    box.hidden = false;
  }
  if (firstInvalid) firstInvalid.focus();
}

// Marks one field invalid with a message (client-side checks).
export function fieldError(form, name, message) {
  const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
  const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (slot) {
    slot.textContent = message;
    slot.hidden = false;
  }
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

// Disables a button while a request runs, so a double click does not post twice.
export async function busy(button, work) {
  const old = button.disabled;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = old;
    button.removeAttribute("aria-busy");
  }
}

// The session, or a redirect to the login page.
export async function requireSession(role) {
  const session = await get("/v1/auth/session");
  if (session && session.csrf_token) rememberCsrf(session.csrf_token);
  if (role && session.role !== role) {
    window.location.replace(session.role === "admin" ? "admin.html" : "lawyer.html");
    throw new ApiError(403, "wrong page");
  }
  return session;
}

export function pageForRole(role) {
  return role === "admin" ? "admin.html" : "lawyer.html";
}
