import { ApiError, busy, clearErrors, fieldError, get, pageForRole, post, rememberCsrf, showError } from "./api.js";

const form = document.getElementById("login-form");
const username = document.getElementById("username");
const password = document.getElementById("password");
const button = document.getElementById("login-button");
const notice = document.getElementById("login-notice");
const showPassword = document.getElementById("show-password");

const REASONS = {
  logout: "您已退出登录。",
  expired: "登录已过期，请重新登录。",
};

let countdown = null;
let locked = false;

function lockFor(seconds) {
  const box = document.getElementById("login-error");
  clearInterval(countdown);
  let left = seconds;
  const tick = () => {
    if (left <= 0) {
      clearInterval(countdown);
      locked = false;
      button.disabled = false;
      box.hidden = true;
      return;
    }
    box.textContent = "";
    const strong = document.createElement("strong");
    strong.textContent = `尝试次数过多，请 ${left} 秒后再试。`;
    box.append(strong);
    box.hidden = false;
    left -= 1;
  };
  locked = true;
  button.disabled = true;
  tick();
  countdown = setInterval(tick, 1000);
}

async function alreadyLoggedIn() {
  // Only ask when a session cookie pair is likely there, so a fresh visit makes no failing request.
  if (!document.cookie.split(";").some((c) => c.trim().startsWith("kiosk_csrf="))) return;
  try {
    const session = await get("/v1/auth/session", { redirectOn401: false });
    if (session && session.role) {
      rememberCsrf(session.csrf_token);
      window.location.replace(pageForRole(session.role));
    }
  } catch {
    /* not logged in: stay here */
  }
}

showPassword.addEventListener("change", () => {
  password.type = showPassword.checked ? "text" : "password";
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  notice.hidden = true;
  const name = username.value.trim();
  if (!name) {
    fieldError(form, "username", "请填写用户名。");
    return;
  }
  if (!password.value) {
    fieldError(form, "password", "请填写密码。");
    return;
  }
  await busy(button, async () => {
    try {
      const session = await post(
        "/v1/auth/login",
        { username: name, password: password.value },
        { redirectOn401: false },
      );
      rememberCsrf(session.csrf_token);
      window.location.assign(pageForRole(session.role));
    } catch (error) {
      password.value = "";
      if (error instanceof ApiError && error.status === 429) {
        showError(form, error);
        lockFor(error.retryAfter ?? 60);
        return;
      }
      showError(form, error, { 401: "用户名或密码不对，请重新输入。" });
      password.focus();
    }
  });
  if (locked) button.disabled = true;
});

const reason = new URLSearchParams(window.location.search).get("reason");
if (reason && REASONS[reason]) {
  notice.textContent = REASONS[reason];
  notice.hidden = false;
}
username.focus();
alreadyLoggedIn();
