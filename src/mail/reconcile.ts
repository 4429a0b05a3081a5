// The nightly reconciliation of mail, so that a crash at any point loses nothing and leaves nothing stuck:
// requests of the transactional outbox that nobody answered are asked for again; outbox rows whose retry
// was lost ('failed') or whose delivery died mid-call ('sending') go back on the queue, or are given up
// visibly ('dead') once their retry budget is spent.
import type { MailKind } from "../domain/mail-keys";
import type { NotifyMessage } from "./messages";
import { requestMail } from "./notify";
import { MAX_ATTEMPTS, providerConfigured } from "./outbox";

const HOUR = 60 * 60 * 1000;
/** A request this old without an answer was missed (its queue message lost, or the Worker died before it). */
export const UNANSWERED_AFTER_MS = 10 * 60 * 1000;
/** Requests asked again per night at most (each becomes a notify message for the consumer). */
const RESEND_LIMIT = 1000;

export interface MailReconciliation {
  mailRequestsResent: number;
  mailRequeued: number;
  mailGivenUp: number;
}

export async function reconcileMail(env: Env, baseUrl: string, now: number): Promise<MailReconciliation> {
  const db = env.DB;
  const pending = await db
    .prepare(
      "SELECT kind, reservation_id AS reservationId FROM mail_requests WHERE done_at IS NULL AND requested_at < ? ORDER BY requested_at LIMIT ?",
    )
    .bind(now - UNANSWERED_AFTER_MS, RESEND_LIMIT)
    .all<{ kind: MailKind; reservationId: number }>();
  const byKind = new Map<MailKind, number[]>();
  for (const r of pending.results) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.reservationId]);
  const messages: NotifyMessage[] = [...byKind].map(([kind, reservationIds]) => ({
    type: "notify",
    kind,
    reservationIds,
    baseUrl,
  }));
  await requestMail(env, messages);

  let requeued = 0;
  let givenUp = 0;
  if (providerConfigured(env)) {
    // No delivery lasts an hour: a row still 'sending' after that died with its Worker; a 'failed' one lost its retry.
    const [dead, back] = await db.batch([
      db
        .prepare(
          `UPDATE mail_outbox SET status = 'dead', last_error = coalesce(last_error, '') || ' (given up by the nightly refresh)'
           WHERE status IN ('failed', 'sending') AND attempts >= ? AND created_at < ?`,
        )
        .bind(MAX_ATTEMPTS, now - HOUR),
      db
        .prepare(
          "UPDATE mail_outbox SET status = 'queued' WHERE status IN ('failed', 'sending') AND attempts < ? AND created_at < ?",
        )
        .bind(MAX_ATTEMPTS, now - HOUR),
    ]);
    givenUp = dead?.meta.changes ?? 0;
    requeued = back?.meta.changes ?? 0;
  }
  return { mailRequestsResent: pending.results.length, mailRequeued: requeued, mailGivenUp: givenUp };
}
