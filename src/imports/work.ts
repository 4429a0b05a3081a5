// What every kind's slice handler shares: the slice's context, the tally it adds to the run, the rows it
// skips, the keys it has seen (duplicates across the whole file), and the digest of a row.
import type { D1 } from "../db/client";
import type { Mapping } from "./mapping";

export interface SliceWork {
  db: D1;
  runId: number;
  dryRun: boolean;
  now: number;
  /** Branch code → whether it may be a pickup branch (受取館). */
  branches: Map<string, boolean>;
  mapping: Mapping;
}

export interface Tally {
  added: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  returned: number;
  copiesAdded: number;
  copiesUpdated: number;
  copiesUnchanged: number;
}
export const NO_TALLY: Tally = {
  added: 0,
  updated: 0,
  unchanged: 0,
  withdrawn: 0,
  returned: 0,
  copiesAdded: 0,
  copiesUpdated: 0,
  copiesUnchanged: 0,
};

export interface Reject {
  line: number;
  key: string | null;
  reason: string;
}

/** What a slice handler hands back: its writes (none in a dry run), tally, rejects and the keys it saw. */
export interface Applied {
  statements: D1PreparedStatement[];
  tally: Partial<Tally>;
  rejects: Reject[];
  seen: string[];
}

export interface Numbered<T> {
  line: number;
  record: T;
}

/** A short digest of a row as it will be written: equal digests mean nothing changed. */
export async function digest(value: unknown): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify(value))));
  return btoa(String.fromCharCode(...bytes.subarray(0, 18)));
}

export const jsonList = (values: readonly unknown[]) => JSON.stringify(values);

/** Rows of `sql` for the values, in slices of the statement (one JSON parameter). */
export async function rowsFor<T>(db: D1, sql: string, values: readonly unknown[], ...more: unknown[]): Promise<T[]> {
  if (values.length === 0) return [];
  return (
    await db
      .prepare(sql)
      .bind(jsonList(values), ...more)
      .all<T>()
  ).results;
}

/**
 * Keeps the first row of each key in the slice and the file (earlier slices' keys are in import_seen);
 * the others become rejects with `reason`.
 */
export async function firstOfEachKey<T>(
  w: SliceWork,
  rows: Numbered<T>[],
  keyOf: (r: T) => string,
  reason: (r: T) => string,
  rejects: Reject[],
): Promise<Numbered<T>[]> {
  const earlier = new Set(
    (
      await rowsFor<{ key: string }>(
        w.db,
        "SELECT key FROM import_seen WHERE run_id = ?2 AND key IN (SELECT value FROM json_each(?1))",
        rows.map((r) => keyOf(r.record)),
        w.runId,
      )
    ).map((r) => r.key),
  );
  const kept: Numbered<T>[] = [];
  for (const r of rows) {
    const key = keyOf(r.record);
    if (earlier.has(key)) rejects.push({ line: r.line, key: key.slice(2), reason: reason(r.record) });
    else {
      earlier.add(key);
      kept.push(r);
    }
  }
  return kept;
}

export const add = (a: Partial<Tally>, b: Partial<Tally>): Partial<Tally> => {
  const out: Partial<Tally> = { ...a };
  for (const [k, v] of Object.entries(b) as Array<[keyof Tally, number]>) out[k] = (out[k] ?? 0) + v;
  return out;
};

/**
 * Records against the digests stored for their keys: new ones added, changed ones updated, equal ones
 * unchanged (not written). Returns the tally and the records to write with their digest.
 */
export async function byDigest<T>(
  records: T[],
  keyOf: (r: T) => string,
  stored: Map<string, string | null>,
): Promise<{ tally: Partial<Tally>; writes: Array<{ record: T; hash: string }> }> {
  const tally: Partial<Tally> = { added: 0, updated: 0, unchanged: 0 };
  const writes: Array<{ record: T; hash: string }> = [];
  for (const record of records) {
    const hash = await digest(record);
    const before = stored.get(keyOf(record));
    if (before === hash) tally.unchanged = (tally.unchanged ?? 0) + 1;
    else {
      if (before === undefined) tally.added = (tally.added ?? 0) + 1;
      else tally.updated = (tally.updated ?? 0) + 1;
      writes.push({ record, hash });
    }
  }
  return { tally, writes };
}
