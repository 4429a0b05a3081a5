// The rehearsal clock (受入テスト, staff training): outside production, staff may run a job "as of" a future
// business date, which then acts exactly as that date's cron would; staff deadlines count from that morning.
import type { D1 } from "../db/client";
import { tokyoDate } from "../domain/calendar";
import { invalidRequest } from "../errors";
import { latestCutOff } from "./queries";
import { acceptanceSlot, type Schedule, tokyoInstant } from "./schedule";

export const isProduction = (env: Pick<Env, "ENVIRONMENT">): boolean => env.ENVIRONMENT === "production";

export interface JobClock {
  businessDate: string;
  slot: string;
  /** The run's cut-off. */
  now: number;
  /** True when the date is later than today (a rehearsal). */
  rehearsal: boolean;
}

/**
 * The date, run and cut-off of a job started by hand. Today or a past day runs now (catching up); a future
 * day runs at its cron's time, except in production, where it is refused as it always was.
 */
export function jobClock(
  env: Pick<Env, "ENVIRONMENT">,
  schedule: Schedule,
  job: "acceptance" | "nightly",
  request: { date?: string; time?: string },
  now: number,
): JobClock {
  const today = tokyoDate(now);
  const businessDate = request.date ?? today;
  if (request.time !== undefined && job === "nightly")
    throw invalidRequest({ time: "夜間更新は時刻を指定せずに実行してください。" });
  if (request.time !== undefined && !schedule.acceptance.includes(request.time))
    throw invalidRequest({ time: `受付処理の時刻は ${schedule.acceptance.join("・")} のいずれかです。` });
  const slot = job === "nightly" ? "" : (request.time ?? acceptanceSlot(schedule, businessDate, now));
  if (businessDate <= today) return { businessDate, slot, now, rehearsal: false };
  if (isProduction(env)) throw invalidRequest({ date: "未来の日付では実行できません。" });
  const at = tokyoInstant(businessDate, job === "nightly" ? schedule.nightly : slot);
  return { businessDate, slot, now: at, rehearsal: true };
}

/**
 * The instant staff actions count from (set aside, lend): now, or outside production the latest cut-off a
 * rehearsal run was given, so a copy set aside on a rehearsal morning is due from that morning.
 */
export async function staffNow(env: Pick<Env, "ENVIRONMENT">, db: D1, now = Date.now()): Promise<number> {
  if (isProduction(env)) return now;
  return Math.max(now, (await latestCutOff(db)) ?? now);
}
