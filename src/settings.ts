// The library's settings, parsed once from the Worker's vars (wrangler.toml [vars]); a bad value fails loudly.
import * as z from "zod/mini";
import { parseSchedule, type ScheduleVars } from "./jobs/schedule";
import { positiveInt } from "./validation";

const count = positiveInt();
/** Whole seconds, 0 allowed (0 turns the catalog cache off). */
const seconds = z.pipe(z.string().check(z.regex(/^\d{1,5}$/)), z.transform(Number));

const schema = z.object({
  RESERVATION_LIMIT: count,
  HOLD_DAYS: count,
  HOLD_EXTEND_DAYS: count,
  MAIL_WITHOUT_TITLES: z.enum(["0", "1"]),
  LOAN_DAYS: count,
  DUE_REMINDER_DAYS: count,
  PUBLIC_BASE_URL: z.url(),
  LIBRARY_NAME: z.string().check(z.minLength(1)),
  CATALOG_CACHE_SECONDS: seconds,
  CATALOG_CHECK_SECONDS: seconds,
});

export interface Settings {
  /** Active reservations a patron may have, counter ones included (10). */
  reservationLimit: number;
  /** Opening days a copy stays set aside (7). */
  holdDays: number;
  /** Opening days a patron may add once to a hold deadline online (3). */
  holdExtendDays: number;
  /** Mail without titles for patrons who chose nothing (false). */
  mailWithoutTitles: boolean;
  /** Days of a loan (14). */
  loanDays: number;
  /** 返却期限のお知らせ: this many days before the due date (on the morning of an opening day) (2). */
  dueReminderDays: number;
  /** The public address of the site: the only source of links in mail. */
  baseUrl: string;
  libraryName: string;
  /** How long an anonymous catalog page is served from the edge cache before it is rendered again (60; 0: off). */
  catalogCacheSeconds: number;
  /** How long an isolate trusts the catalog version it read (10): the lag of a staff change made elsewhere. */
  catalogCheckSeconds: number;
}

const parsed = new WeakMap<object, Settings>();

const VAR_NAMES = z.keyof(schema).options;

/** Vars widened to string: `wrangler types` gives them their local literal values, a deployment others. */
export type SettingsEnv = Record<(typeof VAR_NAMES)[number], string>;

/** Which vars do not parse (by name, never the value), for the configuration check. */
export function settingsProblems(env: SettingsEnv & ScheduleVars): Array<{ name: string; message: string }> {
  const r = schema.safeParse(env);
  const names = new Set(r.success ? [] : r.error.issues.map((i) => String(i.path[0])));
  const schedule = parseSchedule(env);
  if (!schedule.ok) for (const n of schedule.bad) names.add(n);
  return [...VAR_NAMES, "ACCEPTANCE_TIMES", "NIGHTLY_TIME"]
    .filter((n) => names.has(n))
    .map((name) => ({ name, message: `${name} の値が正しくありません（wrangler.toml [vars]）。` }));
}

export function settingsOf(env: SettingsEnv): Settings {
  const known = parsed.get(env);
  if (known) return known;
  const v = schema.parse(env);
  const settings: Settings = {
    reservationLimit: v.RESERVATION_LIMIT,
    holdDays: v.HOLD_DAYS,
    holdExtendDays: v.HOLD_EXTEND_DAYS,
    mailWithoutTitles: v.MAIL_WITHOUT_TITLES === "1",
    loanDays: v.LOAN_DAYS,
    dueReminderDays: v.DUE_REMINDER_DAYS,
    baseUrl: v.PUBLIC_BASE_URL.replace(/\/+$/, ""),
    libraryName: v.LIBRARY_NAME,
    catalogCacheSeconds: v.CATALOG_CACHE_SECONDS,
    catalogCheckSeconds: v.CATALOG_CHECK_SECONDS,
  };
  parsed.set(env, settings);
  return settings;
}
