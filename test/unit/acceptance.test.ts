// The acceptance rule for one application, and hold deadlines counted in opening days.
import { describe, expect, it } from "vitest";
import { type ApplicationFacts, decideApplication, holdDeadline } from "../../src/domain/acceptance";

const ok: ApplicationFacts = {
  webEnabled: true,
  suspended: false,
  cardValidUntil: null,
  today: "2026-12-01",
  reservability: { reservable: true },
  duplicate: false,
  activeCount: 3,
  limit: 10,
};

describe("decideApplication", () => {
  it("accepts when every rule still holds", () => expect(decideApplication(ok)).toEqual({ accept: true }));

  it.each<[string, Partial<ApplicationFacts>, RegExp]>([
    ["web use was stopped", { webEnabled: false }, /利用が停止/],
    ["the patron is suspended", { suspended: true }, /利用が停止/],
    ["the card expired yesterday", { cardValidUntil: "2026-11-30" }, /有効期限/],
    ["the material became the latest issue", { reservability: { reservable: false, reason: "latest_issue" } }, /最新号/],
    ["no copy can be lent any more", { reservability: { reservable: false, reason: "no_loanable_item" } }, /貸出できる所蔵/],
    ["it duplicates an accepted reservation", { duplicate: true }, /すでに予約/],
    ["the limit is reached (counter reservations included)", { activeCount: 10 }, /10冊/],
  ])("refuses when %s, with a reason the patron can read", (_name, change, reason) => {
    const d = decideApplication({ ...ok, ...change });
    expect(d.accept).toBe(false);
    if (!d.accept) expect(d.reason).toMatch(reason);
  });

  it("accepts a card valid through today", () =>
    expect(decideApplication({ ...ok, cardValidUntil: "2026-12-01" }).accept).toBe(true));
  it("accepts the tenth reservation", () => expect(decideApplication({ ...ok, activeCount: 9 }).accept).toBe(true));
});

describe("holdDeadline", () => {
  const open = ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-05", "2026-12-06", "2026-12-08", "2026-12-09", "2026-12-10"];
  it("is the seventh opening day after the day the copy was set aside, skipping closed days", () => {
    expect(holdDeadline("2026-11-30", 7, open)).toBe("2026-12-09");
  });
  it("does not count the day itself", () => expect(holdDeadline("2026-12-01", 1, open)).toBe("2026-12-02"));
  it("is undefined when the calendar does not reach far enough", () =>
    expect(holdDeadline("2026-12-09", 7, open)).toBeUndefined());
});
