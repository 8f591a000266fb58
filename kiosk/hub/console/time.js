// Dates in Asia/Shanghai. China has kept UTC+08:00 all year since 1991,
// so a fixed offset is exact and does not depend on the browser's zone.
// A "day key" is the Shanghai calendar date as "YYYY-MM-DD".

export const OFFSET = "+08:00";
const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const WEEKDAYS = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];
export const SHORT_WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

const pad = (n) => String(n).padStart(2, "0");

// A Date whose UTC fields read as Shanghai wall-clock time.
function shifted(date) {
  return new Date(new Date(date).getTime() + OFFSET_MS);
}

function parseKey(key) {
  const [y, m, d] = key.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function keyOfUtc(date) {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

export function dayKey(date) {
  return keyOfUtc(shifted(date));
}

export function todayKey() {
  return dayKey(new Date());
}

export function hm(date) {
  const s = shifted(date);
  return `${pad(s.getUTCHours())}:${pad(s.getUTCMinutes())}`;
}

export function addDays(key, days) {
  return keyOfUtc(new Date(parseKey(key).getTime() + days * DAY_MS));
}

export function daysBetween(fromKey, toKey) {
  return Math.round((parseKey(toKey) - parseKey(fromKey)) / DAY_MS);
}

export function weekdayIndex(key) {
  return parseKey(key).getUTCDay(); // 0 = Sunday
}

export function weekday(key) {
  return WEEKDAYS[weekdayIndex(key)];
}

export function mondayOf(key) {
  const index = weekdayIndex(key);
  return addDays(key, index === 0 ? -6 : 1 - index);
}

// "11月25日"
export function monthDay(key) {
  const d = parseKey(key);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

// "2025年11月25日"
export function fullDate(key) {
  return `${key.slice(0, 4)}年${monthDay(key)}`;
}

// "今天", "明天", "后天" or "".
export function nearWord(key, today = todayKey()) {
  const diff = daysBetween(today, key);
  return diff === 0 ? "今天" : diff === 1 ? "明天" : diff === 2 ? "后天" : "";
}

// "11月25日 星期二", with 今天 / 明天 when it applies.
export function dayLabel(key, today = todayKey()) {
  const near = nearWord(key, today);
  return `${monthDay(key)} ${weekday(key)}${near ? `（${near}）` : ""}`;
}

// ISO 8601 with +08:00 for a Shanghai day and "HH:MM".
export function isoAt(key, time = "00:00") {
  return `${key}T${time}:00${OFFSET}`;
}

// "11月25日 星期二 09:00"
export function dateTimeLabel(date, today = todayKey()) {
  return `${dayLabel(dayKey(date), today)} ${hm(date)}`;
}

// "09:00 – 12:00", "18:00 – 次日 08:00", "前一天 20:00 – 08:00" relative to a day.
export function spanLabel(startsAt, endsAt, key = dayKey(startsAt)) {
  const startKey = dayKey(startsAt);
  const endKey = dayKey(endsAt);
  // A shift that ends exactly at midnight ends "24:00" of its day.
  const endsAtMidnight = hm(endsAt) === "00:00" && daysBetween(startKey, endKey) === 1;
  const before = daysBetween(startKey, key);
  const after = daysBetween(key, endKey);
  const startText = before === 0 ? hm(startsAt) : before === 1 ? `前一天 ${hm(startsAt)}` : `${monthDay(startKey)} ${hm(startsAt)}`;
  let endText;
  if (endsAtMidnight && before === 0) endText = "24:00";
  else if (after === 0) endText = hm(endsAt);
  else if (after === 1) endText = `次日 ${hm(endsAt)}`;
  else endText = `${monthDay(endKey)} ${hm(endsAt)}`;
  return `${startText} – ${endText}`;
}

// "3 小时 30 分钟"
export function durationLabel(startsAt, endsAt) {
  const minutes = Math.round((new Date(endsAt) - new Date(startsAt)) / 60000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h} 小时 ${m} 分钟`;
  if (h) return `${h} 小时`;
  return `${m} 分钟`;
}

// "刚刚", "5 分钟前", "3 小时前", else the date and time.
export function agoLabel(date, now = new Date()) {
  const seconds = Math.round((now - new Date(date)) / 1000);
  if (seconds < 60) return "刚刚";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分钟前`;
  if (seconds < 24 * 3600) return `${Math.floor(seconds / 3600)} 小时前`;
  return dateTimeLabel(date);
}

// "还有 59 分钟" until a moment.
export function remainingLabel(date, now = new Date()) {
  const minutes = Math.floor((new Date(date) - now) / 60000);
  if (minutes < 0) return "已过期";
  if (minutes < 60) return `还有 ${minutes} 分钟`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h < 48) return m ? `还有 ${h} 小时 ${m} 分钟` : `还有 ${h} 小时`;
  return `还有 ${Math.floor(h / 24)} 天`;
}
