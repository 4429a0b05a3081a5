// The transactional outbox of the room: the statement that asks for a patron's mail, put in the same
// batch as the status change that causes it. Mail (src/mail/) turns requests into messages.
import type { D1 } from "../db/client";
import type { MailKind } from "../domain/mail-keys";

/** Requests the mail of `kind` for every reservation id in the list (one statement for a whole chunk). */
export const requestMailsFor = (db: D1, kind: MailKind, reservationIds: number[], now: number) =>
  db
    .prepare(
      `INSERT INTO mail_requests (key, kind, reservation_id, requested_at)
       SELECT ?1 || ':' || value, ?1, value, ?2 FROM json_each(?3) WHERE true
       ON CONFLICT (key) DO NOTHING`,
    )
    .bind(kind, now, JSON.stringify(reservationIds));

/** Requests the hold-ready mail of a hold made at `heldAt`, only if the statement just before it changed a row. */
export const requestHoldMailIfHeld = (db: D1, reservationId: number, heldAt: number) =>
  db
    .prepare(
      `INSERT INTO mail_requests (key, kind, reservation_id, requested_at)
       SELECT 'hold_ready:' || ?1 || ':' || ?2, 'hold_ready', ?1, ?2 WHERE changes() = 1
       ON CONFLICT (key) DO NOTHING`,
    )
    .bind(reservationId, heldAt);
