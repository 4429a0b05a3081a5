// The morning acceptance (受付処理) of one business date as a job: the applications made before the run,
// in chunks to stay inside a Worker invocation's query budget, decided by reservations/acceptance.ts; run
// once per business date (a second run changes nothing; one stopped midway carries on).
import type { D1 } from "../db/client";
import { applicationsDue, closeCancellations, type Decided, decideApplications } from "../reservations/acceptance";
import { finishRun, previousRun, progressStatement, type RunKey, startRun } from "./queries";

const CHUNK = 200;

export interface AcceptanceSummary {
  businessDate: string;
  accepted: number;
  rejected: number;
  cancelled: number;
  cancellationsRefused: number;
  /** True when this date had already been run: nothing was changed this time. */
  alreadyRun?: boolean;
}

export interface AcceptanceOptions {
  businessDate: string;
  /** Which of the day's acceptance runs this is (its Tokyo time, "07:30"); runJob always says. */
  slot?: string;
  /** The cut-off: applications made before it are decided (the cron's time, or a rehearsal morning's). */
  now: number;
  limit: number;
  /** Applications per chunk (200; tests use fewer to stop a run between chunks). */
  chunk?: number;
  /** Called after each chunk with the reservations it decided (mail). */
  onDecided?: (decided: Decided) => Promise<void>;
}

export async function runAcceptance(db: D1, options: AcceptanceOptions): Promise<AcceptanceSummary> {
  const { businessDate, limit } = options;
  const key: RunKey = { job: "acceptance", businessDate, slot: options.slot ?? "" };
  const wallStart = Date.now();
  let now = options.now;
  const summary: AcceptanceSummary = { businessDate, accepted: 0, rejected: 0, cancelled: 0, cancellationsRefused: 0 };
  if (!(await startRun(db, key, now))) {
    const previous = await previousRun(db, key);
    // A finished run is not repeated; an unfinished one (stopped midway) carries on where it stopped, as of
    // its own start, so applications made since wait for the next opening day. Every change is guarded by
    // the row's status, so two runs at once cannot decide one application twice.
    if (previous?.finishedAt && previous.summary)
      return { ...(JSON.parse(previous.summary) as AcceptanceSummary), alreadyRun: true };
    if (previous) {
      now = previous.startedAt;
      // What the stopped run decided was counted in the same batch as its decisions: the resumed run goes on
      // counting from there, and its acceptance times continue after the ones already given (queue order).
      const done = previous.summary ? (JSON.parse(previous.summary) as Partial<AcceptanceSummary>) : {};
      summary.accepted = done.accepted ?? 0;
      summary.rejected = done.rejected ?? 0;
    }
  }

  for (;;) {
    const chunk = await applicationsDue(db, now, options.chunk ?? CHUNK);
    if (chunk.length === 0) break;
    // Queue order is acceptance time: now + the application's place among this run's decisions.
    const offset = summary.accepted + summary.rejected;
    const decided = await decideApplications(db, chunk, { today: businessDate, now, limit, offset }, (d) => [
      progressStatement(db, key, {
        ...summary,
        accepted: summary.accepted + d.accepted.length,
        rejected: summary.rejected + d.rejected.length,
      }),
    ]);
    summary.accepted += decided.accepted.length;
    summary.rejected += decided.rejected.length;
    await options.onDecided?.(decided);
  }
  const { cancelled, refused } = await closeCancellations(db, now);
  summary.cancelled = cancelled;
  summary.cancellationsRefused = refused;
  const took = Date.now() - wallStart;
  await finishRun(db, key, summary, now + took, took);
  return summary;
}
