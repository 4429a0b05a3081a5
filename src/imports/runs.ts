// The import runs' own SQL: making a run, reading it, the progress written with each slice, rejects, the
// lists staff see, and the retention of rejected rows.
import type { D1 } from "../db/client";
import type { ImportKind, ImportStatus } from "../domain/codes";
import type { Format } from "./slices";
import { NO_TALLY, type Reject, type Tally } from "./work";

/** Rejected rows (line, key, reason) are kept this long after their run, then deleted by the nightly refresh. */
export const REJECT_RETENTION_DAYS = 14;

export interface ImportRun {
  id: number;
  kind: ImportKind;
  format: Format;
  origin: "page" | "api" | "r2";
  objectKey: string;
  fileName: string;
  size: number;
  dryRun: number;
  full: number;
  status: ImportStatus;
  phase: "rows" | "absent" | "cleanup";
  offset: number;
  line: number;
  encoding: "utf-8" | "shift_jis" | null;
  header: string | null;
  mapping: string | null;
  added: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  returned: number;
  rejected: number;
  copiesAdded: number;
  copiesUpdated: number;
  copiesUnchanged: number;
  error: string | null;
  actor: string;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number | null;
}

const RUN_COLUMNS = `id, kind, format, origin, object_key AS objectKey, file_name AS fileName, size, dry_run AS dryRun, full, status,
  phase, offset, line, encoding, header, mapping, added, updated, unchanged, withdrawn, returned, rejected,
  copies_added AS copiesAdded, copies_updated AS copiesUpdated, copies_unchanged AS copiesUnchanged, error, actor,
  created_at AS createdAt, started_at AS startedAt, finished_at AS finishedAt, updated_at AS updatedAt`;

export interface NewRun {
  kind: ImportKind;
  format: Format;
  origin: ImportRun["origin"];
  objectKey: string;
  etag: string | null;
  fileName: string;
  size: number;
  dryRun: boolean;
  full: boolean;
  mapping: string | null;
  actor: string;
}

/** A new run; undefined when this file version already has one (the nightly pickup seeing it again). */
export async function insertRun(db: D1, r: NewRun, now: number): Promise<number | undefined> {
  const row = await db
    .prepare(
      `INSERT INTO import_runs (kind, format, origin, object_key, etag, file_name, size, dry_run, full, mapping, actor, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (object_key, etag) DO NOTHING RETURNING id`,
    )
    .bind(
      r.kind,
      r.format,
      r.origin,
      r.objectKey,
      r.etag,
      r.fileName,
      r.size,
      r.dryRun ? 1 : 0,
      r.full ? 1 : 0,
      r.mapping,
      r.actor,
      now,
    )
    .first<{ id: number }>();
  return row?.id;
}

export async function runById(db: D1, id: number): Promise<ImportRun | undefined> {
  return (await db.prepare(`SELECT ${RUN_COLUMNS} FROM import_runs WHERE id = ?`).bind(id).first<ImportRun>()) ?? undefined;
}

export async function recentImports(db: D1, limit = 30): Promise<ImportRun[]> {
  return (await db.prepare(`SELECT ${RUN_COLUMNS} FROM import_runs ORDER BY id DESC LIMIT ?`).bind(limit).all<ImportRun>())
    .results;
}

/** Runs that stopped moving (a crash, a redeploy, a lost message): resumed by the nightly refresh. */
export async function stalledRuns(db: D1, before: number): Promise<ImportRun[]> {
  return (
    await db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM import_runs WHERE status IN ('queued', 'running') AND updated_at < ? ORDER BY id LIMIT 50`,
      )
      .bind(before)
      .all<ImportRun>()
  ).results;
}

export async function rejectsOf(db: D1, runId: number, limit = 1000): Promise<Reject[]> {
  return (
    await db
      .prepare("SELECT line, key, reason FROM import_rejects WHERE run_id = ? ORDER BY line, id LIMIT ?")
      .bind(runId, limit)
      .all<Reject>()
  ).results;
}

/** The first statement of every slice's batch: a slice already applied makes the whole batch fail. */
export const sliceMarker = (db: D1, runId: number, position: number) =>
  db.prepare("INSERT INTO import_chunks (run_id, offset) VALUES (?, ?)").bind(runId, position);

export const isDuplicateSlice = (err: unknown) =>
  err instanceof Error && /UNIQUE constraint failed: import_chunks/.test(err.message);

export function seenStatement(db: D1, runId: number, keys: string[]) {
  return db
    .prepare("INSERT INTO import_seen (run_id, key) SELECT ?2, value FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING")
    .bind(JSON.stringify(keys), runId);
}

export function rejectsStatement(db: D1, runId: number, rejects: Reject[]) {
  return db
    .prepare(
      "INSERT INTO import_rejects (run_id, line, key, reason) SELECT ?2, j.value->>'line', j.value->>'key', j.value->>'reason' FROM json_each(?1) j",
    )
    .bind(JSON.stringify(rejects), runId);
}

export interface Progress {
  phase: ImportRun["phase"];
  offset: number;
  lines: number;
  tally: Partial<Tally>;
  rejected: number;
  header?: string;
  encoding?: string;
}

/** The run's new position and counts, only from the position this slice started at. */
export function progressStatement(db: D1, run: ImportRun, p: Progress, now: number) {
  const t = { ...NO_TALLY, ...p.tally };
  return db
    .prepare(
      `UPDATE import_runs SET phase = ?, offset = ?, line = line + ?, added = added + ?, updated = updated + ?, unchanged = unchanged + ?,
         withdrawn = withdrawn + ?, returned = returned + ?, rejected = rejected + ?, copies_added = copies_added + ?,
         copies_updated = copies_updated + ?, copies_unchanged = copies_unchanged + ?, header = coalesce(?, header),
         encoding = coalesce(?, encoding), status = 'running', started_at = coalesce(started_at, ?), updated_at = ?
       WHERE id = ? AND phase = ? AND offset = ?`,
    )
    .bind(
      p.phase,
      p.offset,
      p.lines,
      t.added,
      t.updated,
      t.unchanged,
      t.withdrawn,
      t.returned,
      p.rejected,
      t.copiesAdded,
      t.copiesUpdated,
      t.copiesUnchanged,
      p.header ?? null,
      p.encoding ?? null,
      now,
      now,
      run.id,
      run.phase,
      run.offset,
    );
}

export async function finishRun(db: D1, runId: number, status: "done" | "failed", error: string | null, now: number) {
  await db.batch([
    db
      .prepare(
        "UPDATE import_runs SET status = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status IN ('queued', 'running')",
      )
      .bind(status, error, now, now, runId),
    db.prepare("DELETE FROM import_seen WHERE run_id = ?").bind(runId),
    db.prepare("DELETE FROM import_chunks WHERE run_id = ?").bind(runId),
  ]);
}

/** The nightly refresh: rejected rows of runs finished more than the retention period ago. */
export const purgeOldRejects = (db: D1, now: number) =>
  db
    .prepare("DELETE FROM import_rejects WHERE run_id IN (SELECT id FROM import_runs WHERE finished_at < ?)")
    .bind(now - REJECT_RETENTION_DAYS * 24 * 60 * 60 * 1000);

/** The stored mapping of a kind (JSON text), if the library set one. */
export async function storedMapping(db: D1, kind: ImportKind): Promise<string | undefined> {
  return (await db.prepare("SELECT mapping FROM import_mappings WHERE kind = ?").bind(kind).first<{ mapping: string }>())
    ?.mapping;
}

/** Every kind's stored mapping (JSON text), for the imports page. */
export async function storedMappings(db: D1): Promise<Array<{ kind: ImportKind; mapping: string }>> {
  return (
    await db.prepare("SELECT kind, mapping FROM import_mappings ORDER BY kind").all<{ kind: ImportKind; mapping: string }>()
  ).results;
}

export async function saveMapping(db: D1, kind: ImportKind, mapping: string, now: number) {
  await db
    .prepare(
      "INSERT INTO import_mappings (kind, mapping, updated_at) VALUES (?, ?, ?) ON CONFLICT (kind) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at",
    )
    .bind(kind, mapping, now)
    .run();
}
