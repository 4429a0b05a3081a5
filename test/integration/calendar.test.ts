// The calendar (issue 10 item 4): a month per branch with today marked, weekends and holidays told apart
// (the holiday names the calendar carries), and /calendar.ics of closed days, parsed back with ical.js.
import { env } from "cloudflare:workers";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { loadCatalog } from "../support/catalog";
import { call } from "../support/http";

const today = tokyoDate(Date.now());
const month = today.slice(0, 7);
const closed = [addDays(today, 2), addDays(today, 9)];
const holiday = addDays(today, 9);

beforeAll(async () => {
  await loadCatalog();
  const rows = Array.from({ length: 60 }, (_, i) => addDays(today, i - 10));
  await env.DB.batch(
    rows.map((d) =>
      env.DB.prepare(
        "INSERT INTO calendar_days (date, open, note) VALUES (?, ?, ?) ON CONFLICT (date) DO UPDATE SET open = excluded.open, note = excluded.note",
      ).bind(d, closed.includes(d) ? 0 : 1, d === holiday ? "テストの日" : null),
    ),
  );
});

describe("the month view", () => {
  it("marks today, the weekends and holidays with their names; a branch's month shows its hours", async () => {
    const html = await (await call(`/calendar?month=${month}&branch=kita`)).text();
    expect(html).toContain("（北部分館）");
    expect(html).toContain("開館時間：火〜日 9:00〜17:00");
    expect(html).toMatch(
      new RegExp(
        `<td class="[^"]*today[^"]*" aria-current="date">${Number(today.slice(8))}<span class="visually-hidden">（今日）</span>`,
      ),
    );
    expect(html).toContain('<th scope="col" class="sun">日</th>');
    expect(html).toContain('<th scope="col" class="sat">土</th>');
    if (holiday.slice(0, 7) === month) expect(html).toContain('<small class="holiday">テストの日</small>');
    expect(html).toContain(`href="/calendar.ics?branch=kita"`);
  });

  it("an unknown branch is a 400 page with the library's month", async () => {
    const res = await call("/calendar?branch=nowhere");
    expect(res.status).toBe(400);
  });
});

describe("/calendar.ics", () => {
  it("parses as iCalendar with one all-day event per closed day the calendar names (none for unplanned months)", async () => {
    const res = await call("/calendar.ics?branch=minami");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const text = await res.text();
    expect(text.split("\r\n").every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    const cal = new ICAL.Component(ICAL.parse(text));
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    const events = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    const starts = events.map((e) => e.startDate.toString());
    for (const d of closed) expect(starts).toContain(d);
    // Days beyond what the calendar plans are not made closed days.
    expect(starts.every((d) => d <= addDays(today, 49))).toBe(true);
    const withName = events.find((e) => e.startDate.toString() === holiday);
    expect(withName?.summary).toBe("休館日（南部分館） テストの日");
    expect(withName?.startDate.isDate).toBe(true);
    expect(withName?.endDate.toString()).toBe(addDays(holiday, 1));
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
  });

  it("the whole library's feed; an unknown branch is 400", async () => {
    const text = await (await call("/calendar.ics")).text();
    expect(text).toContain("X-WR-CALNAME:みなみ市立図書館 休館日");
    expect((await call("/calendar.ics?branch=nowhere")).status).toBe(400);
  });
});
