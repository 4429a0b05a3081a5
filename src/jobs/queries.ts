// The jobs' own SQL: one row per job and business date in job_runs, the calendar check, and the
// nightly clean-ups of rows that are not reservations (sessions, guest carts, throttle counters, old mail).
import { purgeOldRejects } from "../imports/runs";

const DAY = 24 * 60 * 60 * 1000;
/** Mail (it names titles beside an address) is kept this long for the outbox, then deleted whatever its state. */
export const MAIL_RETENTION_DAYS = 30;

export type JobName = "acceptance" | "nightly";

export interface JobRun {
  summary: string | null;
  startedAt: number;
  finishedAt: number | null;
}

/** Starts the job's run for the date; false when a run of that date exists already. */
export async function startRun(db: D1Database, job: JobName, businessDate: string, now: number): Promise<boolean> {
  const started = await db
    .prepare("INSERT INTO job_runs (job, business_date, started_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING id")
    .bind(job, businessDate, now)
    .first<{ id: number }>();
  return started !== null;
}

export const previousRun = (db: D1Database, job: JobName, businessDate: string) =>
  db
    .prepare(
      "SELECT summary, started_at AS startedAt, finished_at AS finishedAt FROM job_runs WHERE job = ? AND business_date = ?",
    )
    .bind(job, businessDate)
    .first<JobRun>();

/** The run's progress so far (its summary while unfinished), for the same batch as the work it counts. */
export const progressStatement = (db: D1Database, job: JobName, businessDate: string, progress: object) =>
  db
    .prepare("UPDATE job_runs SET summary = ? WHERE job = ? AND business_date = ? AND finished_at IS NULL")
    .bind(JSON.stringify(progress), job, businessDate);

export async function finishRun(db: D1Database, job: JobName, businessDate: string, summary: object, now: number): Promise<void> {
  await db
    .prepare("UPDATE job_runs SET finished_at = ?, summary = ? WHERE job = ? AND business_date = ?")
    .bind(now, JSON.stringify(summary), job, businessDate)
    .run();
}

export interface RecentRun {
  job: JobName;
  businessDate: string;
  finishedAt: number | null;
  summary: string | null;
}

export const recentRuns = async (db: D1Database, n = 4): Promise<RecentRun[]> =>
  (
    await db
      .prepare(
        "SELECT job, business_date AS businessDate, finished_at AS finishedAt, summary FROM job_runs ORDER BY started_at DESC LIMIT ?",
      )
      .bind(n)
      .all<RecentRun>()
  ).results;

/** The last run of each job (for the staff status page). */
export const lastRuns = async (db: D1Database): Promise<RecentRun[]> =>
  (
    await db
      .prepare(
        `SELECT job, business_date AS businessDate, finished_at AS finishedAt, summary FROM job_runs r
         WHERE started_at = (SELECT max(started_at) FROM job_runs WHERE job = r.job) ORDER BY job`,
      )
      .all<RecentRun>()
  ).results;

export async function isOpeningDay(db: D1Database, date: string): Promise<boolean> {
  const row = await db.prepare("SELECT open FROM calendar_days WHERE date = ?").bind(date).first<{ open: number }>();
  return row?.open === 1;
}

/** The nightly deletions of what privacy or housekeeping says must go. */
export const nightlyCleanups = (db: D1Database, now: number) => ({
  sessionsDeleted: db
    .prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2")
    .bind(now, now - 12 * 60 * 60 * 1000),
  // Whatever its state: a message stuck for a month is reconciled long since, and it names a title beside an address.
  mailDeleted: db.prepare("DELETE FROM mail_outbox WHERE created_at <= ?1").bind(now - MAIL_RETENTION_DAYS * DAY),
  mailRequestsDeleted: db.prepare("DELETE FROM mail_requests WHERE requested_at <= ?1").bind(now - MAIL_RETENTION_DAYS * DAY),
  guestCartsDeleted: db.prepare("DELETE FROM carts WHERE patron_id IS NULL AND expires_at <= ?1").bind(now),
  throttleRowsDeleted: db.prepare("DELETE FROM auth_throttle WHERE last_failure_at <= ?1").bind(now - DAY),
  // Rejected import rows name barcodes and card numbers: kept only for the retention period (docs/imports.md).
  importRejectsDeleted: purgeOldRejects(db, now),
});
