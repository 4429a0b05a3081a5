// Reservation rules from the guide: what a web cancellation does for each status, which statuses count toward
// the limit of 10, and how an application is checked against it.
import { describe, expect, it } from "vitest";
import { ACTIVE_RESERVATION_STATUSES, RESERVATION_STATUSES, type ReservationStatus } from "../../src/domain/codes";
import { fitsQuota, isActive, isWebCancellable, remainingQuota, webCancellation } from "../../src/domain/reservations";

describe("webCancellation", () => {
  const expected: Record<ReservationStatus, ReturnType<typeof webCancellation>> = {
    applied: { ok: true, next: "application_cancelled" },
    reserved: { ok: true, next: "cancel_requested" },
    on_hold: { ok: false, reason: "on_hold" },
    rejected: { ok: false, reason: "not_cancellable" },
    application_cancelled: { ok: false, reason: "not_cancellable" },
    cancel_requested: { ok: false, reason: "not_cancellable" },
    cancelled: { ok: false, reason: "not_cancellable" },
    fulfilled: { ok: false, reason: "not_cancellable" },
    expired: { ok: false, reason: "not_cancellable" },
  };

  it("covers every status the system knows", () => {
    expect(Object.keys(expected).sort()).toEqual([...RESERVATION_STATUSES].sort());
  });

  it.each(RESERVATION_STATUSES.map((s) => [s, expected[s]] as const))("%s → %o", (status, outcome) => {
    expect(webCancellation(status)).toEqual(outcome);
    expect(isWebCancellable(status)).toBe(outcome.ok);
  });

  it("only 予約申請中 and 予約中 can be ticked on the web", () => {
    expect(RESERVATION_STATUSES.filter(isWebCancellable)).toEqual(["applied", "reserved"]);
  });
});

describe("isActive", () => {
  it.each(["applied", "reserved", "cancel_requested", "on_hold"] as const)(
    "%s counts toward the limit and blocks a duplicate",
    (status) => {
      expect(isActive(status)).toBe(true);
    },
  );

  it.each(["rejected", "application_cancelled", "cancelled", "fulfilled", "expired"] as const)(
    "%s is finished: it does not count",
    (status) => {
      expect(isActive(status)).toBe(false);
    },
  );

  it("agrees with the list of active statuses", () => {
    expect(RESERVATION_STATUSES.filter(isActive).sort()).toEqual([...ACTIVE_RESERVATION_STATUSES].sort());
  });
});

describe("the limit", () => {
  it("remainingQuota is what is left under the limit, never negative", () => {
    expect(remainingQuota(10, 0)).toBe(10);
    expect(remainingQuota(10, 7)).toBe(3);
    expect(remainingQuota(10, 10)).toBe(0);
    expect(remainingQuota(10, 12)).toBe(0);
  });

  it("fitsQuota accepts an application that reaches the limit exactly", () => {
    expect(fitsQuota(10, 0, 10)).toBe(true);
    expect(fitsQuota(10, 8, 2)).toBe(true);
    expect(fitsQuota(10, 9, 1)).toBe(true);
  });

  it("fitsQuota refuses an application that would pass the limit (all or nothing)", () => {
    expect(fitsQuota(10, 8, 3)).toBe(false);
    expect(fitsQuota(10, 10, 1)).toBe(false);
    expect(fitsQuota(10, 0, 11)).toBe(false);
    expect(fitsQuota(10, 12, 0)).toBe(false);
  });

  it("fitsQuota and remainingQuota agree: n fits exactly when n ≤ remaining", () => {
    for (let active = 0; active <= 12; active++) {
      for (let adding = 0; adding <= 12; adding++) {
        expect(fitsQuota(10, active, adding)).toBe(adding <= remainingQuota(10, active) && active <= 10);
      }
    }
  });
});
