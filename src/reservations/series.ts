// シリーズ予約 / 読みたい順 after it is made (apply.ts makes it): the next volume of an in-order series is
// applied when the one before it is finished, inside the patron's Durable Object (it counts toward the
// limit from then on); the patron may stop a series; the read model lists each series with its items.
import type { D1 } from "../db/client";
import { tokyoDate } from "../domain/calendar";
import type { ReservationStatus } from "../domain/codes";
import { nextInOrder, type SeriesMode } from "../domain/series";
import { applicationFacts, applicationRefusal, reservationInsert } from "./apply";
import { isActiveSql } from "./sql";

export interface SeriesItemRow {
  position: number;
  materialId: number;
  title: string;
  reservationId: number | null;
  status: ReservationStatus | null;
  skippedReason: string | null;
}

export interface SeriesRow {
  id: number;
  mode: SeriesMode;
  pickupBranch: string;
  pickupBranchName: string;
  createdAt: number;
  stoppedAt: number | null;
  items: SeriesItemRow[];
}

/** The statements of the patron's series and their items, to ride in a page's batch (seriesFrom reads them). */
export const seriesReads = (db: D1, patronId: number): [D1PreparedStatement, D1PreparedStatement] => [
  db
    .prepare(
      `SELECT s.id, s.mode, s.pickup_branch AS pickupBranch, b.name AS pickupBranchName, s.created_at AS createdAt, s.stopped_at AS stoppedAt
       FROM series s JOIN branches b ON b.code = s.pickup_branch WHERE s.patron_id = ? ORDER BY s.id DESC`,
    )
    .bind(patronId),
  db
    .prepare(
      `SELECT si.series_id AS seriesId, si.position, si.material_id AS materialId, m.title, si.reservation_id AS reservationId,
         r.status, si.skipped_reason AS skippedReason
       FROM series_items si JOIN series s ON s.id = si.series_id JOIN materials m ON m.id = si.material_id
       LEFT JOIN reservations r ON r.id = si.reservation_id
       WHERE s.patron_id = ? ORDER BY si.series_id, si.position`,
    )
    .bind(patronId),
];

/** The patron's series, newest first, each with its items in order, from the results of seriesReads. */
export function seriesFrom(heads: unknown[] | undefined, items: unknown[] | undefined): SeriesRow[] {
  const rows = (items ?? []) as Array<SeriesItemRow & { seriesId: number }>;
  return ((heads ?? []) as Array<Omit<SeriesRow, "items">>).map((h) => ({
    ...h,
    items: rows.filter((r) => r.seriesId === h.id).map(({ seriesId: _s, ...r }) => r),
  }));
}

/** The patron's series, newest first, each with its items in order. */
export async function seriesOf(db: D1, patronId: number): Promise<SeriesRow[]> {
  const [heads, items] = await db.batch(seriesReads(db, patronId));
  return seriesFrom(heads?.results, items?.results);
}

/**
 * Applies the next volume of each of the patron's in-order series whose turn has come. A volume that can no
 * longer be reserved (or is reserved already) is passed over with its reason; at the limit the series waits
 * (the next night, or the patron's next change, tries again). Answers the reservations made.
 */
export async function advanceSeries(db: D1, patronId: number, { now, limit }: { now: number; limit: number }): Promise<number[]> {
  const made: number[] = [];
  // A few rounds: a passed-over volume lets the next one be tried at once.
  for (let round = 0; round < 25; round++) {
    const all = (await seriesOf(db, patronId)).filter((s) => s.mode === "in_order" && s.stoppedAt === null);
    const due = all
      .map((s) => ({ s, i: nextInOrder(s.items.map((it) => ({ status: it.status, skipped: it.skippedReason !== null }))) }))
      .filter((d): d is { s: SeriesRow; i: number } => d.i !== undefined);
    const first = due[0];
    if (!first) return made;
    const item = first.s.items[first.i] as SeriesItemRow;
    const next = { materialId: item.materialId, pickupBranch: first.s.pickupBranch };
    const facts = await applicationFacts(db, patronId, JSON.stringify([item.materialId]));
    const refused = applicationRefusal(facts, [next], { channel: "web", today: tokyoDate(now), limit, adding: 1 });
    // At the limit, web use stopped, or the series' branch no longer a pickup place: the series waits.
    if (refused?.code === "quota_exceeded" || refused?.code === "forbidden" || refused?.code === "invalid_request") return made;
    if (refused) {
      await db
        .prepare("UPDATE series_items SET skipped_reason = ? WHERE series_id = ? AND position = ? AND reservation_id IS NULL")
        .bind(refused.code, first.s.id, item.position)
        .run();
      continue;
    }
    // The reservation and its link in one transaction; the link only if the item is still unlinked.
    const [inserted] = await db.batch([
      reservationInsert(db, patronId, next, "web", now),
      db
        .prepare(
          `UPDATE series_items SET reservation_id = (SELECT id FROM reservations WHERE patron_id = ?1 AND material_id = ?2 AND applied_at = ?3 AND status = 'applied')
           WHERE series_id = ?4 AND position = ?5 AND reservation_id IS NULL`,
        )
        .bind(patronId, item.materialId, now, first.s.id, item.position),
    ]);
    const id = (inserted?.results?.[0] as { id: number } | undefined)?.id;
    if (id !== undefined) made.push(id);
  }
  return made;
}

/** The patron stops a series: what is not applied yet never will be (applied ones stay as they are). */
export async function stopSeries(db: D1, patronId: number, seriesId: number, now: number): Promise<"stopped" | "not_found"> {
  const r = await db
    .prepare("UPDATE series SET stopped_at = coalesce(stopped_at, ?) WHERE id = ? AND patron_id = ?")
    .bind(now, seriesId, patronId)
    .run();
  return (r.meta.changes ?? 0) > 0 ? "stopped" : "not_found";
}

/**
 * Patrons with an in-order series whose next volume's turn has come (every volume before it finished or
 * passed over), for the nightly refresh; in random order, so a night's cap never starves the same ones.
 */
export async function patronsWithSeriesDue(db: D1, limit = 500): Promise<Array<{ patronId: number; cardNumber: string }>> {
  const rows = await db
    .prepare(
      `SELECT DISTINCT p.id AS patronId, p.card_number AS cardNumber FROM series s JOIN patrons p ON p.id = s.patron_id
       WHERE s.mode = 'in_order' AND s.stopped_at IS NULL
         AND EXISTS (
           SELECT 1 FROM series_items si WHERE si.series_id = s.id AND si.reservation_id IS NULL AND si.skipped_reason IS NULL
             AND NOT EXISTS (
               SELECT 1 FROM series_items b LEFT JOIN reservations r ON r.id = b.reservation_id
               WHERE b.series_id = s.id AND b.position < si.position AND b.skipped_reason IS NULL
                 AND (b.reservation_id IS NULL OR ${isActiveSql("r.status")})))
       ORDER BY random() LIMIT ?`,
    )
    .bind(limit)
    .all<{ patronId: number; cardNumber: string }>();
  return rows.results;
}
