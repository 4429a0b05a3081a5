// What staff can watch (GET /api/v1/admin/status and /admin/status): the last run of each job, mail and queue
// backlogs, import runs, configuration health (secrets, vars, the mail provider reachable) and the database's
// size against D1's limit. Names and counts only: never a secret's value, a patron or a title.

import { configProblems } from "../../config";
import type { D1 } from "../../db/client";
import { tokyoIso } from "../../domain/calendar";
import { reportOf } from "../../imports/report";
import { recentImports } from "../../imports/runs";
import { lastRuns, type RecentRun } from "../../jobs/queries";
import { providerConfigured } from "../../mail/outbox";
import type { Staff } from "./actions";
import { mailHealth } from "./queries";

/** D1's largest database on the Workers Paid plan (the free plan stops at 500 MB). */
export const D1_LIMIT_BYTES = 10 * 1024 ** 3;
/** A nightly refresh older than this means last night's did not run. */
const NIGHTLY_LATE_MS = 26 * 60 * 60 * 1000;

const jobOf = (r: RecentRun, now: number) => ({
  job: r.job,
  businessDate: r.businessDate,
  ...(r.slot ? { time: r.slot } : {}),
  startedAt: tokyoIso(r.startedAt),
  finishedAt: r.finishedAt === null ? null : tokyoIso(r.finishedAt),
  durationMs: r.durationMs,
  state: r.finishedAt !== null ? "finished" : r.error ? "failed" : "running",
  error: r.error,
  summary: r.summary ? (JSON.parse(r.summary) as Record<string, unknown>) : null,
  ...(r.job === "nightly" ? { late: r.finishedAt === null || now - r.finishedAt > NIGHTLY_LATE_MS } : {}),
});

/** A queue's backlog from the platform (Queue.metrics()), or null where the runtime cannot say. */
async function backlog(queue: Queue) {
  try {
    const m = await queue.metrics();
    return {
      messages: m.backlogCount,
      bytes: m.backlogBytes,
      oldest: m.oldestMessageTimestamp ? tokyoIso(new Date(m.oldestMessageTimestamp)) : null,
    };
  } catch {
    return null;
  }
}

/** Whether the mail provider answers at all (any HTTP status) within 3 seconds; nothing is sent. */
async function providerReachable(env: Env): Promise<{ configured: boolean; reachable: boolean | null; detail?: string }> {
  if (!providerConfigured(env)) return { configured: false, reachable: null };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  try {
    const res = await fetch(env.MAIL_PROVIDER_URL, { method: "HEAD", signal: controller.signal });
    return { configured: true, reachable: true, detail: `HTTP ${res.status}` };
  } catch (err) {
    return { configured: true, reachable: false, detail: err instanceof Error ? err.message : "error" };
  } finally {
    clearTimeout(timer);
  }
}

/** The database's size in bytes, as D1 reports it after a statement. */
async function databaseBytes(db: D1): Promise<number | null> {
  const r = await db.prepare("SELECT 1").run();
  const size = (r.meta as { size_after?: number }).size_after;
  return typeof size === "number" ? size : null;
}

export async function serviceStatus(s: Staff) {
  const now = Date.now();
  const [runs, mail, imports, mailQueue, importQueue, provider, size] = await Promise.all([
    lastRuns(s.db),
    mailHealth(s.db),
    recentImports(s.db, 5),
    backlog(s.env.MAIL_QUEUE),
    backlog(s.env.IMPORT_QUEUE),
    providerReachable(s.env),
    databaseBytes(s.db),
  ]);
  const problems = configProblems(s.env);
  if (provider.configured && !s.env.MAIL_API_KEY)
    problems.push({ name: "MAIL_API_KEY", message: "MAIL_API_KEY が設定されていません（wrangler secret put MAIL_API_KEY）。" });
  if (provider.configured && !s.env.MAIL_WEBHOOK_SECRET)
    problems.push({
      name: "MAIL_WEBHOOK_SECRET",
      message: "MAIL_WEBHOOK_SECRET が設定されていません：不達（バウンス）が記録されません（docs/mail.md）。",
    });
  return {
    environment: s.env.ENVIRONMENT,
    jobs: runs.map((r) => jobOf(r, now)),
    mail,
    queues: { mail: mailQueue, imports: importQueue },
    imports: imports.map(reportOf),
    configuration: { ok: problems.length === 0 && provider.reachable !== false, problems, mailProvider: provider },
    database: { bytes: size, limitBytes: D1_LIMIT_BYTES, percent: size === null ? null : (size / D1_LIMIT_BYTES) * 100 },
  };
}

export type ServiceStatus = Awaited<ReturnType<typeof serviceStatus>>;
