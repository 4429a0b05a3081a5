// The read model of reservations: a patron's list with 予約順位, the active count, the staff's pending
// applications and the copies to set aside. Queue position and counts are live, by the fragments in sql.ts.
import type { D1 } from "../db/client";
import type { ReservationStatus } from "../domain/codes";
import type { ReasonCode } from "../domain/eligibility";
import { aheadInQueueSql, availableNowSql, isActiveSql, lendableCopySql, notSuspendedSql, queueOrderSql } from "./sql";

export interface ReservationRow {
  id: number;
  materialId: number;
  title: string;
  pickupBranch: string;
  pickupBranchName: string;
  /** The pickup branch's phone, for a patron who must call it (お取り置き). */
  pickupBranchPhone: string | null;
  status: ReservationStatus;
  source: "web" | "counter";
  appliedAt: number;
  acceptedAt: number | null;
  queuePosition: number | null;
  /** Lendable copies of the material, which serve its queue. */
  copiesServing: number;
  holdUntil: string | null;
  /** The hold deadline was extended online already (once per hold). */
  holdExtended: number;
  suspendedUntil: string | null;
  notNeededAfter: string | null;
  reasonCode: ReasonCode | null;
}

const RESERVATION_COLUMNS = `r.id, r.material_id AS materialId, m.title, r.pickup_branch AS pickupBranch, b.name AS pickupBranchName,
  b.phone AS pickupBranchPhone,
  r.status, r.source, r.applied_at AS appliedAt, r.accepted_at AS acceptedAt, r.hold_until AS holdUntil, r.reason_code AS reasonCode,
  r.hold_extended_at IS NOT NULL AS holdExtended, r.suspended_until AS suspendedUntil, r.not_needed_after AS notNeededAfter,
  (SELECT count(*) FROM items i WHERE i.material_id = r.material_id AND ${lendableCopySql("i")}) AS copiesServing,
  CASE WHEN r.status = 'reserved' THEN 1 + (
    SELECT count(*) FROM reservations q WHERE q.material_id = r.material_id AND q.status = 'reserved' AND ${aheadInQueueSql("q", "r")}
  ) END AS queuePosition`;

/** The patron's reservations, newest first; 予約順位 counts the reservations ahead in the queue that still wait. */
export const reservationsStatement = (db: D1, patronId: number) =>
  db
    .prepare(
      `SELECT ${RESERVATION_COLUMNS}
       FROM reservations r JOIN materials m ON m.id = r.material_id JOIN branches b ON b.code = r.pickup_branch
       WHERE r.patron_id = ? ORDER BY r.applied_at DESC, r.id DESC`,
    )
    .bind(patronId);

export async function reservationsOf(db: D1, patronId: number): Promise<ReservationRow[]> {
  return (await reservationsStatement(db, patronId).all<ReservationRow>()).results;
}

/** One reservation of the list above, with the patron it belongs to (for mail). */
export async function reservationById(
  db: D1,
  reservationId: number,
): Promise<(ReservationRow & { patronId: number | null }) | undefined> {
  const row = await db
    .prepare(
      `SELECT ${RESERVATION_COLUMNS}, r.patron_id AS patronId
       FROM reservations r JOIN materials m ON m.id = r.material_id JOIN branches b ON b.code = r.pickup_branch
       WHERE r.id = ?`,
    )
    .bind(reservationId)
    .first<ReservationRow & { patronId: number | null }>();
  return row ?? undefined;
}

/** The patron's reservations that count toward the limit. */
export async function activeCount(db: D1, patronId: number): Promise<number> {
  const row = await db
    .prepare(`SELECT count(*) AS n FROM reservations WHERE patron_id = ? AND ${isActiveSql()}`)
    .bind(patronId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export interface PendingApplication {
  id: number;
  title: string;
  cardNumber: string;
  pickup: string;
  appliedAt: number;
}

/** Web applications waiting for the morning acceptance: how many, the oldest, and the first 50 in order. */
export async function pendingApplications(db: D1) {
  const [summary, rows] = await db.batch([
    db.prepare("SELECT count(*) AS n, min(applied_at) AS oldest FROM reservations WHERE status = 'applied'"),
    db.prepare(
      `SELECT r.id, m.title, pt.card_number AS cardNumber, b.name AS pickup, r.applied_at AS appliedAt
       FROM reservations r JOIN materials m ON m.id = r.material_id JOIN patrons pt ON pt.id = r.patron_id JOIN branches b ON b.code = r.pickup_branch
       WHERE r.status = 'applied' ORDER BY r.applied_at, r.id LIMIT 50`,
    ),
  ]);
  const s = summary?.results?.[0] as { n: number; oldest: number | null } | undefined;
  return { count: s?.n ?? 0, oldest: s?.oldest ?? null, first: (rows?.results ?? []) as PendingApplication[] };
}

export interface HoldCandidate {
  reservationId: number;
  position: number;
  title: string;
  cardNumber: string;
  pickupBranch: string;
  itemId: number;
  barcode: string;
  itemBranch: string;
}

/**
 * The k-th waiting reservation of a material meets its k-th free lendable copy, first accepted first;
 * reservations suspended on `today` (予約の保留) are passed over.
 */
export async function holdCandidates(db: D1, today: string): Promise<HoldCandidate[]> {
  const rows = await db
    .prepare(
      `WITH waiting AS (
         SELECT r.id, r.material_id, r.pickup_branch, r.accepted_at, p.card_number,
                row_number() OVER (PARTITION BY r.material_id ORDER BY ${queueOrderSql("r")}) AS pos
         FROM reservations r JOIN patrons p ON p.id = r.patron_id WHERE r.status = 'reserved' AND ${notSuspendedSql("r", today)}),
       free AS (
         SELECT i.material_id, i.id AS item_id, i.barcode, i.branch_code,
                row_number() OVER (PARTITION BY i.material_id ORDER BY i.id) AS n
         FROM items i WHERE ${availableNowSql("i")} AND i.material_id IN (SELECT material_id FROM waiting))
       SELECT w.id AS reservationId, w.pos AS position, m.title, w.card_number AS cardNumber, pb.name AS pickupBranch,
              f.item_id AS itemId, f.barcode, ib.name AS itemBranch
       FROM waiting w JOIN free f ON f.material_id = w.material_id AND f.n = w.pos
       JOIN materials m ON m.id = w.material_id JOIN branches pb ON pb.code = w.pickup_branch JOIN branches ib ON ib.code = f.branch_code
       ORDER BY ${queueOrderSql("w")} LIMIT 200`,
    )
    .all<HoldCandidate>();
  return rows.results;
}
