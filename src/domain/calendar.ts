// Business dates of the library: Asia/Tokyo (UTC+9, no daylight saving), whatever zone the server runs in.

const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The Tokyo business date ('YYYY-MM-DD') of an instant. */
export function tokyoDate(at: Date | number): string {
  const ms = typeof at === "number" ? at : at.getTime();
  return new Date(ms + TOKYO_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as ISO-8601 with the +09:00 offset, as the API writes instants. */
export function tokyoIso(at: Date | number): string {
  const ms = typeof at === "number" ? at : at.getTime();
  return `${new Date(ms + TOKYO_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}

/** A date string plus or minus whole days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Every date of a month 'YYYY-MM'. */
export function datesOfMonth(month: string): string[] {
  const first = `${month}-01`;
  const out: string[] = [];
  for (let d = first; d.startsWith(month); d = addDays(d, 1)) out.push(d);
  return out;
}

/** Whether 'YYYY-MM-DD' is a real calendar date. */
export function isValidDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
}

/** 0 = Sunday … 6 = Saturday, of a date string. */
export const weekday = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The library's usual closing rule: Mondays, national holidays and the New Year break (12/29–1/3). */
export function isRegularClosingDay(date: string, isHoliday: (date: string) => boolean): boolean {
  const md = date.slice(5);
  if (md >= "12-29" || md <= "01-03") return true;
  return weekday(date) === 1 || isHoliday(date);
}
