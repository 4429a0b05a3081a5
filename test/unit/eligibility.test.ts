// The one eligibility rule (apply time, the counter, the morning acceptance), and hold deadlines in opening days.
import { describe, expect, it } from "vitest";
import { type EligibilityFacts, PATRON_REFUSALS, refusalOf } from "../../src/domain/eligibility";
import { holdDeadline } from "../../src/domain/holds";

const standing = { webEnabled: true, suspended: false, mustChangeCredentials: false, cardValidUntil: null };
const ok: EligibilityFacts = {
  channel: "acceptance",
  patron: standing,
  today: "2026-12-01",
  reservability: { reservable: true },
  duplicate: false,
  activeCount: 3,
  adding: 1,
  limit: 10,
};
const patron = (change: Partial<NonNullable<EligibilityFacts["patron"]>>) => ({ patron: { ...standing, ...change } });

describe("refusalOf", () => {
  it("allows when every rule holds", () => expect(refusalOf(ok)).toBeUndefined());

  it.each<[string, Partial<EligibilityFacts>, string]>([
    ["web use was stopped", patron({ webEnabled: false }), "web_use_stopped"],
    ["the patron is suspended", patron({ suspended: true }), "web_use_stopped"],
    ["the patron is unknown", { patron: undefined }, "web_use_stopped"],
    ["the card expired yesterday", patron({ cardValidUntil: "2026-11-30" }), "card_expired"],
    ["the material became the latest issue", { reservability: { reservable: false, reason: "latest_issue" } }, "latest_issue"],
    ["no copy can be lent any more", { reservability: { reservable: false, reason: "no_loanable_item" } }, "no_loanable_item"],
    ["it duplicates an active reservation", { duplicate: true }, "duplicate"],
    ["the limit is reached (counter reservations included)", { activeCount: 10 }, "over_limit"],
    ["an application of 3 would pass the limit", { activeCount: 8, adding: 3 }, "over_limit"],
  ])("refuses when %s, with a code", (_name, change, code) => expect(refusalOf({ ...ok, ...change })).toBe(code));

  it("checks in the guide's order: the patron before the card, the card before the material, the material before the limit", () => {
    expect(refusalOf({ ...ok, ...patron({ webEnabled: false, cardValidUntil: "2020-01-01" }) })).toBe("web_use_stopped");
    expect(
      refusalOf({
        ...ok,
        ...patron({ cardValidUntil: "2020-01-01" }),
        reservability: { reservable: false, reason: "latest_issue" },
      }),
    ).toBe("card_expired");
    expect(
      refusalOf({ ...ok, duplicate: true, activeCount: 10, reservability: { reservable: false, reason: "latest_issue" } }),
    ).toBe("latest_issue");
    expect(refusalOf({ ...ok, duplicate: true, activeCount: 10 })).toBe("duplicate");
  });

  it("at the counter the card is what matters: web use stopped and temporary credentials do not refuse", () => {
    expect(
      refusalOf({ ...ok, channel: "counter", ...patron({ webEnabled: false, mustChangeCredentials: true }) }),
    ).toBeUndefined();
    expect(refusalOf({ ...ok, channel: "counter", ...patron({ suspended: true }) })).toBe("web_use_stopped");
    expect(refusalOf({ ...ok, channel: "counter", ...patron({ cardValidUntil: "2020-01-01" }) })).toBe("card_expired");
  });

  it("on the web at apply time temporary credentials refuse; the acceptance does not look at them", () => {
    expect(refusalOf({ ...ok, channel: "web", ...patron({ mustChangeCredentials: true }) })).toBe("credentials_temporary");
    expect(refusalOf({ ...ok, ...patron({ mustChangeCredentials: true }) })).toBeUndefined();
  });

  it("patron refusals are the ones the doors answer as forbidden", () =>
    expect([...PATRON_REFUSALS].sort()).toEqual(["card_expired", "credentials_temporary", "web_use_stopped"]));

  it("accepts a card valid through today", () =>
    expect(refusalOf({ ...ok, ...patron({ cardValidUntil: "2026-12-01" }) })).toBeUndefined());
  it("accepts the tenth reservation", () => expect(refusalOf({ ...ok, activeCount: 9 })).toBeUndefined());
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
