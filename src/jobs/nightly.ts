// The nightly refresh: holds past their deadline expire (取置期限切れ) and their copies go back for the next
// patron in the queue; what privacy says must go is deleted; the run is recorded (pages say "as of").
const DAY = 24 * 60 * 60 * 1000;
/** Finished reservations keep their patron this long, for questions at the counter; then anonymised. */
export const RESERVATION_RETENTION_DAYS = 30;
/** Sent mail (it names titles beside an address) is kept this long for the outbox, then deleted. */
export const MAIL_RETENTION_DAYS = 30;

export interface NightlySummary {
  businessDate: string;
  holdsExpired: number;
  copiesReleased: number;
  sessionsDeleted: number;
  reservationsAnonymised: number;
  loansUnlinked: number;
  mailDeleted: number;
  guestCartsDeleted: number;
  throttleRowsDeleted: number;
  alreadyRun?: boolean;
}

const FINISHED = "'rejected','application_cancelled','cancelled','fulfilled','expired'";

export async function runNightly(db: D1Database, businessDate: string, now: number): Promise<NightlySummary> {
  const started = await db
    .prepare("INSERT INTO job_runs (job, business_date, started_at) VALUES ('nightly', ?, ?) ON CONFLICT DO NOTHING RETURNING id")
    .bind(businessDate, now)
    .first<{ id: number }>();
  if (!started) {
    const previous = await db
      .prepare("SELECT summary FROM job_runs WHERE job = 'nightly' AND business_date = ? AND finished_at IS NOT NULL")
      .bind(businessDate)
      .first<{ summary: string }>();
    if (previous) return { ...(JSON.parse(previous.summary) as NightlySummary), alreadyRun: true };
  }
  // Each statement is one bulk change; the whole refresh is a handful of queries however large the library.
  const results = await db.batch([
    // Copies of holds past their deadline go back to the shelf, then the holds expire.
    db
      .prepare(
        `UPDATE items SET status = 'available', updated_at = ?1
         WHERE status = 'on_hold' AND id IN (SELECT hold_item_id FROM reservations WHERE status = 'on_hold' AND hold_until < ?2)`,
      )
      .bind(now, businessDate),
    db
      .prepare(
        "UPDATE reservations SET status = 'expired', closed_at = ?1, updated_at = ?1 WHERE status = 'on_hold' AND hold_until < ?2",
      )
      .bind(now, businessDate),
    db.prepare("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2").bind(now, now - 12 * 60 * 60 * 1000),
    db
      .prepare(
        `UPDATE reservations SET patron_id = NULL, anonymised_at = ?1, reason = NULL
         WHERE patron_id IS NOT NULL AND status IN (${FINISHED}) AND closed_at <= ?2`,
      )
      .bind(now, now - RESERVATION_RETENTION_DAYS * DAY),
    // Japanese libraries promise not to keep who read what: a returned loan forgets its patron and its
    // reservation (which would lead back to the patron for 30 more days).
    db.prepare(
      "UPDATE loans SET patron_id = NULL, reservation_id = NULL WHERE returned_at IS NOT NULL AND (patron_id IS NOT NULL OR reservation_id IS NOT NULL)",
    ),
    db
      .prepare("DELETE FROM mail_outbox WHERE created_at <= ?1 AND status IN ('sent', 'dead', 'recorded')")
      .bind(now - MAIL_RETENTION_DAYS * DAY),
    db.prepare("DELETE FROM carts WHERE patron_id IS NULL AND expires_at <= ?1").bind(now),
    db.prepare("DELETE FROM auth_throttle WHERE last_failure_at <= ?1").bind(now - DAY),
  ]);
  const n = (i: number) => results[i]?.meta.changes ?? 0;
  const summary: NightlySummary = {
    businessDate,
    copiesReleased: n(0),
    holdsExpired: n(1),
    sessionsDeleted: n(2),
    reservationsAnonymised: n(3),
    loansUnlinked: n(4),
    mailDeleted: n(5),
    guestCartsDeleted: n(6),
    throttleRowsDeleted: n(7),
  };
  await db
    .prepare("UPDATE job_runs SET finished_at = ?, summary = ? WHERE job = 'nightly' AND business_date = ?")
    .bind(Date.now(), JSON.stringify(summary), businessDate)
    .run();
  return summary;
}
