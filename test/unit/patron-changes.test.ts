// What a patron may change online, as pure rules: 受取館変更, 予約の保留, 不要になる日, 取置期限の延長 and
// 貸出延長 (domain/patron-changes.ts); the 目安 of a wait (domain/queue.ts) and how pages write it (views/format.ts).
import { describe, expect, it } from "vitest";
import { addDays, tokyoDate } from "../../src/domain/calendar";
import { RESERVATION_STATUSES, type ReservationStatus } from "../../src/domain/codes";
import {
  holdExtension,
  isSuspended,
  type LoanFacts,
  NOT_NEEDED_MAX_DAYS,
  notNeeded,
  pickupChange,
  renewal,
  SUSPEND_MAX_DAYS,
  suspension,
} from "../../src/domain/patron-changes";
import { estimatedWait } from "../../src/domain/queue";
import { jaDateShort, waitWords } from "../../src/views/format";

const TODAY = "2026-12-03";
const WAITING: ReservationStatus[] = ["applied", "reserved"];
const NOT_WAITING = RESERVATION_STATUSES.filter((s) => !WAITING.includes(s));

describe("the statuses", () => {
  it("the waiting ones are 予約申請中 and 予約中; every other status the system knows is not", () => {
    expect(NOT_WAITING.sort()).toEqual(
      ["on_hold", "cancel_requested", "rejected", "application_cancelled", "cancelled", "fulfilled", "expired"].sort(),
    );
  });
});

describe("pickupChange (受取館変更)", () => {
  it.each(WAITING)("%s → ok", (status) => {
    expect(pickupChange(status)).toEqual({ ok: true });
  });

  it.each(NOT_WAITING)("%s → invalid_state", (status) => {
    expect(pickupChange(status)).toEqual({ ok: false, reason: "invalid_state" });
  });
});

describe.each([
  ["suspension (予約の保留)", suspension, SUSPEND_MAX_DAYS, 180],
  ["notNeeded (不要になる日)", notNeeded, NOT_NEEDED_MAX_DAYS, 366],
] as const)("%s", (_name, rule, max, expectedMax) => {
  it(`may be set at most ${expectedMax} days ahead`, () => {
    expect(max).toBe(expectedMax);
  });

  it.each(WAITING)("%s: lifting it (null) is ok", (status) => {
    expect(rule(status, null, TODAY)).toEqual({ ok: true });
  });

  it.each(WAITING)("%s: today is allowed", (status) => {
    expect(rule(status, TODAY, TODAY)).toEqual({ ok: true });
  });

  it.each(WAITING)("%s: tomorrow is allowed", (status) => {
    expect(rule(status, addDays(TODAY, 1), TODAY)).toEqual({ ok: true });
  });

  it.each(WAITING)("%s: yesterday is date_past", (status) => {
    expect(rule(status, addDays(TODAY, -1), TODAY)).toEqual({ ok: false, reason: "date_past" });
  });

  it.each(WAITING)("%s: long ago is date_past", (status) => {
    expect(rule(status, "2020-01-01", TODAY)).toEqual({ ok: false, reason: "date_past" });
  });

  it.each(WAITING)(`%s: exactly ${expectedMax} days ahead is allowed, one more is date_too_far`, (status) => {
    expect(rule(status, addDays(TODAY, expectedMax), TODAY)).toEqual({ ok: true });
    expect(rule(status, addDays(TODAY, expectedMax + 1), TODAY)).toEqual({ ok: false, reason: "date_too_far" });
  });

  it("counts the days across a year end and a leap day", () => {
    const today = "2027-12-31";
    const last = addDays(today, expectedMax);
    expect(rule("reserved", last, today)).toEqual({ ok: true });
    expect(rule("reserved", addDays(last, 1), today)).toEqual({ ok: false, reason: "date_too_far" });
  });

  it.each(NOT_WAITING)("%s → invalid_state, whatever the date (the state is checked first)", (status) => {
    expect(rule(status, null, TODAY)).toEqual({ ok: false, reason: "invalid_state" });
    expect(rule(status, TODAY, TODAY)).toEqual({ ok: false, reason: "invalid_state" });
    expect(rule(status, addDays(TODAY, -1), TODAY)).toEqual({ ok: false, reason: "invalid_state" });
    expect(rule(status, addDays(TODAY, 1000), TODAY)).toEqual({ ok: false, reason: "invalid_state" });
  });
});

describe("isSuspended", () => {
  it("no suspension: never passed over", () => {
    expect(isSuspended(null, TODAY)).toBe(false);
  });

  it("suspended through today or later: passed over today", () => {
    expect(isSuspended(TODAY, TODAY)).toBe(true);
    expect(isSuspended(addDays(TODAY, 1), TODAY)).toBe(true);
    expect(isSuspended(addDays(TODAY, 180), TODAY)).toBe(true);
  });

  it("suspended through yesterday: the suspension is over", () => {
    expect(isSuspended(addDays(TODAY, -1), TODAY)).toBe(false);
    expect(isSuspended("2020-01-01", TODAY)).toBe(false);
  });
});

describe("holdExtension (取置期限の延長)", () => {
  it("お取り置き, not yet extended → ok", () => {
    expect(holdExtension("on_hold", false)).toEqual({ ok: true });
  });

  it("お取り置き, extended already → already_extended", () => {
    expect(holdExtension("on_hold", true)).toEqual({ ok: false, reason: "already_extended" });
  });

  it.each(RESERVATION_STATUSES.filter((s) => s !== "on_hold"))("%s → invalid_state (extended or not)", (status) => {
    expect(holdExtension(status, false)).toEqual({ ok: false, reason: "invalid_state" });
    expect(holdExtension(status, true)).toEqual({ ok: false, reason: "invalid_state" });
  });
});

describe("renewal (貸出延長)", () => {
  const LOAN_DAYS = 14;
  const loan = (over: Partial<LoanFacts> = {}): LoanFacts => ({
    dueDate: addDays(TODAY, 5),
    renewed: false,
    waitingReservations: 0,
    patronSuspended: false,
    ...over,
  });

  it("renews for the loan period counted from today", () => {
    expect(renewal(loan(), TODAY, LOAN_DAYS)).toEqual({ ok: true, dueDate: "2026-12-17" });
    expect(renewal(loan({ dueDate: addDays(TODAY, 13) }), TODAY, LOAN_DAYS)).toEqual({
      ok: true,
      dueDate: addDays(TODAY, 14),
    });
  });

  it("a loan due today is not overdue yet: it renews", () => {
    expect(renewal(loan({ dueDate: TODAY }), TODAY, LOAN_DAYS)).toEqual({ ok: true, dueDate: addDays(TODAY, LOAN_DAYS) });
  });

  it("a loan due yesterday is overdue", () => {
    expect(renewal(loan({ dueDate: addDays(TODAY, -1) }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "overdue" });
  });

  it("uses the loan days it is given", () => {
    expect(renewal(loan(), TODAY, 21)).toEqual({ ok: true, dueDate: addDays(TODAY, 21) });
  });

  it("counts across a month and a year end", () => {
    expect(renewal(loan({ dueDate: "2026-12-30" }), "2026-12-25", LOAN_DAYS)).toEqual({ ok: true, dueDate: "2027-01-08" });
    expect(renewal(loan({ dueDate: "2028-02-20" }), "2028-02-20", 10)).toEqual({ ok: true, dueDate: "2028-03-01" });
  });

  it("is not yet possible while it would not move the due date (the one renewal is not spent for nothing)", () => {
    expect(renewal(loan({ dueDate: addDays(TODAY, 20) }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "not_yet" });
    // On the loan day itself: the same date, so not yet.
    expect(renewal(loan({ dueDate: addDays(TODAY, 14) }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "not_yet" });
    // A day later it gains a day.
    expect(renewal(loan({ dueDate: addDays(TODAY, 13) }), TODAY, LOAN_DAYS)).toEqual({ ok: true, dueDate: addDays(TODAY, 14) });
    // Text order and date order agree across the year end.
    expect(renewal(loan({ dueDate: "2027-01-20" }), "2026-12-31", LOAN_DAYS)).toEqual({ ok: false, reason: "not_yet" });
  });

  it("the other refusals come before not_yet", () => {
    const far = addDays(TODAY, 20);
    expect(renewal(loan({ dueDate: far, renewed: true }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "already_renewed" });
    expect(renewal(loan({ dueDate: far, waitingReservations: 1 }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "reserved" });
  });

  it("renewed once already → already_renewed", () => {
    expect(renewal(loan({ renewed: true }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "already_renewed" });
  });

  it("others waiting for the material → reserved", () => {
    expect(renewal(loan({ waitingReservations: 1 }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "reserved" });
    expect(renewal(loan({ waitingReservations: 5 }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "reserved" });
  });

  it("a suspended patron → suspended", () => {
    expect(renewal(loan({ patronSuspended: true }), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason: "suspended" });
  });

  describe("precedence: suspended > overdue > already_renewed > reserved", () => {
    const overdue = addDays(TODAY, -3);
    it.each([
      [{ patronSuspended: true, dueDate: overdue, renewed: true, waitingReservations: 2 }, "suspended"],
      [{ patronSuspended: true, dueDate: overdue }, "suspended"],
      [{ patronSuspended: true, renewed: true }, "suspended"],
      [{ patronSuspended: true, waitingReservations: 1 }, "suspended"],
      [{ dueDate: overdue, renewed: true, waitingReservations: 2 }, "overdue"],
      [{ dueDate: overdue, renewed: true }, "overdue"],
      [{ dueDate: overdue, waitingReservations: 1 }, "overdue"],
      [{ renewed: true, waitingReservations: 1 }, "already_renewed"],
    ] as const)("%o → %s", (over, reason) => {
      expect(renewal(loan(over), TODAY, LOAN_DAYS)).toEqual({ ok: false, reason });
    });
  });
});

describe("estimatedWait (目安)", () => {
  // 7 opening days set aside count as ceil(7 * 7 / 6) = 9 calendar days.
  it("the first in line with one copy: from now to one loan and one hold", () => {
    expect(estimatedWait(1, 1, 14, 7)).toEqual({ fromDays: 0, toDays: 23 });
  });

  it("each further round of the copies adds a loan (short end) and a loan and a hold (long end)", () => {
    expect(estimatedWait(2, 1, 14, 7)).toEqual({ fromDays: 14, toDays: 46 });
    expect(estimatedWait(3, 1, 14, 7)).toEqual({ fromDays: 28, toDays: 69 });
  });

  it("copies share the queue: the k-th waits ceil(k / copies) rounds", () => {
    expect(estimatedWait(2, 2, 14, 7)).toEqual({ fromDays: 0, toDays: 23 });
    expect(estimatedWait(3, 2, 14, 7)).toEqual({ fromDays: 14, toDays: 46 });
    expect(estimatedWait(4, 2, 14, 7)).toEqual({ fromDays: 14, toDays: 46 });
    expect(estimatedWait(5, 2, 14, 7)).toEqual({ fromDays: 28, toDays: 69 });
    expect(estimatedWait(1, 5, 14, 7)).toEqual({ fromDays: 0, toDays: 23 });
  });

  it("the hold period counts about one closed day a week", () => {
    expect(estimatedWait(1, 1, 14, 6)).toEqual({ fromDays: 0, toDays: 21 });
    expect(estimatedWait(1, 1, 14, 3)).toEqual({ fromDays: 0, toDays: 18 });
    expect(estimatedWait(1, 1, 10, 1)).toEqual({ fromDays: 0, toDays: 12 });
  });

  it("unknown: no position (not 予約中), a position below 1, or no copy serving the queue", () => {
    expect(estimatedWait(null, 1, 14, 7)).toBeNull();
    expect(estimatedWait(0, 1, 14, 7)).toBeNull();
    expect(estimatedWait(-1, 1, 14, 7)).toBeNull();
    expect(estimatedWait(1, 0, 14, 7)).toBeNull();
    expect(estimatedWait(3, -1, 14, 7)).toBeNull();
  });
});

describe("waitWords", () => {
  it("a week at most: 1週間以内", () => {
    expect(waitWords({ fromDays: 0, toDays: 7 })).toBe("1週間以内");
    expect(waitWords({ fromDays: 0, toDays: 1 })).toBe("1週間以内");
  });

  it("starting within a week: 「n週間以内」 by the long end, rounded, at least 1", () => {
    expect(waitWords({ fromDays: 0, toDays: 8 })).toBe("1週間以内");
    expect(waitWords({ fromDays: 0, toDays: 23 })).toBe("3週間以内");
    expect(waitWords({ fromDays: 6, toDays: 25 })).toBe("4週間以内");
  });

  it("later: a range of weeks 「a〜b週間ほど」", () => {
    expect(waitWords({ fromDays: 14, toDays: 46 })).toBe("2〜7週間ほど");
    expect(waitWords({ fromDays: 28, toDays: 69 })).toBe("4〜10週間ほど");
  });

  it("a range that rounds to one number: 「n週間ほど」", () => {
    expect(waitWords({ fromDays: 14, toDays: 16 })).toBe("2週間ほど");
    expect(waitWords({ fromDays: 7, toDays: 8 })).toBe("1週間ほど");
  });

  it("reads what estimatedWait gives", () => {
    expect(waitWords(estimatedWait(1, 1, 14, 7) as { fromDays: number; toDays: number })).toBe("3週間以内");
    expect(waitWords(estimatedWait(2, 1, 14, 7) as { fromDays: number; toDays: number })).toBe("2〜7週間ほど");
  });
});

describe("jaDateShort", () => {
  // The year is written only for a date outside the current (Tokyo) year.
  const thisYear = tokyoDate(Date.now()).slice(0, 4);
  const expected = (date: string, words: string) => (date.slice(0, 4) === thisYear ? words : `${date.slice(0, 4)}年${words}`);

  it.each([
    ["2026-12-17", "12月17日(木)"],
    ["2026-12-03", "12月3日(木)"],
    ["2026-12-05", "12月5日(土)"],
    ["2026-12-06", "12月6日(日)"],
    ["2027-01-03", "1月3日(日)"],
    ["2028-02-29", "2月29日(火)"],
  ])("%s → %s (with the year when not this year)", (date, words) => {
    expect(jaDateShort(date)).toBe(expected(date, words));
  });

  it("a date of this year has no year; one of next year has it", () => {
    expect(jaDateShort(`${thisYear}-01-01`)).toMatch(/^1月1日\([日月火水木金土]\)$/);
    const next = String(Number(thisYear) + 1);
    expect(jaDateShort(`${next}-01-01`)).toMatch(new RegExp(`^${next}年1月1日\\([日月火水木金土]\\)$`));
  });
});
