// Dates and times as patrons read them, in Asia/Tokyo: 12月10日(木), with the year only when it is not this year.
import { tokyoDate, tokyoIso } from "../domain/calendar";

const WEEKDAYS = "日月火水木金土";

/** 12月10日(木); 2027年1月5日(火) when the date is in another year than `now`'s. */
export function jaDate(date: string, now: number = Date.now()): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  const year = String(y) === tokyoDate(now).slice(0, 4) ? "" : `${y}年`;
  return `${year}${m}月${d}日(${weekday})`;
}

/** 2026年12月10日(木): with the year always, for what is read later (mail). */
export function jaDateWithYear(date: string): string {
  const [y] = date.split("-");
  return `${y}年${jaDate(date, Date.parse(`${date}T12:00:00+09:00`))}`;
}

/** 12月10日(木) 21:30 */
export function jaDateTime(at: number, now: number = Date.now()): string {
  const iso = tokyoIso(at);
  return `${jaDate(iso.slice(0, 10), now)} ${iso.slice(11, 16)}`;
}

/** 12月3日 17時45分: when a page's availability figures were read (「…現在」). */
export function jaClock(at: number): string {
  const iso = tokyoIso(at);
  return `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${Number(iso.slice(11, 13))}時${iso.slice(14, 16)}分`;
}

/** The same as jaDate: a date as patrons read it, with the weekday. */
export const jaDateShort = (date: string): string => jaDate(date);

/** The range in words: 「2〜5週間ほど」, 「1週間以内」. */
export function waitWords(wait: { fromDays: number; toDays: number }): string {
  const weeks = (d: number) => Math.max(1, Math.round(d / 7));
  if (wait.toDays <= 7) return "1週間以内";
  if (wait.fromDays < 7) return `${weeks(wait.toDays)}週間以内`;
  const [a, b] = [weeks(wait.fromDays), weeks(wait.toDays)];
  return a === b ? `${a}週間ほど` : `${a}〜${b}週間ほど`;
}
