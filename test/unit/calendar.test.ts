// Business dates in Asia/Tokyo (UTC+9) and the library's regular closing days.
import { describe, expect, it } from "vitest";
import { addDays, datesOfMonth, isRegularClosingDay, isValidDate, tokyoDate, tokyoIso, weekday } from "../../src/domain/calendar";

const noHoliday = () => false;

describe("tokyoDate", () => {
  it("turns to the next Tokyo day at 15:00 UTC: 2026-11-28T15:00:00Z is 2026-11-29", () => {
    expect(tokyoDate(Date.parse("2026-11-28T15:00:00Z"))).toBe("2026-11-29");
  });

  it("is still the same Tokyo day one second earlier: 2026-11-28T14:59:59Z is 2026-11-28", () => {
    expect(tokyoDate(Date.parse("2026-11-28T14:59:59Z"))).toBe("2026-11-28");
    expect(tokyoDate(Date.parse("2026-11-28T14:59:59.999Z"))).toBe("2026-11-28");
  });

  it("accepts a Date as well as milliseconds", () => {
    expect(tokyoDate(new Date("2026-12-31T15:00:00Z"))).toBe("2027-01-01");
  });

  it("is the Tokyo date of an instant written with the +09:00 offset", () => {
    expect(tokyoDate(new Date("2026-12-01T00:00:00+09:00"))).toBe("2026-12-01");
    expect(tokyoDate(new Date("2026-11-30T23:59:59+09:00"))).toBe("2026-11-30");
  });
});

describe("tokyoIso", () => {
  it("writes an instant with the +09:00 offset, to the second", () => {
    expect(tokyoIso(Date.parse("2026-11-28T15:00:00Z"))).toBe("2026-11-29T00:00:00+09:00");
    expect(tokyoIso(new Date("2026-11-28T14:59:59.999Z"))).toBe("2026-11-28T23:59:59+09:00");
  });

  it("names the same instant it was given", () => {
    const at = Date.parse("2026-07-15T03:04:05Z");
    expect(Date.parse(tokyoIso(at))).toBe(at);
  });
});

describe("addDays", () => {
  it.each([
    ["2026-11-30", 1, "2026-12-01"],
    ["2026-12-31", 1, "2027-01-01"],
    ["2027-01-01", -1, "2026-12-31"],
    ["2028-02-28", 1, "2028-02-29"],
    ["2028-02-29", 1, "2028-03-01"],
    ["2028-03-01", -1, "2028-02-29"],
    ["2027-02-28", 1, "2027-03-01"],
    ["2026-12-01", 0, "2026-12-01"],
    ["2026-12-25", 14, "2027-01-08"],
    ["2026-01-31", 30, "2026-03-02"],
  ] as const)("moves %s by %i days to %s, across month, year ends and the leap day", (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });
});

describe("datesOfMonth", () => {
  it("lists every date of a month, in order", () => {
    const dec = datesOfMonth("2026-12");
    expect(dec).toHaveLength(31);
    expect(dec[0]).toBe("2026-12-01");
    expect(dec[30]).toBe("2026-12-31");
    expect(dec).toEqual([...dec].sort());
  });

  it("has 29 days in February of a leap year (2028) and 28 otherwise (2027)", () => {
    expect(datesOfMonth("2028-02")).toHaveLength(29);
    expect(datesOfMonth("2028-02").at(-1)).toBe("2028-02-29");
    expect(datesOfMonth("2027-02")).toHaveLength(28);
  });

  it("has 30 days in a 30-day month", () => {
    expect(datesOfMonth("2026-11")).toHaveLength(30);
  });
});

describe("isValidDate", () => {
  it.each(["2026-12-01", "2028-02-29", "2026-12-31", "2027-01-01"])("accepts the real date %s", (date) => {
    expect(isValidDate(date)).toBe(true);
  });

  it.each([
    "2027-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-11-31",
    "2026-1-01",
    "2026-12-1",
    "abc",
    "",
    "2026/12/01",
  ])("refuses %j, which is not a real YYYY-MM-DD date", (date) => {
    expect(isValidDate(date)).toBe(false);
  });
});

describe("isRegularClosingDay", () => {
  it("closes on Mondays", () => {
    expect(weekday("2026-11-30")).toBe(1);
    expect(isRegularClosingDay("2026-11-30", noHoliday)).toBe(true);
  });

  it.each(["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"])(
    "closes for the New Year break (12/29–1/3): %s",
    (date) => {
      expect(isRegularClosingDay(date, noHoliday)).toBe(true);
    },
  );

  it("opens again just outside the New Year break (a Tuesday 12/28, a Tuesday 1/5)", () => {
    expect(isRegularClosingDay("2027-12-28", noHoliday)).toBe(false);
    expect(isRegularClosingDay("2027-01-05", noHoliday)).toBe(false);
  });

  it("closes on a national holiday as the callback reports it (文化の日 2026-11-03, a Tuesday)", () => {
    const asked: string[] = [];
    const isHoliday = (date: string) => {
      asked.push(date);
      return date === "2026-11-03";
    };
    expect(isRegularClosingDay("2026-11-03", isHoliday)).toBe(true);
    expect(asked).toContain("2026-11-03");
  });

  it("opens on an ordinary Tuesday", () => {
    expect(weekday("2026-12-01")).toBe(2);
    expect(isRegularClosingDay("2026-12-01", noHoliday)).toBe(false);
  });

  it("opens on weekends that are not holidays", () => {
    expect(isRegularClosingDay("2026-11-28", noHoliday)).toBe(false);
    expect(isRegularClosingDay("2026-11-29", noHoliday)).toBe(false);
  });
});
