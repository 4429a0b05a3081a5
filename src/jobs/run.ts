// The two jobs as the cron triggers and the staff endpoints run them: the business date in Tokyo, closed
// days skipped for the acceptance, mail for each decided application handed to the mail queue.
import { tokyoDate } from "../domain/calendar";
import { pickUpDroppedFiles, resumeStalledImports } from "../imports/start";
import type { NotifyMessage } from "../mail/messages";
import { requestMail } from "../mail/notify";
import { requeueWaiting } from "../mail/outbox";
import { type MailReconciliation, reconcileMail } from "../mail/reconcile";
import { settingsOf } from "../settings";
import { type AcceptanceSummary, runAcceptance } from "./acceptance";
import { type NightlySummary, runNightly } from "./nightly";
import { isOpeningDay } from "./queries";

export interface JobOptions {
  /** The business date (Tokyo); today's when absent. */
  date?: string;
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
  const { reservationLimit, baseUrl } = settingsOf(env);
  if (job === "nightly") {
    const summary = await runNightly(env.DB, businessDate, options.now);
    // Mail a crash left unasked, failed or half-sent is asked for again or given up (reconcile); then every
    // row waiting on the queue for an hour goes back on it.
    const mail = await reconcileMail(env, baseUrl, options.now);
    await requeueWaiting(env.DB, env, undefined, options.now);
    // The library system's files dropped in R2 tonight, and any import that stopped moving.
    const importsStarted = (await pickUpDroppedFiles(env, "system:nightly")).length;
    const importsResumed = await resumeStalledImports(env, options.now);
    return { ...summary, ...mail, importsStarted, importsResumed };
  }
  if (!(await isOpeningDay(env.DB, businessDate))) {
    return { businessDate, skipped: "closed", accepted: 0, rejected: 0, cancelled: 0, cancellationsRefused: 0 };
  }
  return runAcceptance(env.DB, {
    businessDate,
    now: options.now,
    limit: reservationLimit,
    onDecided: async ({ accepted, rejected }) => {
      const messages: NotifyMessage[] = [];
      if (accepted.length > 0) messages.push({ type: "notify", kind: "accepted", reservationIds: accepted, baseUrl });
      if (rejected.length > 0) messages.push({ type: "notify", kind: "rejected", reservationIds: rejected, baseUrl });
      await requestMail(env, messages);
    },
  });
}

/** Which job a cron expression runs (wrangler.toml [triggers] and the *_CRON vars say the same). */
export function jobOfCron(env: Env, cron: string): "acceptance" | "nightly" | undefined {
  if (cron === env.ACCEPTANCE_CRON) return "acceptance";
  if (cron === env.NIGHTLY_CRON) return "nightly";
  return undefined;
}
