// Growing delays after failed logins: free tries, doubling waits up to a ceiling, a quiet period that forgets,
// and never a permanent lock.
import { describe, expect, it } from "vitest";
import { addFailure, type FailureCount, POLICIES, type ThrottlePolicy, waitSeconds } from "../../src/domain/throttle";

const T0 = Date.UTC(2026, 11, 1, 1, 0, 0);

/** The count after `n` failures one millisecond apart, ending at `end`. */
function failuresAt(n: number, end: number, policy: ThrottlePolicy): FailureCount {
  let count: FailureCount | undefined;
  for (let i = n - 1; i >= 0; i--) count = addFailure(count, end - i, policy);
  if (!count) throw new Error("n must be at least 1");
  return count;
}

const policies = Object.entries(POLICIES) as Array<[string, ThrottlePolicy]>;

describe("addFailure", () => {
  it("starts a count at one failure", () => {
    expect(addFailure(undefined, T0, POLICIES.card)).toEqual({ failures: 1, lastFailureAt: T0 });
  });

  it("adds one failure and moves the time of the last one", () => {
    expect(addFailure({ failures: 3, lastFailureAt: T0 }, T0 + 5_000, POLICIES.card)).toEqual({
      failures: 4,
      lastFailureAt: T0 + 5_000,
    });
  });

  it.each(policies)("%s: a failure after forgetAfterSeconds of quiet starts the count again", (_name, policy) => {
    const quiet = policy.forgetAfterSeconds * 1000;
    expect(addFailure({ failures: 50, lastFailureAt: T0 }, T0 + quiet + 1, policy)).toEqual({
      failures: 1,
      lastFailureAt: T0 + quiet + 1,
    });
    expect(addFailure({ failures: 50, lastFailureAt: T0 }, T0 + quiet, policy).failures).toBe(51);
  });
});

describe("waitSeconds", () => {
  it("asks no wait when there were no failures", () => {
    expect(waitSeconds(undefined, T0, POLICIES.card)).toBe(0);
  });

  it.each(policies)("%s: the first `free` failures cost nothing; the next try waits baseSeconds", (_name, policy) => {
    for (let n = 1; n < policy.free; n++) expect(waitSeconds(failuresAt(n, T0, policy), T0, policy)).toBe(0);
    expect(waitSeconds(failuresAt(policy.free, T0, policy), T0, policy)).toBe(policy.baseSeconds);
  });

  it("card: 5 free failures, then 2, 4, 8, 16 … seconds, capped at 15 minutes", () => {
    const p = POLICIES.card;
    expect(p.free).toBe(5);
    const waits = [5, 6, 7, 8, 9, 10, 13, 14, 15, 40, 1000].map((n) => waitSeconds({ failures: n, lastFailureAt: T0 }, T0, p));
    expect(waits).toEqual([2, 4, 8, 16, 32, 64, 512, 900, 900, 900, 900]);
  });

  it.each(policies)("%s: each further failure doubles the wait until maxSeconds, never beyond", (_name, policy) => {
    let previous = 0;
    for (let n = policy.free; n < policy.free + 40; n++) {
      const wait = waitSeconds({ failures: n, lastFailureAt: T0 }, T0, policy);
      expect(wait).toBeLessThanOrEqual(policy.maxSeconds);
      if (previous > 0) expect(wait).toBe(Math.min(policy.maxSeconds, previous * 2));
      previous = wait;
    }
    expect(previous).toBe(policy.maxSeconds);
  });

  it("counts down as time passes, rounding up to whole seconds", () => {
    const count = { failures: 7, lastFailureAt: T0 };
    expect(waitSeconds(count, T0, POLICIES.card)).toBe(8);
    expect(waitSeconds(count, T0 + 1, POLICIES.card)).toBe(8);
    expect(waitSeconds(count, T0 + 2_500, POLICIES.card)).toBe(6);
    expect(waitSeconds(count, T0 + 7_999, POLICIES.card)).toBe(1);
  });

  it.each(policies)("%s: after the wait has passed a try is allowed again (0), however many failures", (_name, policy) => {
    for (const n of [policy.free, policy.free + 1, policy.free + 5, policy.free + 100, 1_000_000]) {
      const count = { failures: n, lastFailureAt: T0 };
      const wait = waitSeconds(count, T0, policy);
      expect(wait).toBeGreaterThan(0);
      expect(waitSeconds(count, T0 + wait * 1000, policy)).toBe(0);
    }
  });

  it.each(policies)("%s: never a permanent lock — at most maxSeconds after the last failure, the wait is 0", (_name, policy) => {
    const count = { failures: Number.MAX_SAFE_INTEGER, lastFailureAt: T0 };
    expect(waitSeconds(count, T0, policy)).toBe(policy.maxSeconds);
    expect(waitSeconds(count, T0 + policy.maxSeconds * 1000, policy)).toBe(0);
  });

  it.each(policies)("%s: a count older than forgetAfterSeconds asks no wait", (_name, policy) => {
    const count = { failures: policy.free + 30, lastFailureAt: T0 };
    expect(waitSeconds(count, T0 + policy.forgetAfterSeconds * 1000 + 1, policy)).toBe(0);
  });

  it("per-address and per-password policies allow more free tries than per-card", () => {
    expect(POLICIES.address.free).toBeGreaterThan(POLICIES.card.free);
    expect(POLICIES.password.free).toBeGreaterThan(POLICIES.card.free);
  });
});
