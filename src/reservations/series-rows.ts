// The rows of a シリーズ予約, written in the same batch as the reservations applied with it (apply.ts).
import type { D1 } from "../db/client";
import type { SeriesMode } from "../domain/series";

/**
 * The series (RETURNING its id) and its items in order; the first `appliedNow` items are linked to the
 * reservations the same batch has just inserted (same patron, same instant, still 予約申請中).
 */
export function seriesStatements(
  db: D1,
  s: {
    patronId: number;
    mode: SeriesMode;
    items: ReadonlyArray<{ materialId: number; pickupBranch: string }>;
    appliedNow: number;
    now: number;
  },
): D1PreparedStatement[] {
  const ids = JSON.stringify(s.items.map((i) => i.materialId));
  return [
    db
      .prepare("INSERT INTO series (patron_id, pickup_branch, mode, created_at) VALUES (?, ?, ?, ?) RETURNING id")
      .bind(s.patronId, s.items[0]?.pickupBranch ?? "", s.mode, s.now),
    db
      .prepare(
        `INSERT INTO series_items (series_id, position, material_id, reservation_id)
         SELECT (SELECT max(id) FROM series WHERE patron_id = ?1 AND created_at = ?2), j.key + 1, j.value,
           CASE WHEN j.key < ?4 THEN (SELECT r.id FROM reservations r
             WHERE r.patron_id = ?1 AND r.applied_at = ?2 AND r.material_id = j.value AND r.status = 'applied') END
         FROM json_each(?3) j`,
      )
      .bind(s.patronId, s.now, ids, s.appliedNow),
  ];
}
