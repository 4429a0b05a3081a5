// The import queue's consumer: each message moves one run forward by a bounded number of slices, each slice
// written in one batch with the run's new position (and a marker that makes a slice delivered twice fail
// as a whole), then sends the message for the next step. A crash between two awaits loses nothing: the
// message comes again, or the nightly refresh resumes a run that stopped moving.
import { bumpCatalog } from "../db/catalog-version";
import type { D1 } from "../db/client";
import { returnStatements } from "../reservations/loans";
import { guardedWithdrawals } from "./catalog";
import { type Columns, columnsOf, type Mapping, mappingSchema } from "./mapping";
import { applyUnits } from "./rows";
import {
  finishRun,
  type ImportRun,
  isDuplicateSlice,
  progressStatement,
  rejectsStatement,
  runById,
  seenStatement,
  sliceMarker,
} from "./runs";
import { readSlice } from "./slices";
import type { Applied, SliceWork } from "./work";

export const IMPORT_QUEUE_NAME = "library-imports";

export interface ImportMessage {
  type: "import";
  runId: number;
  phase: ImportRun["phase"];
  offset: number;
}

export interface ImportEnv {
  DB: D1Database;
  IMPORTS: R2Bucket;
  IMPORT_QUEUE: Queue<ImportMessage>;
}

/** How long one message works before handing on to the next (well inside a consumer's limits). */
const BUDGET_MS = 15_000;
/**
 * Slices per message: each makes about 20 D1 queries and one R2 read, and D1 allows 1,000 queries per
 * invocation (paid plan), so a message stops well before that whatever the time.
 */
export const MAX_SLICES_PER_MESSAGE = 25;
/** Rows of the absent phase (full exports) per slice. */
const ABSENT_SLICE = 500;
/** How long a run must be quiet before an old message asks for its step at once. */
const WATCHDOG_SECONDS = 30;
/** How long a run waits before asking again whether the imports started before it have ended. */
const WAIT_SECONDS = 5;
/** Attempts of one step before the run is marked failed for staff to see. */
export const MAX_IMPORT_ATTEMPTS = 5;

export const nextMessage = (run: Pick<ImportRun, "id" | "phase" | "offset">): ImportMessage => ({
  type: "import",
  runId: run.id,
  phase: run.phase,
  offset: run.offset,
});

/** Imports started before this one that have not ended. */
async function runsAhead(db: D1, runId: number): Promise<number> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM import_runs WHERE id < ? AND status IN ('queued', 'running')")
    .bind(runId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function branchesOf(db: D1): Promise<Map<string, boolean>> {
  const rows = await db.prepare("SELECT code, pickup FROM branches").all<{ code: string; pickup: number }>();
  return new Map(rows.results.map((b) => [b.code, b.pickup === 1]));
}

const mappingOf = (run: ImportRun): Mapping => (run.mapping ? mappingSchema.parse(JSON.parse(run.mapping)) : {});

/** Whether the run ends with the absent phase: a full export of copies, of MARC records or of loans. */
const checksAbsent = (run: ImportRun) => run.full === 1 && ["marc", "copies", "loans"].includes(run.kind);

type Step = { run: ImportRun; done: boolean } | { failed: string };

/** Kinds whose writes change catalog pages (loans and reservations change availability only). */
const CATALOG_KINDS = new Set(["marc", "materials", "copies"]);

/** Writes one slice's batch: marker, the kind's writes, seen keys, rejects, the run's new position. */
async function commit(
  env: ImportEnv,
  run: ImportRun,
  marker: number,
  applied: Applied,
  p: Omit<Parameters<typeof progressStatement>[2], "tally" | "rejected">,
  now: number,
) {
  const db = env.DB;
  await db.batch([
    sliceMarker(db, run.id, marker),
    ...applied.statements,
    ...(applied.statements.length > 0 && CATALOG_KINDS.has(run.kind) ? [bumpCatalog(db)] : []),
    ...(applied.seen.length > 0 ? [seenStatement(db, run.id, applied.seen)] : []),
    ...(applied.rejects.length > 0 ? [rejectsStatement(db, run.id, applied.rejects)] : []),
    progressStatement(db, run, { ...p, tally: applied.tally, rejected: applied.rejects.length }, now),
  ]);
}

async function rowsStep(env: ImportEnv, run: ImportRun, w: SliceWork, sliceBytes?: number): Promise<Step> {
  const slice = await readSlice({
    bucket: env.IMPORTS,
    key: run.objectKey,
    size: run.size,
    format: run.format,
    offset: run.offset,
    line: run.line,
    encoding: run.encoding,
    ...(sliceBytes ? { sliceBytes } : {}),
  });
  let units = slice.units;
  let header: string | undefined;
  let columns: Columns | null = null;
  if (run.format === "csv" || run.format === "tsv") {
    let cells: string[] | undefined;
    if (run.line === 0) {
      const first = units.find((u) => u.line === 1);
      if (first?.kind !== "cells") return { failed: "見出し行（1行目）が読めません。" };
      cells = first.cells;
      header = JSON.stringify(cells);
      units = units.filter((u) => u !== first);
    } else cells = JSON.parse(run.header ?? "[]") as string[];
    const found = columnsOf(run.kind as Exclude<ImportRun["kind"], "marc">, cells, w.mapping);
    if ("problem" in found) return { failed: found.problem };
    columns = found;
  }
  const applied = await applyUnits(w, run.kind, units, columns);
  const phase = slice.eof ? (checksAbsent(run) ? "absent" : "cleanup") : "rows";
  const offset = slice.eof ? 0 : slice.next;
  await commit(
    env,
    run,
    run.offset,
    applied,
    { phase, offset, lines: slice.lines, ...(header ? { header } : {}), ...(slice.encoding ? { encoding: slice.encoding } : {}) },
    w.now,
  );
  return {
    run: {
      ...run,
      phase,
      offset,
      line: run.line + slice.lines,
      header: header ?? run.header,
      encoding: slice.encoding ?? run.encoding,
    },
    done: false,
  };
}

/** Full exports: what the file did not list is withdrawn (copies) or returned (loans), a slice at a time. */
async function absentStep(env: ImportEnv, run: ImportRun, w: SliceWork): Promise<Step> {
  const db = env.DB;
  let applied: Applied;
  let last = run.offset;
  let count: number;
  if (run.kind === "loans") {
    const loans = (
      await db
        .prepare(
          `SELECT l.id FROM loans l JOIN items i ON i.id = l.item_id WHERE l.id > ?1 AND l.returned_at IS NULL
             AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.run_id = ?2 AND s.key = 'l:' || i.barcode) ORDER BY l.id LIMIT ?3`,
        )
        .bind(run.offset, run.id, ABSENT_SLICE)
        .all<{ id: number }>()
    ).results;
    count = loans.length;
    last = loans.at(-1)?.id ?? last;
    const ids = loans.map((l) => l.id);
    applied = {
      statements: w.dryRun || ids.length === 0 ? [] : returnStatements(db, ids, w.now),
      tally: { returned: ids.length },
      rejects: [],
      seen: [],
    };
  } else {
    const key = run.kind === "marc" ? "'m:' || m.source_id" : "'i:' || i.barcode";
    const copies = (
      await db
        .prepare(
          `SELECT i.id, i.barcode, i.status, i.source_hash AS hash, m.source_id AS sourceId FROM items i JOIN materials m ON m.id = i.material_id
           WHERE i.id > ?1 AND i.status <> 'withdrawn' AND ${run.kind === "marc" ? "m.source_id IS NOT NULL" : "i.source_hash IS NOT NULL"}
             AND NOT EXISTS (SELECT 1 FROM import_seen s WHERE s.run_id = ?2 AND s.key = ${key}) ORDER BY i.id LIMIT ?3`,
        )
        .bind(run.offset, run.id, ABSENT_SLICE)
        .all<{ id: number; barcode: string; status: string; hash: string | null; sourceId: string | null }>()
    ).results;
    count = copies.length;
    last = copies.at(-1)?.id ?? last;
    const guarded = guardedWithdrawals(w, copies, () => 0);
    applied = { statements: guarded.statements, tally: { withdrawn: guarded.ids.length }, rejects: guarded.rejects, seen: [] };
  }
  const phase = count < ABSENT_SLICE ? "cleanup" : "absent";
  const offset = phase === "cleanup" ? 0 : last;
  // The absent phase's markers are negative, apart from the rows phase's byte offsets.
  await commit(env, run, -1 - run.offset, applied, { phase, offset, lines: 0 }, w.now);
  return { run: { ...run, phase, offset }, done: false };
}

async function cleanupStep(env: ImportEnv, run: ImportRun, now: number): Promise<Step> {
  await finishRun(env.DB, run.id, "done", null, now);
  // The file is deleted once imported: those naming patrons must not stay, and the library keeps its own.
  await env.IMPORTS.delete(run.objectKey);
  return { run: { ...run, status: "done" }, done: true };
}

export interface AdvanceOptions {
  now?: () => number;
  /** Bytes per slice (tests cross slice boundaries with small files). */
  sliceBytes?: number;
  /** Stop after this many slices (tests stop a run between two steps). */
  maxSlices?: number;
}

/** A run that cannot go on: failed with the reason staff read, and its file deleted. */
export async function failRun(env: ImportEnv, runId: number, reason: string, now: number) {
  const run = await runById(env.DB, runId);
  await finishRun(env.DB, runId, "failed", reason, now);
  if (run) await env.IMPORTS.delete(run.objectKey);
}

/** Moves a run forward from the position the message names; false when the message was stale. */
export async function advanceRun(
  env: ImportEnv,
  msg: ImportMessage,
  opts: AdvanceOptions = {},
): Promise<"moved" | "stale" | "finished" | "waiting"> {
  const clock = opts.now ?? Date.now;
  const started = clock();
  let run = await runById(env.DB, msg.runId);
  if (!run || run.status === "done" || run.status === "failed") return "stale";
  if (run.phase !== msg.phase || run.offset !== msg.offset) {
    // An old message (delivered again after its step was written): make sure the run's current step is
    // asked for — at once if the run has not moved lately (its next message may have died with the
    // Worker), else a little later as a watchdog; a step asked for twice is dropped by its marker.
    const quiet = clock() - (run.updatedAt ?? 0) > WATCHDOG_SECONDS * 1000;
    await env.IMPORT_QUEUE.send(nextMessage(run), quiet ? undefined : { delaySeconds: WATCHDOG_SECONDS });
    return "stale";
  }
  if (run.status === "queued" && (await runsAhead(env.DB, run.id)) > 0) {
    // One import at a time, in the order they were started (loans need the patrons file before them).
    await env.DB.prepare("UPDATE import_runs SET updated_at = ? WHERE id = ?").bind(clock(), run.id).run();
    await env.IMPORT_QUEUE.send(nextMessage(run), { delaySeconds: WAIT_SECONDS });
    return "waiting";
  }
  const w: SliceWork = {
    db: env.DB,
    runId: run.id,
    dryRun: run.dryRun === 1,
    now: clock(),
    branches: await branchesOf(env.DB),
    mapping: mappingOf(run),
  };
  const maxSlices = Math.min(opts.maxSlices ?? MAX_SLICES_PER_MESSAGE, MAX_SLICES_PER_MESSAGE);
  for (let slices = 0; slices < maxSlices && clock() - started < BUDGET_MS; slices++) {
    w.now = clock();
    let step: Step;
    try {
      step =
        run.phase === "rows"
          ? await rowsStep(env, run, w, opts.sliceBytes)
          : run.phase === "absent"
            ? await absentStep(env, run, w)
            : await cleanupStep(env, run, w.now);
    } catch (err) {
      if (isDuplicateSlice(err)) return "stale";
      throw err;
    }
    if ("failed" in step) {
      await failRun(env, run.id, step.failed, w.now);
      return "finished";
    }
    if (step.done) return "finished";
    run = step.run;
  }
  await env.IMPORT_QUEUE.send(nextMessage(run));
  return "moved";
}

/** The queue handler: a step that keeps failing marks its run failed (staff see why and may start it again). */
export async function consumeImports(batch: MessageBatch<unknown>, env: ImportEnv): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body as ImportMessage;
    if (body?.type !== "import" || !Number.isInteger(body.runId)) {
      message.ack();
      continue;
    }
    try {
      await advanceRun(env, body);
      message.ack();
    } catch (err) {
      console.error("import step failed", body.runId, err instanceof Error ? err.message : String(err));
      if (message.attempts >= MAX_IMPORT_ATTEMPTS) {
        await failRun(
          env,
          body.runId,
          "取込中にエラーが続いたため中止しました。ファイルを確かめて、もう一度取り込んでください。",
          Date.now(),
        );
        message.ack();
      } else message.retry({ delaySeconds: 10 * message.attempts });
    }
  }
}
