// What a patron sees of their own account: summary, reservations with queue positions, current loans.
// Every query is by the session's patron id: a patron can never read another's rows.
import { ACTIVE_RESERVATION_STATUSES, type ReservationStatus } from "../../domain/codes";

const ACTIVE = ACTIVE_RESERVATION_STATUSES.map((s) => `'${s}'`).join(",");

export interface ReservationRow {
  id: number;
  materialId: number;
  title: string;
  pickupBranch: string;
  pickupBranchName: string;
  status: ReservationStatus;
  source: "web" | "counter";
  appliedAt: number;
  acceptedAt: number | null;
  queuePosition: number | null;
  holdUntil: string | null;
  reason: string | null;
}

/** The patron's reservations, newest first; 予約順位 counts the reservations accepted earlier that still wait. */
export async function reservationsOf(db: D1Database, patronId: number): Promise<ReservationRow[]> {
  const rows = await db
    .prepare(
      `SELECT r.id, r.material_id AS materialId, m.title, r.pickup_branch AS pickupBranch, b.name AS pickupBranchName,
              r.status, r.source, r.applied_at AS appliedAt, r.accepted_at AS acceptedAt, r.hold_until AS holdUntil, r.reason,
              CASE WHEN r.status = 'reserved' THEN 1 + (
                SELECT count(*) FROM reservations q
                WHERE q.material_id = r.material_id AND q.status = 'reserved'
                  AND (q.accepted_at < r.accepted_at OR (q.accepted_at = r.accepted_at AND q.id < r.id))
              ) END AS queuePosition
       FROM reservations r
       JOIN materials m ON m.id = r.material_id
       JOIN branches b ON b.code = r.pickup_branch
       WHERE r.patron_id = ?
       ORDER BY r.applied_at DESC, r.id DESC`,
    )
    .bind(patronId)
    .all<ReservationRow>();
  return rows.results;
}

export async function activeCount(db: D1Database, patronId: number): Promise<number> {
  const row = await db
    .prepare(`SELECT count(*) AS n FROM reservations WHERE patron_id = ? AND status IN (${ACTIVE})`)
    .bind(patronId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

export interface LoanRow {
  itemId: number;
  materialId: number;
  title: string;
  loanedAt: number;
  dueDate: string;
}

export async function loansOf(db: D1Database, patronId: number): Promise<LoanRow[]> {
  const rows = await db
    .prepare(
      `SELECT l.item_id AS itemId, i.material_id AS materialId, m.title, l.loaned_at AS loanedAt, l.due_date AS dueDate
       FROM loans l JOIN items i ON i.id = l.item_id JOIN materials m ON m.id = i.material_id
       WHERE l.patron_id = ? AND l.returned_at IS NULL
       ORDER BY l.due_date, l.id`,
    )
    .bind(patronId)
    .all<LoanRow>();
  return rows.results;
}

/** When the last nightly refresh finished (holds expired, privacy clean-up), for "as of" lines. */
export async function lastNightly(db: D1Database): Promise<number | null> {
  const row = await db
    .prepare("SELECT max(finished_at) AS at FROM job_runs WHERE job = 'nightly' AND finished_at IS NOT NULL")
    .first<{ at: number | null }>();
  return row?.at ?? null;
}
