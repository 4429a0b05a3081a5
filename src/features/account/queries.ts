// What a patron sees of their own account besides reservations (reservations/read.ts): current loans and
// when the nightly refresh last ran. Every query is by the session's patron id.
import type { D1 } from "../../db/client";
import { type ReservationRow, reservationsStatement } from "../../reservations/read";
export interface LoanRow {
  itemId: number;
  materialId: number;
  title: string;
  loanedAt: number;
  dueDate: string;
}

export async function loansOf(db: D1, patronId: number): Promise<LoanRow[]> {
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

const lastNightlyStatement = (db: D1) =>
  db.prepare("SELECT max(finished_at) AS at FROM job_runs WHERE job = 'nightly' AND finished_at IS NOT NULL");

/** When the last nightly refresh finished (holds expired, privacy clean-up), for "as of" lines. */
export async function lastNightly(db: D1): Promise<number | null> {
  return (await lastNightlyStatement(db).first<{ at: number | null }>())?.at ?? null;
}

/** 予約状況 in one round trip: the patron's reservations and when the nightly refresh last ran. */
export async function reservationsPage(db: D1, patronId: number): Promise<{ rows: ReservationRow[]; nightly: number | null }> {
  const [rows, nightly] = await db.batch([reservationsStatement(db, patronId), lastNightlyStatement(db)]);
  return {
    rows: (rows?.results ?? []) as ReservationRow[],
    nightly: (nightly?.results?.[0] as { at: number | null } | undefined)?.at ?? null,
  };
}
