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
