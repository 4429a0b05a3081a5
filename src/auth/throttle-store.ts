// Failed-login counts per client address, tried password and globally, in D1 (an atomic upsert per key).
// The exact per-card count lives in the patron's Durable Object.
import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { authThrottle } from "../db/schema";
import { type FailureCount, type ThrottlePolicy, waitSeconds } from "../domain/throttle";

export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/** The longest wait any of the keys asks for now, in seconds (0: a try is allowed). */
export async function currentWait(db: Db, keys: ThrottleKey[], now: number): Promise<number> {
  const rows = await db
    .select()
    .from(authThrottle)
    .where(
      inArray(
        authThrottle.key,
        keys.map((k) => k.key),
      ),
    );
  const counts = new Map<string, FailureCount>(
    rows.map((r) => [r.key, { failures: r.failures, lastFailureAt: r.lastFailureAt }]),
  );
  return Math.max(0, ...keys.map((k) => waitSeconds(counts.get(k.key), now, k.policy)));
}

/** Counts one more failure for each key, starting again when the last one is older than the policy forgets. */
export async function recordFailure(db: D1Database, keys: ThrottleKey[], now: number): Promise<void> {
  await db.batch(
    keys.map((k) =>
      db
        .prepare(
          `INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?1, 1, ?2)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN ?2 - last_failure_at > ?3 THEN 1 ELSE failures + 1 END,
             last_failure_at = ?2`,
        )
        .bind(k.key, now, k.policy.forgetAfterSeconds * 1000),
    ),
  );
}
