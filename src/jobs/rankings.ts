// ランキング (issue 10 item 2), rewritten each night: the most reserved (by pickup branch) and the most
// borrowed (by the copy's branch) materials of the last RANKING_DAYS days, overall and per branch. Only
// counts per material are read and kept: no patron, nor any one reservation or loan, is in a ranking.
import type { D1 } from "../db/client";

export const RANKING_DAYS = 90;
export const RANKING_SIZE = 50;

const DAY = 24 * 60 * 60 * 1000;

/** The events of each kind: (branch, material) per reservation or loan since ?2. */
const EVENTS = {
  reserved: "SELECT pickup_branch AS branch, material_id FROM reservations WHERE applied_at >= ?2",
  borrowed: "SELECT i.branch_code AS branch, i.material_id FROM loans l JOIN items i ON i.id = l.item_id WHERE l.loaned_at >= ?2",
} as const;

/**
 * Ranks within (kind, branch): per branch, and overall ('' branch) as the sum of the branches' counts (the
 * events are read once), the first RANKING_SIZE of each.
 */
const insertRanking = (db: D1, kind: keyof typeof EVENTS, businessDate: string, since: number) =>
  db
    .prepare(
      `INSERT INTO rankings (kind, branch, rank, material_id, count, computed_on)
       WITH counted AS (SELECT branch, material_id, count(*) AS n FROM (${EVENTS[kind]}) GROUP BY branch, material_id)
       SELECT '${kind}', branch, rank, material_id, n, ?1 FROM (
         SELECT branch, material_id, n, row_number() OVER (PARTITION BY branch ORDER BY n DESC, material_id) AS rank FROM (
           SELECT '' AS branch, material_id, sum(n) AS n FROM counted GROUP BY material_id
           UNION ALL
           SELECT branch, material_id, n FROM counted))
       WHERE rank <= ${RANKING_SIZE}`,
    )
    .bind(businessDate, since);

/** The nightly's ranking statements, in order (one batch with the rest of the refresh). */
export function rankingStatements(db: D1, businessDate: string, now: number) {
  const since = now - RANKING_DAYS * DAY;
  return {
    rankingsCleared: db.prepare("DELETE FROM rankings"),
    rankedReserved: insertRanking(db, "reserved", businessDate, since),
    rankedBorrowed: insertRanking(db, "borrowed", businessDate, since),
  };
}
