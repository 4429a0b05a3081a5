// Making reservations: a patron's web application (all or nothing, within the limit) and a counter
// reservation (予約中 at once, queued from now). Only the patron's Durable Object calls this, so each
// check-then-write runs alone; the partial unique index on active reservations backs it up.
import type { D1 } from "../db/client";
import { tokyoDate } from "../domain/calendar";
import { type Channel, PATRON_REFUSALS, type PatronStanding, type RefusalCode, refusalOf } from "../domain/eligibility";
import { reservability } from "../domain/reservability";
import { remainingQuota } from "../domain/reservations";
import type { SeriesMode } from "../domain/series";
import { seriesStatements } from "./series-rows";
import { copyCountColumns, isActiveSql } from "./sql";

export interface ApplicationItem {
  materialId: number;
  pickupBranch: string;
}

export interface ApplyInput {
  patronId: number;
  items: ApplicationItem[];
  /** web: 予約申請中 until the morning acceptance; counter: 予約中 at once, queued from now. Default web. */
  source?: "web" | "counter";
  /** The cart to empty of these materials in the same transaction, if the items came from one. */
  cartId?: string;
  /** An apply answered once per key (Idempotency-Key): a retry gets the first outcome, applying nothing. */
  key?: string;
  /**
   * シリーズ予約 of the items in their order, all to the first item's pickup branch: `together` applies all
   * now; `in_order` only the first (none while the limit is reached: the series waits, see series.ts).
   */
  series?: SeriesMode;
  now: number;
  limit: number;
}

export interface AppliedReservation {
  id: number;
  materialId: number;
  pickupBranch: string;
  appliedAt: number;
}

export type ApplyOutcome =
  | { ok: true; reservations: AppliedReservation[]; seriesId?: number }
  | { ok: false; code: "quota_exceeded"; remaining: number }
  | { ok: false; code: "not_reservable"; materialIds: number[] }
  | { ok: false; code: "already_reserved"; materialIds: number[] }
  | { ok: false; code: "invalid_request"; field: "pickupBranch" | "items" }
  | { ok: false; code: "forbidden" };

/** A patron row as STANDING_COLUMNS reads it. */
export interface PatronRow {
  webEnabled: number;
  suspended: number;
  mustChange: number;
  validUntil: string | null;
}

export const standingOf = (p: PatronRow | undefined): PatronStanding | undefined =>
  p && {
    webEnabled: p.webEnabled === 1,
    suspended: p.suspended === 1,
    mustChangeCredentials: p.mustChange === 1,
    cardValidUntil: p.validUntil,
  };

/** The patron columns `standingOf` reads, for a `patrons` row aliased `p`. */
export const STANDING_COLUMNS =
  "p.web_enabled AS webEnabled, p.suspended, p.must_change_credentials AS mustChange, p.card_valid_until AS validUntil";

export interface MaterialRow {
  id: number;
  latestIssue: number;
  usable: number;
  lendable: number;
}

/** Reservability of materials by id, with the copy counts it needs, in one statement. */
export const materialsForRule = (db: D1, idsJson: string) =>
  db
    .prepare(
      `SELECT m.id, m.latest_issue AS latestIssue, ${copyCountColumns("m")}
       FROM materials m WHERE m.id IN (SELECT value FROM json_each(?))`,
    )
    .bind(idsJson);

export const reservabilityOf = (m: MaterialRow | undefined) =>
  m
    ? reservability({ latestIssue: m.latestIssue === 1, usableCopies: m.usable, lendableCopies: m.lendable })
    : ({ reservable: false, reason: "no_loanable_item" } as const);

/**
 * What an application is decided on, in one round trip: the patron's standing, the reservations counting
 * toward the limit, the materials (of the JSON id list) already actively reserved, each material's
 * reservability, and the pickup branches.
 */
export async function applicationFacts(db: D1, patronId: number, idsJson: string) {
  const [patron, active, duplicates, materials, pickups] = await db.batch([
    db.prepare(`SELECT ${STANDING_COLUMNS} FROM patrons p WHERE p.id = ?`).bind(patronId),
    db.prepare(`SELECT count(*) AS n FROM reservations WHERE patron_id = ? AND ${isActiveSql()}`).bind(patronId),
    db
      .prepare(
        `SELECT DISTINCT material_id AS id FROM reservations
         WHERE patron_id = ? AND ${isActiveSql()} AND material_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(patronId, idsJson),
    materialsForRule(db, idsJson),
    db.prepare("SELECT code FROM branches WHERE pickup = 1"),
  ]);
  return {
    standing: standingOf(patron?.results?.[0] as PatronRow | undefined),
    activeCount: (active?.results?.[0] as { n: number } | undefined)?.n ?? 0,
    dup: new Set(((duplicates?.results ?? []) as Array<{ id: number }>).map((r) => r.id)),
    found: new Map(((materials?.results ?? []) as MaterialRow[]).map((m) => [m.id, m])),
    pickupCodes: new Set(((pickups?.results ?? []) as Array<{ code: string }>).map((r) => r.code)),
  };
}

/** One reservation as an application makes it: 予約申請中 from the web, 予約中 (queued from now) at the counter. */
export const reservationInsert = (db: D1, patronId: number, i: ApplicationItem, source: "web" | "counter", now: number) =>
  db
    .prepare(
      `INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, material_id AS materialId, pickup_branch AS pickupBranch, applied_at AS appliedAt`,
    )
    .bind(
      patronId,
      i.materialId,
      i.pickupBranch,
      source === "counter" ? "reserved" : "applied",
      source,
      now,
      source === "counter" ? now : null,
      now,
    );

export type ApplicationFacts = Awaited<ReturnType<typeof applicationFacts>>;

/**
 * Why these items may not be applied, in the order patrons are told: the patron, a pickup branch, a
 * material that cannot be reserved, a duplicate, the limit (`adding` reservations counted against it).
 */
export function applicationRefusal(
  f: ApplicationFacts,
  items: readonly ApplicationItem[],
  { channel, today, limit, adding }: { channel: Channel; today: string; limit: number; adding: number },
): Exclude<ApplyOutcome, { ok: true }> | undefined {
  const refusals = items.map((i) =>
    refusalOf({
      channel,
      patron: f.standing,
      today,
      reservability: reservabilityOf(f.found.get(i.materialId)),
      duplicate: f.dup.has(i.materialId),
      activeCount: f.activeCount,
      adding,
      limit,
    }),
  );
  const refusedFor = (codes: readonly (RefusalCode | undefined)[]) =>
    items.filter((_, n) => codes.includes(refusals[n])).map((i) => i.materialId);
  if (refusals.some((r) => r && PATRON_REFUSALS.includes(r))) return { ok: false, code: "forbidden" };
  if (items.some((i) => !f.pickupCodes.has(i.pickupBranch))) return { ok: false, code: "invalid_request", field: "pickupBranch" };
  const notReservable = refusedFor(["latest_issue", "reading_room_only", "no_loanable_item"]);
  if (notReservable.length > 0) return { ok: false, code: "not_reservable", materialIds: notReservable };
  const duplicated = refusedFor(["duplicate"]);
  if (duplicated.length > 0) return { ok: false, code: "already_reserved", materialIds: duplicated };
  if (refusals.includes("over_limit"))
    return { ok: false, code: "quota_exceeded", remaining: remainingQuota(limit, f.activeCount) };
  return undefined;
}

/** Outcome kept per key: the ids of what was applied, or the refusal itself. */
type StoredOutcome = { ok: true; ids: number[]; seriesId?: number | null } | Exclude<ApplyOutcome, { ok: true }>;

/** The first outcome of a key, with the reservations it made read again. */
async function storedOutcome(db: D1, patronId: number, key: string): Promise<ApplyOutcome | undefined> {
  const row = await db
    .prepare("SELECT outcome FROM apply_keys WHERE patron_id = ? AND key = ?")
    .bind(patronId, key)
    .first<{ outcome: string }>();
  if (!row) return undefined;
  const stored = JSON.parse(row.outcome) as StoredOutcome;
  if (!stored.ok) return stored;
  const rows = await db
    .prepare(
      `SELECT id, material_id AS materialId, pickup_branch AS pickupBranch, applied_at AS appliedAt FROM reservations
       WHERE patron_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
    )
    .bind(patronId, JSON.stringify(stored.ids))
    .all<AppliedReservation>();
  return { ok: true, reservations: rows.results, ...(stored.seriesId ? { seriesId: stored.seriesId } : {}) };
}

/** Applies, or answers a key's first outcome again; a refusal is kept for its key too. */
export async function applyReservations(db: D1, input: ApplyInput): Promise<ApplyOutcome> {
  if (input.key) {
    const first = await storedOutcome(db, input.patronId, input.key);
    if (first) return first;
  }
  const outcome = await applyOnce(db, input);
  if (!outcome.ok && input.key) {
    await db
      .prepare("INSERT OR IGNORE INTO apply_keys (patron_id, key, outcome, created_at) VALUES (?, ?, ?, ?)")
      .bind(input.patronId, input.key, JSON.stringify(outcome), input.now)
      .run();
  }
  return outcome;
}

/** Applies for every item or none: the patron may reserve, each material may be reserved, no duplicate, within the limit. */
async function applyOnce(db: D1, input: ApplyInput): Promise<ApplyOutcome> {
  const { patronId, items, now, limit } = input;
  if (items.length === 0) return { ok: false, code: "invalid_request", field: "items" };
  const ids = JSON.stringify(items.map((i) => i.materialId));
  const counter = input.source === "counter";
  const facts = await applicationFacts(db, patronId, ids);
  const inOrder = input.series === "in_order";
  const refused = applicationRefusal(facts, items, {
    channel: counter ? "counter" : "web",
    today: tokyoDate(now),
    limit,
    // In order, only the first counts now.
    adding: inOrder ? 1 : items.length,
  });
  // An in-order series at the limit is kept, nothing applied yet: its first is applied when there is room.
  if (refused && !(inOrder && refused.code === "quota_exceeded")) return refused;
  const applyNow = inOrder ? (refused ? [] : items.slice(0, 1)) : items;

  const inserts = applyNow.map((i) => reservationInsert(db, patronId, i, counter ? "counter" : "web", now));
  const seriesWrites = input.series
    ? seriesStatements(db, { patronId, mode: input.series, items, appliedNow: applyNow.length, now })
    : [];
  const cleanup = input.cartId
    ? [
        db
          .prepare("DELETE FROM cart_items WHERE cart_id = ? AND material_id IN (SELECT value FROM json_each(?))")
          .bind(input.cartId, ids),
      ]
    : [];
  // The key's outcome: the reservations this apply made (they carry this apply's instant).
  const keep = input.key
    ? [
        db
          .prepare(
            `INSERT INTO apply_keys (patron_id, key, outcome, created_at)
             SELECT ?1, ?2, json_object('ok', json('true'), 'ids', (SELECT json_group_array(id) FROM
               (SELECT id FROM reservations WHERE patron_id = ?1 AND applied_at = ?3 AND source = ?5
                AND material_id IN (SELECT value FROM json_each(?4)) ORDER BY id)),
               'seriesId', CASE WHEN ?6 THEN (SELECT max(id) FROM series WHERE patron_id = ?1 AND created_at = ?3) END), ?3`,
          )
          .bind(patronId, input.key, now, ids, counter ? "counter" : "web", input.series ? 1 : 0),
      ]
    : [];
  // One batch is one transaction: every reservation is written, the cart emptied and the key kept, or nothing is.
  const results = await db.batch([...inserts, ...seriesWrites, ...cleanup, ...keep]);
  const reservations = results.slice(0, inserts.length).map((r) => r.results?.[0] as AppliedReservation);
  const seriesId = (results[inserts.length]?.results?.[0] as { id: number } | undefined)?.id;
  return { ok: true, reservations, ...(input.series && seriesId ? { seriesId } : {}) };
}
