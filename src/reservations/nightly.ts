// The nightly transitions: holds past their deadline expire (取置期限切れ) and their copies go back for the
// next patron in the queue; reservations past their 不要になる日 are cancelled; finished reservations and
// returned loans forget their patron (privacy).
import type { D1 } from "../db/client";
import { isFinishedSql } from "./sql";

const DAY = 24 * 60 * 60 * 1000;
/** Finished reservations keep their patron this long, for questions at the counter; then anonymised. */
export const RESERVATION_RETENTION_DAYS = 30;

/** The statements, in order; jobs/nightly.ts runs them in one batch with the other clean-ups. */
export function nightlyTransitions(db: D1, businessDate: string, now: number) {
  return {
    // Copies of holds past their deadline go back to the shelf, then the holds expire.
    copiesReleased: db
      .prepare(
        `UPDATE items SET status = 'available', updated_at = ?1
         WHERE status = 'on_hold' AND id IN (SELECT hold_item_id FROM reservations WHERE status = 'on_hold' AND hold_until < ?2)`,
      )
      .bind(now, businessDate),
    holdsExpired: db
      .prepare(
        "UPDATE reservations SET status = 'expired', closed_at = ?1, updated_at = ?1 WHERE status = 'on_hold' AND hold_until < ?2",
      )
      .bind(now, businessDate),
    // 不要になる日 past: a reservation still waiting is cancelled (an application before its acceptance too), and
    // the patron's mail is asked for in the same transaction (it runs first, over the same rows).
    notNeededMailRequested: db
      .prepare(
        `INSERT INTO mail_requests (key, kind, reservation_id, requested_at)
         SELECT 'not_needed:' || id, 'not_needed', id, ?1 FROM reservations
         WHERE status IN ('applied', 'reserved') AND not_needed_after < ?2
         ON CONFLICT (key) DO NOTHING`,
      )
      .bind(now, businessDate),
    notNeededCancelled: db
      .prepare(
        `UPDATE reservations SET status = CASE status WHEN 'applied' THEN 'application_cancelled' ELSE 'cancelled' END,
           closed_at = ?1, updated_at = ?1, reason_code = 'not_needed'
         WHERE status IN ('applied', 'reserved') AND not_needed_after < ?2 RETURNING id`,
      )
      .bind(now, businessDate),
    reservationsAnonymised: db
      .prepare(
        `UPDATE reservations SET patron_id = NULL, anonymised_at = ?1, reason_code = NULL
         WHERE patron_id IS NOT NULL AND ${isFinishedSql()} AND closed_at <= ?2`,
      )
      .bind(now, now - RESERVATION_RETENTION_DAYS * DAY),
    // A シリーズ予約 is a list of what one patron reads: a volume whose reservation has forgotten the patron
    // leaves the series too (a finished volume only lets the series go on), and a series goes once nothing
    // of it waits (or it was stopped) and none of its reservations still names the patron.
    seriesItemsForgotten: db.prepare(
      "DELETE FROM series_items WHERE reservation_id IN (SELECT id FROM reservations WHERE patron_id IS NULL)",
    ),
    seriesForgotten: db.prepare(
      `DELETE FROM series WHERE NOT EXISTS (
         SELECT 1 FROM series_items si LEFT JOIN reservations r ON r.id = si.reservation_id
         WHERE si.series_id = series.id
           AND ((si.reservation_id IS NULL AND si.skipped_reason IS NULL AND series.stopped_at IS NULL) OR r.patron_id IS NOT NULL))`,
    ),
    // Japanese libraries promise not to keep who read what: a returned loan forgets its patron and its
    // reservation (which would lead back to the patron for 30 more days).
    loansUnlinked: db.prepare(
      "UPDATE loans SET patron_id = NULL, reservation_id = NULL WHERE returned_at IS NOT NULL AND (patron_id IS NOT NULL OR reservation_id IS NOT NULL)",
    ),
  };
}
