// Branches and opening days from a per-isolate cache, good for one catalog version: every staff change
// bumps the version (db/catalog-version.ts), and an isolate re-reads the version at most every
// CATALOG_CHECK_SECONDS (at once after a staff write it made itself), so pages need no D1 trip for them.
import type { Context, MiddlewareHandler } from "hono";
import { createDb, type D1 } from "../../db/client";
import type { branches } from "../../db/schema";
import { addDays, datesOfMonth } from "../../domain/calendar";
import type { AppEnv } from "../../env";
import { invalidRequest } from "../../errors";
import { settingsOf } from "../../settings";
import { calendarRange, listBranches } from "./queries";

export type Branch = typeof branches.$inferSelect;
type Day = { date: string; open: boolean; note: string | null };

let known: { version: number; checkedAt: number } | undefined;
export type Notice = { id: number; title: string; body: string; from: string; until: string };

let cached: {
  version: number;
  branches?: Promise<Branch[]>;
  notices?: Promise<Notice[]>;
  months: Map<string, Promise<Day[]>>;
} = {
  version: -1,
  months: new Map(),
};

/** The catalog version, read from D1 when the isolate's copy is older than `checkSeconds`. */
export async function catalogVersion(d1: D1, checkSeconds: number, now = Date.now()): Promise<number> {
  if (known && now - known.checkedAt < checkSeconds * 1000) return known.version;
  const row = await d1.prepare("SELECT version FROM catalog_version WHERE id = 1").first<{ version: number }>();
  known = { version: row?.version ?? 0, checkedAt: now };
  return known.version;
}

/** After a staff write in this isolate: the next request reads the version again. */
export function forgetCatalogVersion(): void {
  known = undefined;
}

function forVersion(version: number) {
  if (cached.version !== version) cached = { version, months: new Map() };
  return cached;
}

/** Keeps a load's promise, and forgets it when it fails so the next request tries again. */
function remember<T>(load: () => PromiseLike<T>, keep: (p: Promise<T> | undefined) => void): Promise<T> {
  // Drizzle's queries are thenables that run again on every await: settle one run into a real promise.
  const p = Promise.resolve(load());
  keep(p);
  p.catch(() => keep(undefined));
  return p;
}

export function cachedBranches(d1: D1, version: number): Promise<Branch[]> {
  const slot = forVersion(version);
  return (
    slot.branches ??
    remember(
      () => listBranches(createDb(d1)),
      (p) => {
        slot.branches = p;
      },
    )
  );
}

/** The notices not over by `since` (a day before today: a long-lived isolate still filters by date). */
export function cachedNotices(d1: D1, version: number, since: string): Promise<Notice[]> {
  const slot = forVersion(version);
  return (
    slot.notices ??
    remember(
      () =>
        d1
          .prepare(
            `SELECT id, title, body, from_date AS "from", until_date AS until FROM notices WHERE until_date >= ? ORDER BY from_date DESC, id DESC LIMIT 20`,
          )
          .bind(since)
          .all<Notice>()
          .then((r) => r.results),
      (p) => {
        slot.notices = p;
      },
    )
  );
}

/** Months kept per isolate: any year can be asked for, so the oldest asked go first. */
const MONTHS_KEPT = 36;

/** Opening days of one month ('YYYY-MM'), from its first to its last day. */
export function cachedMonth(d1: D1, version: number, month: string, from: string, to: string): Promise<Day[]> {
  const slot = forVersion(version);
  return (
    slot.months.get(month) ??
    remember(
      () => calendarRange(createDb(d1), from, to),
      (p) => {
        if (!p) slot.months.delete(month);
        else {
          slot.months.set(month, p);
          if (slot.months.size > MONTHS_KEPT) slot.months.delete(slot.months.keys().next().value as string);
        }
      },
    )
  );
}

// The version and what is cached under it are read from the primary (the binding without a session): a
// replica could be older than the write that bumped the version, and hold old branches under the new one.
// Both are rare reads (every CATALOG_CHECK_SECONDS, once per version).

/** The catalog version of this request (read once per request at most). */
export async function versionFor(c: Context<AppEnv>): Promise<number> {
  if (c.var.catalogVersion === undefined)
    c.set("catalogVersion", await catalogVersion(c.env.DB, settingsOf(c.env).catalogCheckSeconds));
  return c.var.catalogVersion as number;
}

export const branchesFor = async (c: Context<AppEnv>) => cachedBranches(c.env.DB, await versionFor(c));

/**
 * The branch a request's `branch` parameter names (undefined when it names none); an unknown code is
 * 400 invalid_request on that field, so a typo is not silently "nothing". `what`: 館, or 所蔵館 for holdings.
 */
export async function namedBranch(c: Context<AppEnv>, code: string | undefined, what = "館"): Promise<Branch | undefined> {
  if (!code) return undefined;
  const branch = (await branchesFor(c)).find((b) => b.code === code);
  if (!branch) throw invalidRequest({ branch: `指定された${what}はありません。` }, `指定された${what}はありません。`);
  return branch;
}

/** お知らせ shown today: from ≤ today ≤ until (the per-isolate list is filtered at each render). */
export async function noticesFor(c: Context<AppEnv>, today: string): Promise<Notice[]> {
  const all = await cachedNotices(c.env.DB, await versionFor(c), addDays(today, -1));
  return all.filter((n) => n.from <= today && n.until >= today);
}

export const monthFor = async (c: Context<AppEnv>, month: string, from: string, to: string) =>
  cachedMonth(c.env.DB, await versionFor(c), month, from, to);

/**
 * The pickup branch a form offers first: the first of `candidates` (what is in the cart, 初期値設定, the last
 * choice) that is still a pickup branch, else the first pickup branch.
 */
export function preferredPickup(pickups: readonly Branch[], ...candidates: Array<string | null | undefined>): string | undefined {
  for (const code of candidates) if (code && pickups.some((b) => b.code === code)) return code;
  return pickups[0]?.code;
}

/** Every date from `from` to `to` with whether it is an opening day (a date missing from the calendar is closed). */
export async function daysFor(
  c: Context<AppEnv>,
  from: string,
  to: string,
): Promise<Array<{ date: string; open: boolean; note: string | null }>> {
  const months: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = addDays(`${m}-28`, 7).slice(0, 7)) months.push(m);
  const loaded = await Promise.all(
    months.map((m) => {
      const dates = datesOfMonth(m);
      return monthFor(c, m, dates[0] as string, dates[dates.length - 1] as string);
    }),
  );
  const known = new Map(loaded.flat().map((d) => [d.date, d]));
  const out: Array<{ date: string; open: boolean; note: string | null }> = [];
  for (let d = from; d <= to; d = addDays(d, 1))
    out.push({ date: d, open: known.get(d)?.open ?? false, note: known.get(d)?.note ?? null });
  return out;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Staff writes made in this isolate show on its very next request. */
export const forgetAfterStaffWrite: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!SAFE_METHODS.has(c.req.method)) forgetCatalogVersion();
};
