// Dates and times as patrons read them, in Asia/Tokyo.
import { tokyoIso } from "../domain/calendar";

/** 2026年11月28日 */
export function jaDate(date: string): string {
  const [y, m, d] = date.split("-");
  return `${y}年${Number(m)}月${Number(d)}日`;
}

/** 2026年11月28日 21:30 */
export function jaDateTime(at: number): string {
  const iso = tokyoIso(at);
  return `${jaDate(iso.slice(0, 10))} ${iso.slice(11, 16)}`;
}

/** 12月3日 17時45分: when a page's availability figures were read (「…現在」). */
export function jaClock(at: number): string {
  const iso = tokyoIso(at);
  return `${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日 ${Number(iso.slice(11, 13))}時${iso.slice(14, 16)}分`;
}

/** 12月10日(木): a date within the year as patrons read it, with the weekday. */
export function jaDateShort(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const weekday = "日月火水木金土"[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${m}月${d}日(${weekday})`;
}

/** The range in words: 「2〜5週間ほど」, 「1週間以内」. */
export function waitWords(wait: { fromDays: number; toDays: number }): string {
  const weeks = (d: number) => Math.max(1, Math.round(d / 7));
  if (wait.toDays <= 7) return "1週間以内";
  if (wait.fromDays < 7) return `${weeks(wait.toDays)}週間以内`;
  const [a, b] = [weeks(wait.fromDays), weeks(wait.toDays)];
  return a === b ? `${a}週間ほど` : `${a}〜${b}週間ほど`;
}
