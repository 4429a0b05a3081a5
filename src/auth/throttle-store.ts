// Login attempt counts per client address and per tried password (library-wide), in D1 (an atomic upsert per key).
// The exact per-card count lives in the patron's Durable Object.
import { inArray } from "drizzle-orm";
import type { D1, Db } from "../db/client";
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

/**
 * Counts an attempt against every key, atomically and only where the key allows one now: the upsert's
 * WHERE repeats waitSeconds() in SQL over the stored row, so concurrent attempts cannot all pass a read
 * made before any of them was counted. Returns the keys that refused (their row was left unchanged).
 */
export async function countAttempt(db: D1, keys: ThrottleKey[], now: number): Promise<ThrottleKey[]> {
  const results = await db.batch<{ failures: number }>(
    keys.map((k) =>
      db
        .prepare(
          `INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?1, 1, ?2)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN ?2 - last_failure_at > ?3 THEN 1 ELSE failures + 1 END,
             last_failure_at = ?2
           WHERE failures < ?4 OR ?2 - last_failure_at > ?3
              OR ?2 >= last_failure_at + min(?6, ?5 * (1 << min(failures - ?4, 30))) * 1000
           RETURNING failures`,
        )
        .bind(k.key, now, k.policy.forgetAfterSeconds * 1000, k.policy.free, k.policy.baseSeconds, k.policy.maxSeconds),
    ),
  );
  return keys.filter((_, i) => (results[i]?.results?.length ?? 0) === 0);
}

/** Counts one failed login library-wide in this minute's bucket; returns the minute's failures so far. */
export async function countGlobalFailure(db: D1, now: number): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO auth_throttle (key, failures, last_failure_at) VALUES (?1, 1, ?2)
       ON CONFLICT (key) DO UPDATE SET failures = failures + 1, last_failure_at = ?2 RETURNING failures`,
    )
    .bind(`global:${Math.floor(now / 60_000)}`, now)
    .first<{ failures: number }>();
  return row?.failures ?? 1;
}

/** Gives back an attempt that was counted but not made (or succeeded); a row at zero goes. */
export async function uncountAttempt(db: D1, keys: ThrottleKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db.batch(
    keys.flatMap((k) => [
      db.prepare("UPDATE auth_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0").bind(k.key),
      db.prepare("DELETE FROM auth_throttle WHERE key = ? AND failures <= 0").bind(k.key),
    ]),
  );
}
