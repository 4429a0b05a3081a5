// The two jobs as the cron triggers and the staff endpoints run them: the business date in Tokyo, closed
// days skipped for the acceptance, the run's one mail per patron handed to the mail queue, a JSON log
// line per run and the failure kept on the run's row.
import { tokyoDate } from "../domain/calendar";
import { pickUpDroppedFiles, resumeStalledImports } from "../imports/start";
import { requestMail } from "../mail/notify";
import { requeueWaiting } from "../mail/outbox";
import { type MailReconciliation, reconcileMail } from "../mail/reconcile";
import { patronObject } from "../objects/patron";
import { patronsWithSeriesDue } from "../reservations/series";
import { settingsOf } from "../settings";
import { type AcceptanceSummary, runAcceptance } from "./acceptance";
import { type NightlySummary, runNightly } from "./nightly";
import { failRun, isOpeningDay } from "./queries";
import { acceptanceSlot, scheduleOf } from "./schedule";

export interface JobOptions {
  /** The business date (Tokyo); today's when absent. */
  date?: string;
  /** Which of the day's acceptance runs (its Tokyo time); the one due at `now` when absent. */
  slot?: string;
  /** The cut-off of the run. */
  now: number;
}

export type Skipped = {
  businessDate: string;
  skipped: "closed";
  accepted: 0;
  rejected: 0;
  cancelled: 0;
  cancellationsRefused: 0;
};

/** What the nightly refresh did about imports: dropped files picked up, stalled runs resumed. */
export interface NightlyImports {
  /** Volumes of in-order シリーズ予約 applied tonight. */
  seriesAdvanced?: number;
  importsStarted?: number;
  importsResumed?: number;
}

export async function runJob(env: Env, job: "acceptance", options: JobOptions): Promise<AcceptanceSummary | Skipped>;
export async function runJob(
  env: Env,
  job: "nightly",
  options: JobOptions,
): Promise<NightlySummary & Partial<MailReconciliation> & NightlyImports>;
export async function runJob(
  env: Env,
  job: "acceptance" | "nightly",
  options: JobOptions,
): Promise<AcceptanceSummary | (NightlySummary & NightlyImports) | Skipped> {
  const businessDate = options.date ?? tokyoDate(options.now);
  const schedule = scheduleOf(env);
  const slot = job === "nightly" ? "" : (options.slot ?? acceptanceSlot(schedule, businessDate, options.now));
  const wallStart = Date.now();
  try {
    const summary = await runOnce(env, job, { businessDate, slot, now: options.now });
    logJob({ event: "job.finished", job, businessDate, slot, durationMs: Date.now() - wallStart, ...counts(summary) });
    return summary;
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    // The run stays unfinished and carries on at the next attempt; the status page shows why it stopped.
    await failRun(env.DB, { job, businessDate, slot }, error).catch(() => undefined);
    logJob({ event: "job.failed", job, businessDate, slot, durationMs: Date.now() - wallStart, error });
    throw err;
  }
}

async function runOnce(
  env: Env,
  job: "acceptance" | "nightly",
  { businessDate, slot, now }: { businessDate: string; slot: string; now: number },
): Promise<AcceptanceSummary | (NightlySummary & NightlyImports) | Skipped> {
  const { reservationLimit, baseUrl } = settingsOf(env);
  if (job === "nightly") {
    const summary = await runNightly(env.DB, businessDate, now, (reservationIds) =>
      requestMail(env, [{ type: "notify", kind: "not_needed", reservationIds, baseUrl }]),
    );
    // Mail a crash left unasked, failed or half-sent is asked for again or given up (reconcile); then every
    // row waiting on the queue for an hour goes back on it.
    const mail = await reconcileMail(env, baseUrl, now);
    await requeueWaiting(env.DB, env, undefined, now);
    // The library system's files dropped in R2 tonight, and any import that stopped moving.
    const importsStarted = (await pickUpDroppedFiles(env, "system:nightly")).length;
    const importsResumed = await resumeStalledImports(env, now);
    const seriesAdvanced = await advanceDueSeries(env, now, reservationLimit);
    return { ...summary, seriesAdvanced, ...mail, importsStarted, importsResumed };
  }
  if (!(await isOpeningDay(env.DB, businessDate))) {
    return { businessDate, skipped: "closed", accepted: 0, rejected: 0, cancelled: 0, cancellationsRefused: 0 };
  }
  // Each decision's mail request is written with it; once the run is over (or found finished), one digest
  // message asks for every patron's one mail of the run, reminders included.
  const summary = await runAcceptance(env.DB, { businessDate, slot, now, limit: reservationLimit });
  await requestMail(env, [{ type: "digest", run: `${businessDate} ${slot}`, businessDate, baseUrl, since: now }]);
  return summary;
}

/**
 * シリーズ予約: the next volume of each in-order series whose turn has come, in each patron's object (the
 * limit is theirs). Last in the nightly, and one patron's failure stops no other's (it is tried again the
 * next night).
 */
async function advanceDueSeries(env: Env, now: number, limit: number): Promise<number> {
  let advanced = 0;
  for (const p of await patronsWithSeriesDue(env.DB)) {
    try {
      advanced += (await patronObject(env, p.cardNumber).advanceSeries(p.patronId, { now, limit })).value.length;
    } catch (err) {
      console.error(JSON.stringify({ event: "series.advance_failed", error: err instanceof Error ? err.name : "unknown" }));
    }
  }
  return advanced;
}

/** The numbers of a summary only (they are counts and dates; no names, titles or addresses reach the log). */
const counts = (summary: object) =>
  Object.fromEntries(Object.entries(summary).filter(([, v]) => typeof v === "number" || typeof v === "boolean"));

/** One JSON line per job event, for Workers Logs (docs/operations.md). */
export function logJob(fields: Record<string, unknown>): void {
  const line = JSON.stringify({ ...fields, at: new Date().toISOString() });
  if (fields.event === "job.failed") console.error(line);
  else console.log(line);
}
