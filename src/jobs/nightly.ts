// The nightly refresh as a job: the reservations' nightly transitions (holds past their deadline, privacy)
// and the clean-ups of sessions, guest carts, throttle counters and old mail, in one batch; recorded in
// job_runs so pages can say "as of".
import type { D1 } from "../db/client";
import { nightlyTransitions } from "../reservations/nightly";
import { finishRun, nightlyCleanups, previousRun, type RunKey, startRun } from "./queries";
import { rankingStatements } from "./rankings";

export interface NightlySummary {
  businessDate: string;
  holdsExpired: number;
  copiesReleased: number;
  notNeededMailRequested: number;
  notNeededCancelled: number;
  sessionsDeleted: number;
  reservationsAnonymised: number;
  loansUnlinked: number;
  seriesItemsForgotten: number;
  seriesForgotten: number;
  mailDeleted: number;
  mailRequestsDeleted: number;
  guestCartsDeleted: number;
  throttleRowsDeleted: number;
  applyKeysDeleted: number;
  importRejectsDeleted: number;
  rankingsCleared: number;
  rankedReserved: number;
  rankedBorrowed: number;
  alreadyRun?: boolean;
}

export async function runNightly(
  db: D1,
  businessDate: string,
  now: number,
  /** Called with the reservations cancelled after their 不要になる日 (their mail). */
  onNotNeeded?: (reservationIds: number[]) => Promise<void>,
): Promise<NightlySummary> {
  const key: RunKey = { job: "nightly", businessDate, slot: "" };
  const wallStart = Date.now();
  if (!(await startRun(db, key, now))) {
    const previous = await previousRun(db, key);
    if (previous?.finishedAt && previous.summary)
      return { ...(JSON.parse(previous.summary) as NightlySummary), alreadyRun: true };
  }
  // Each statement is one bulk change; the whole refresh is a handful of queries however large the library.
  const steps = {
    ...nightlyTransitions(db, businessDate, now),
    ...nightlyCleanups(db, now),
    ...rankingStatements(db, businessDate, now),
  };
  const names = Object.keys(steps) as Array<keyof typeof steps>;
  const results = await db.batch(names.map((n) => steps[n]));
  const counts = Object.fromEntries(names.map((n, i) => [n, results[i]?.meta.changes ?? 0])) as Record<
    keyof typeof steps,
    number
  >;
  const summary: NightlySummary = { businessDate, ...counts };
  const notNeeded = ((results[names.indexOf("notNeededCancelled")]?.results ?? []) as Array<{ id: number }>).map((r) => r.id);
  // The requests are written; a crash before this send is answered by the next night's reconciliation.
  if (notNeeded.length > 0) await onNotNeeded?.(notNeeded);
  const took = Date.now() - wallStart;
  await finishRun(db, key, summary, now + took, took);
  return summary;
}
