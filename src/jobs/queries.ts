// The jobs' own SQL: one row per run (job, business date, acceptance slot) in job_runs, the calendar check, and the
// nightly clean-ups of rows that are not reservations (sessions, guest carts, throttle counters, old mail).
import type { D1 } from "../db/client";
import { purgeOldRejects } from "../imports/runs";

const DAY = 24 * 60 * 60 * 1000;
/** Mail (it names titles beside an address) is kept this long for the outbox, then deleted whatever its state. */
export const MAIL_RETENTION_DAYS = 30;

export type JobName = "acceptance" | "nightly";

/** One run of a job: the business date and, for the acceptance, which of the day's runs ('' for nightly). */
export interface RunKey {
  job: JobName;
  businessDate: string;
  slot: string;
}

export interface JobRun {
  summary: string | null;
  startedAt: number;
  finishedAt: number | null;
}

const KEY = "job = ? AND business_date = ? AND slot = ?";
const keyOf = (k: RunKey) => [k.job, k.businessDate, k.slot] as const;

/** Starts the run; false when it exists already. `now` is its cut-off, `startedAt` of the row. */
export async function startRun(db: D1, key: RunKey, now: number): Promise<boolean> {
  const started = await db
    .prepare(
      "INSERT INTO job_runs (job, business_date, slot, started_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(...keyOf(key), now)
    .first<{ id: number }>();
  return started !== null;
}

export const previousRun = (db: D1, key: RunKey) =>
  db
    .prepare(`SELECT summary, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE ${KEY}`)
    .bind(...keyOf(key))
    .first<JobRun>();

/** The run's progress so far (its summary while unfinished), for the same batch as the work it counts. */
export const progressStatement = (db: D1, key: RunKey, progress: object) =>
  db
    .prepare(`UPDATE job_runs SET summary = ? WHERE ${KEY} AND finished_at IS NULL`)
    .bind(JSON.stringify(progress), ...keyOf(key));

/** Finishes the run at `now` (its own clock), having taken `durationMs` of real time. */
export async function finishRun(db: D1, key: RunKey, summary: object, now: number, durationMs: number): Promise<void> {
  await db
    .prepare(`UPDATE job_runs SET finished_at = ?, duration_ms = ?, summary = ?, error = NULL WHERE ${KEY}`)
    .bind(now, durationMs, JSON.stringify(summary), ...keyOf(key))
    .run();
}

/** Notes why an unfinished run stopped (for the status page); the next run carries on from its progress. */
export async function failRun(db: D1, key: RunKey, error: string): Promise<void> {
  await db
    .prepare(`UPDATE job_runs SET error = ? WHERE ${KEY} AND finished_at IS NULL`)
    .bind(error.slice(0, 300), ...keyOf(key))
    .run();
}

export interface RecentRun {
  job: JobName;
  businessDate: string;
  slot: string;
  startedAt: number;
  finishedAt: number | null;
  durationMs: number | null;
  summary: string | null;
  error: string | null;
}

const RUN_COLUMNS = `job, business_date AS businessDate, slot, started_at AS startedAt, finished_at AS finishedAt,
  duration_ms AS durationMs, summary, error`;

export const recentRuns = async (db: D1, n = 4): Promise<RecentRun[]> =>
  (await db.prepare(`SELECT ${RUN_COLUMNS} FROM job_runs ORDER BY started_at DESC LIMIT ?`).bind(n).all<RecentRun>()).results;

/** The last run of each job (for the staff status page). */
export const lastRuns = async (db: D1): Promise<RecentRun[]> =>
  (
    await db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM job_runs r
         WHERE id = (SELECT id FROM job_runs WHERE job = r.job ORDER BY started_at DESC, id DESC LIMIT 1) ORDER BY job`,
      )
      .all<RecentRun>()
  ).results;

/** The service's clock in a rehearsal: the latest cut-off any run was given (jobs/rehearsal.ts). */
export const latestCutOff = async (db: D1): Promise<number | null> =>
  (await db.prepare("SELECT max(started_at) AS at FROM job_runs").first<{ at: number | null }>())?.at ?? null;

export async function isOpeningDay(db: D1, date: string): Promise<boolean> {
  const row = await db.prepare("SELECT open FROM calendar_days WHERE date = ?").bind(date).first<{ open: number }>();
  return row?.open === 1;
}

/** The nightly deletions of what privacy or housekeeping says must go. */
export const nightlyCleanups = (db: D1, now: number) => ({
  sessionsDeleted: db
    .prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2")
    .bind(now, now - 12 * 60 * 60 * 1000),
  // Whatever its state: a message stuck for a month is reconciled long since, and it names a title beside an address.
  mailDeleted: db.prepare("DELETE FROM mail_outbox WHERE created_at <= ?1").bind(now - MAIL_RETENTION_DAYS * DAY),
  mailRequestsDeleted: db.prepare("DELETE FROM mail_requests WHERE requested_at <= ?1").bind(now - MAIL_RETENTION_DAYS * DAY),
  guestCartsDeleted: db.prepare("DELETE FROM carts WHERE patron_id IS NULL AND expires_at <= ?1").bind(now),
  throttleRowsDeleted: db.prepare("DELETE FROM auth_throttle WHERE last_failure_at <= ?1").bind(now - DAY),
  // A retry comes within seconds or minutes; a day is plenty.
  applyKeysDeleted: db.prepare("DELETE FROM apply_keys WHERE created_at <= ?1").bind(now - DAY),
  // Rejected import rows name barcodes and card numbers: kept only for the retention period (docs/imports.md).
  importRejectsDeleted: purgeOldRejects(db, now),
});
