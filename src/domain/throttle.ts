// Growing delays after failed logins: a few free tries, then waits that double up to a ceiling, and a
// quiet hour forgets the count. Never a permanent lock, so an attacker cannot lock patrons out for good.

export interface ThrottlePolicy {
  /** Failures allowed before any wait. */
  free: number;
  /** The first wait, in seconds; each further failure doubles it. */
  baseSeconds: number;
  /** The longest wait, in seconds. */
  maxSeconds: number;
  /** A failure older than this no longer counts (the count starts again). */
  forgetAfterSeconds: number;
}

export const POLICIES = {
  /** One card number: exact counts, kept in the patron's Durable Object. */
  card: { free: 5, baseSeconds: 2, maxSeconds: 15 * 60, forgetAfterSeconds: 60 * 60 },
  /** One client address: a family or a school may share one, so more free tries. */
  address: { free: 20, baseSeconds: 2, maxSeconds: 15 * 60, forgetAfterSeconds: 60 * 60 },
  /** One password tried against many card numbers, library-wide (spraying). */
  password: { free: 10, baseSeconds: 5, maxSeconds: 60 * 60, forgetAfterSeconds: 60 * 60 },
  /** Wrong staff tokens from one client address (the staff login page and the admin API). */
  staff: { free: 10, baseSeconds: 2, maxSeconds: 15 * 60, forgetAfterSeconds: 60 * 60 },
} satisfies Record<string, ThrottlePolicy>;

export interface FailureCount {
  failures: number;
  lastFailureAt: number;
}

/** The count after one more failure at `now`. */
export function addFailure(prev: FailureCount | undefined, now: number, policy: ThrottlePolicy): FailureCount {
  const fresh = !prev || now - prev.lastFailureAt > policy.forgetAfterSeconds * 1000;
  return { failures: fresh ? 1 : prev.failures + 1, lastFailureAt: now };
}

/** Seconds still to wait before the next try, 0 when a try is allowed now. */
export function waitSeconds(count: FailureCount | undefined, now: number, policy: ThrottlePolicy): number {
  if (!count || count.failures < policy.free) return 0;
  if (now - count.lastFailureAt > policy.forgetAfterSeconds * 1000) return 0;
  const over = count.failures - policy.free;
  const wait = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(over, 30));
  const remaining = count.lastFailureAt + wait * 1000 - now;
  return remaining > 0 ? Math.ceil(remaining / 1000) : 0;
}

/**
 * The library-wide brake: failed logins in one minute, whoever made them. Past this many, every failed
 * attempt is answered only after a pause (a correct password never waits), so a guesser who changes card,
 * address and password each time is still slowed.
 */
export const GLOBAL_FAILURES_PER_MINUTE = 30;
export const BRAKE_MS = 2000;

/** How long a failed attempt waits before its answer, given the failures of this minute (this one included). */
export const brakeMs = (failuresThisMinute: number): number => (failuresThisMinute > GLOBAL_FAILURES_PER_MINUTE ? BRAKE_MS : 0);
