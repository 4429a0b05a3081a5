// Mail that did not reach a patron: the provider refused it for good ('dead' with failed_at, its reason kept)
// or reported a bounce afterwards ('bounced', from its delivery events). A mail given up after retries of an
// outage is 'dead' without failed_at: the provider's trouble, not the patron's address, so it is not told
// here (the status page counts it). Staff list the patrons whose latest mail failed, to phone them; the
// patron's 予約状況 says when mail to their address last failed.
import type { D1 } from "../db/client";

/** A patron's latest finished mail, if it failed: finished means sent, bounced or given up. */
const LATEST_FINISHED = `o.id = (SELECT max(o2.id) FROM mail_outbox o2 WHERE o2.patron_id = o.patron_id
  AND o2.status IN ('sent', 'bounced', 'dead'))`;
/** Failed for the address's sake: bounced, or refused for good by the provider. */
const ADDRESS_FAILED = "o.status IN ('dead', 'bounced') AND o.failed_at IS NOT NULL";

export interface MailFailure {
  failedAt: number;
  status: "dead" | "bounced";
}

/** For the patron's own pages: their latest mail to the address they have now failed (else no row). */
export const lastFailureStatement = (db: D1, patronId: number) =>
  db
    .prepare(
      `SELECT o.failed_at AS failedAt, o.status FROM mail_outbox o JOIN patrons p ON p.id = o.patron_id
       WHERE o.patron_id = ? AND ${ADDRESS_FAILED} AND o.to_address = p.email AND ${LATEST_FINISHED}`,
    )
    .bind(patronId);

export interface FailedPatron {
  cardNumber: string;
  name: string;
  email: string | null;
  toAddress: string;
  status: "dead" | "bounced";
  failedAt: number;
  reason: string | null;
  /** Failed mails of this patron still in the outbox (the last MAIL_RETENTION_DAYS). */
  failures: number;
}

/** For staff: every patron whose latest mail failed, most recent first. No subject: it may name a title. */
export async function failedPatrons(db: D1, limit = 500): Promise<FailedPatron[]> {
  const rows = await db
    .prepare(
      `SELECT p.card_number AS cardNumber, p.name, p.email, o.to_address AS toAddress, o.status,
         o.failed_at AS failedAt, o.last_error AS reason,
         (SELECT count(*) FROM mail_outbox f WHERE f.patron_id = o.patron_id AND f.status IN ('dead', 'bounced')
            AND f.failed_at IS NOT NULL) AS failures
       FROM mail_outbox o JOIN patrons p ON p.id = o.patron_id
       WHERE ${ADDRESS_FAILED} AND ${LATEST_FINISHED}
       ORDER BY failedAt DESC LIMIT ?`,
    )
    .bind(limit)
    .all<FailedPatron>();
  return rows.results;
}

/**
 * The delivery events that mean the mail did not arrive, with the reason kept for staff. A complaint (the
 * patron marked it as spam) is not one: the mail arrived; the provider then suppresses the address, and the
 * next mail's refusal is what staff and the patron see.
 */
const FAILURE_EVENTS: Record<string, string> = {
  "email.bounced": "bounced",
  "email.failed": "failed",
};

/**
 * Applies one provider delivery event to its outbox row (by the provider's message id). Only a failure
 * changes anything: a sent row becomes 'bounced' with the reason. Unknown ids and other events are ignored.
 * Returns whether a row changed.
 */
export async function recordDeliveryEvent(
  db: D1,
  event: { type: string; providerMessageId: string; detail?: string },
  now: number,
): Promise<boolean> {
  const what = FAILURE_EVENTS[event.type];
  if (!what) return false;
  const reason = `${what}${event.detail ? `: ${event.detail}` : ""}`.slice(0, 300);
  const result = await db
    .prepare(
      `UPDATE mail_outbox SET status = 'bounced', failed_at = ?, last_error = ?
       WHERE provider_message_id = ? AND status IN ('sent', 'bounced')`,
    )
    .bind(now, reason, event.providerMessageId)
    .run();
  return result.meta.changes > 0;
}
