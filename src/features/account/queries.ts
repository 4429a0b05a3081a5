// What a patron sees of their own account besides reservations (reservations/read.ts): current loans and
// when the nightly refresh last ran. Every query is by the session's patron id.

import type { D1 } from "../../db/client";
import { lastFailureStatement, type MailFailure } from "../../mail/failures";
import { type ReservationRow, reservationsStatement } from "../../reservations/read";
import { type SeriesRow, seriesFrom, seriesReads } from "../../reservations/series";
import { isActiveSql } from "../../reservations/sql";
export interface LoanRow {
  itemId: number;
  materialId: number;
  title: string;
  loanedAt: number;
  dueDate: string;
  /** Renewed online already (once per loan). */
  renewed: number;
  /** 予約中 reservations of the material: a renewal would be refused. */
  waiting: number;
}

export async function loansOf(db: D1, patronId: number): Promise<LoanRow[]> {
  const rows = await db
    .prepare(
      `SELECT l.item_id AS itemId, i.material_id AS materialId, m.title, l.loaned_at AS loanedAt, l.due_date AS dueDate,
         l.renewed_at IS NOT NULL AS renewed,
         (SELECT count(*) FROM reservations r WHERE r.material_id = i.material_id AND r.status = 'reserved') AS waiting
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

/** 予約状況 in one round trip: the patron's reservations, their シリーズ予約, and when the nightly refresh last ran. */
export async function reservationsPage(
  db: D1,
  patronId: number,
): Promise<{ rows: ReservationRow[]; series: SeriesRow[]; nightly: number | null; mailFailure: MailFailure | null }> {
  const [rows, nightly, failure, heads, items] = await db.batch([
    reservationsStatement(db, patronId),
    lastNightlyStatement(db),
    lastFailureStatement(db, patronId),
    ...seriesReads(db, patronId),
  ]);
  return {
    rows: (rows?.results ?? []) as ReservationRow[],
    series: seriesFrom(heads?.results, items?.results),
    nightly: (nightly?.results?.[0] as { at: number | null } | undefined)?.at ?? null,
    mailFailure: (failure?.results?.[0] as MailFailure | undefined) ?? null,
  };
}

/** The account menu's counts in one statement: reservations counting toward the limit, and holds waiting. */
export async function menuCounts(db: D1, patronId: number): Promise<{ active: number; held: number }> {
  const row = await db
    .prepare(
      `SELECT count(*) FILTER (WHERE ${isActiveSql()}) AS active, count(*) FILTER (WHERE status = 'on_hold') AS held
       FROM reservations WHERE patron_id = ?`,
    )
    .bind(patronId)
    .first<{ active: number; held: number }>();
  return { active: row?.active ?? 0, held: row?.held ?? 0 };
}
