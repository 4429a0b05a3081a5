// When the jobs run, said once in Tokyo time (wrangler.toml [vars] ACCEPTANCE_TIMES, NIGHTLY_TIME); the UTC
// crons of [triggers] are derived from it here, and `npm run check:config` fails when the file disagrees.
import { tokyoDate } from "../domain/calendar";

const TOKYO_OFFSET_MINUTES = 9 * 60;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface Schedule {
  /** Tokyo times of the acceptance runs of each opening day, in order ("07:30", or "08:30,18:00"). */
  acceptance: string[];
  /** Tokyo time of the nightly refresh ("02:00"). */
  nightly: string;
}

export type ScheduleVars = { ACCEPTANCE_TIMES: string; NIGHTLY_TIME: string };

/** The schedule of the vars, or the names of the vars that do not parse. */
export function parseSchedule(vars: ScheduleVars): { ok: true; schedule: Schedule } | { ok: false; bad: string[] } {
  const acceptance = vars.ACCEPTANCE_TIMES.split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const bad: string[] = [];
  const sorted = [...new Set(acceptance)].sort();
  if (acceptance.length === 0 || !acceptance.every((t) => TIME.test(t)) || sorted.length !== acceptance.length)
    bad.push("ACCEPTANCE_TIMES");
  if (!TIME.test(vars.NIGHTLY_TIME.trim())) bad.push("NIGHTLY_TIME");
  return bad.length > 0 ? { ok: false, bad } : { ok: true, schedule: { acceptance: sorted, nightly: vars.NIGHTLY_TIME.trim() } };
}

export function scheduleOf(vars: ScheduleVars): Schedule {
  const parsed = parseSchedule(vars);
  if (!parsed.ok) throw new Error(`bad schedule vars: ${parsed.bad.join(", ")}`);
  return parsed.schedule;
}

const minutesOf = (time: string) => {
  const [, h, m] = TIME.exec(time) ?? [];
  return Number(h) * 60 + Number(m);
};

/** The daily UTC cron of a Tokyo time: 07:30 → "30 22 * * *" (22:30 UTC the day before). */
export function cronOf(time: string): string {
  const utc = (minutesOf(time) - TOKYO_OFFSET_MINUTES + 24 * 60) % (24 * 60);
  return `${utc % 60} ${Math.floor(utc / 60)} * * *`;
}

/** Every cron [triggers] must list, acceptance runs first. */
export const cronsOf = (s: Schedule): string[] => [...s.acceptance.map(cronOf), cronOf(s.nightly)];

export type ScheduledJob = { job: "acceptance"; slot: string } | { job: "nightly"; slot: "" };

/** Which job (and which of the day's acceptance runs) a cron expression runs. */
export function jobOfCron(s: Schedule, cron: string): ScheduledJob | undefined {
  const slot = s.acceptance.find((t) => cronOf(t) === cron);
  if (slot) return { job: "acceptance", slot };
  if (cronOf(s.nightly) === cron) return { job: "nightly", slot: "" };
  return undefined;
}

/** The instant of a Tokyo date and time. */
export function tokyoInstant(date: string, time: string): number {
  return Date.parse(`${date}T${time}:00+09:00`);
}

const tokyoMinutes = (now: number) => {
  const t = new Date(now + TOKYO_OFFSET_MINUTES * 60_000);
  return t.getUTCHours() * 60 + t.getUTCMinutes();
};

/**
 * The acceptance run a date stands for at `now`: today's latest run already due (the first before it is
 * due, run early by hand), a past day's last run (catching up), a future day's first run (a rehearsal).
 */
export function acceptanceSlot(s: Schedule, date: string, now: number): string {
  const today = tokyoDate(now);
  const first = s.acceptance[0] ?? "00:00";
  if (date > today) return first;
  if (date < today) return s.acceptance.at(-1) ?? first;
  const due = s.acceptance.filter((t) => minutesOf(t) <= tokyoMinutes(now));
  return due.at(-1) ?? first;
}
