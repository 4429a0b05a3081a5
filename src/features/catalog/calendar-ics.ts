// /calendar.ics (issue 10 item 4): the library's closed days as an iCalendar feed (RFC 5545) phones can
// subscribe to, for the whole library or one branch (its name in each event). Only days the calendar
// says are closed: a month not yet planned has no events rather than a month of closed days. Written
// here: the `ics` package would weigh more in the Worker than these few lines; tests parse it back.
import { Hono } from "hono/tiny";
import { addDays, datesOfMonth, tokyoDate } from "../../domain/calendar";
import type { AppEnv } from "../../env";
import { settingsOf } from "../../settings";
import { monthFor, namedBranch } from "./reference";

/** Months the feed covers: the last one (MONTHS_BACK is 1: the loop starts there), this one and a year ahead. */
const MONTHS_BACK = 1;
const MONTHS_AHEAD = 12;

/** TEXT values: backslash, semicolon, comma and line breaks escaped (RFC 5545 3.3.11). */
const text = (s: string) => s.replace(/[\\;,]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, "\\n");

const utf8 = new TextEncoder();

/** Content lines fold at 75 octets (UTF-8), never inside a character; CRLF ends each. */
function fold(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const n = utf8.encode(ch).length;
    if (octets + n > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join("\r\n ");
}

const compact = (date: string) => date.replaceAll("-", "");

/** 'YYYY-MM' from the month before today's through MONTHS_AHEAD after it. */
function monthsAround(today: string): string[] {
  const months: string[] = [];
  let m = addDays(`${today.slice(0, 7)}-01`, -1).slice(0, 7);
  for (let i = 0; i < MONTHS_BACK + 1 + MONTHS_AHEAD; i++) {
    months.push(m);
    m = addDays(`${m}-28`, 7).slice(0, 7);
  }
  return months;
}

export const calendarIcs = new Hono<AppEnv>().get("/calendar.ics", async (c) => {
  const branch = await namedBranch(c, c.req.query("branch"));
  const { libraryName, baseUrl } = settingsOf(c.env);
  const host = new URL(baseUrl).host;
  const now = Date.now();
  const stamp = `${new Date(now).toISOString().replace(/[-:]/g, "").slice(0, 15)}Z`;
  const months = await Promise.all(
    monthsAround(tokyoDate(now)).map((m) => {
      const dates = datesOfMonth(m);
      return monthFor(c, m, dates[0] as string, dates[dates.length - 1] as string);
    }),
  );
  const where = branch ? branch.name : libraryName;
  const events = months
    .flat()
    .filter((d) => !d.open)
    .flatMap((d) => [
      "BEGIN:VEVENT",
      `UID:closed-${d.date}${branch ? `-${branch.code}` : ""}@${host}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${compact(d.date)}`,
      `DTEND;VALUE=DATE:${compact(addDays(d.date, 1))}`,
      `SUMMARY:${text(`休館日（${where}）${d.note ? ` ${d.note}` : ""}`)}`,
      `URL:${baseUrl}/calendar?month=${d.date.slice(0, 7)}${branch ? `&branch=${branch.code}` : ""}`,
      "TRANSP:TRANSPARENT",
      "END:VEVENT",
    ]);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    `PRODID:-//${text(libraryName)}//Web予約//JA`,
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${text(`${where} 休館日`)}`,
    "X-WR-TIMEZONE:Asia/Tokyo",
    ...events,
    "END:VCALENDAR",
  ];
  const body = `${lines.map(fold).join("\r\n")}\r\n`;
  return c.body(body, 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": `inline; filename="closed-days${branch ? `-${branch.code}` : ""}.ics"`,
    "Cache-Control": "public, max-age=3600",
  });
});
