// The mail queue consumer: sends each queued outbox row through the provider, at most once.
// A message carries only the row's id ({ outboxId }), or asks for the mails of decided reservations
// ({ type: "notify", kind, reservationIds, baseUrl }) or for an acceptance run's one mail per patron
// ({ type: "digest", run, … }, mail/digest.ts); what these record comes back as { outboxId }.
// Queues deliver at least once, so a row is claimed by a guarded UPDATE before the provider call (two
// deliveries cannot both send) and the provider gets the row's Idempotency-Key (a call repeated after a
// crash is answered without a second mail).
// Logs carry the row id and the outcome, never the address, subject or body.
import type { D1 } from "../db/client";
import { expandDigest } from "../mail/digest";
import type { DigestMessage, MailQueueMessage, NotifyMessage } from "../mail/messages";
import { MAX_ATTEMPTS, type MailEnv, mailForReservation, providerConfigured } from "../mail/outbox";

export { MAX_ATTEMPTS };

import { sendWithResend } from "../mail/provider";
import { MAIL_KINDS, type MailKind } from "../mail/templates";

/** The bindings the consumer uses (the Worker's Env fits). */
export type MailConsumerEnv = MailEnv & { DB: D1Database };

/** The dead-letter queue of `library-mail` (wrangler.toml): its consumer marks the rows 'dead'. */
export const MAIL_DEAD_LETTER_QUEUE = "library-mail-dlq";

/** Reservations expanded per notify message; longer lists are split first. */
export const NOTIFY_SLICE = 10;

const BASE_DELAY_SECONDS = 30;
const MAX_DELAY_SECONDS = 60 * 60;

/** 30 s, 60 s, 120 s … after the 1st, 2nd, 3rd … failed call, never more than an hour; longer if the provider asks. */
export function backoffSeconds(attempts: number, retryAfterSeconds = 0): number {
  const backoff = BASE_DELAY_SECONDS * 2 ** Math.max(0, attempts - 1);
  return Math.min(MAX_DELAY_SECONDS, Math.max(backoff, retryAfterSeconds));
}

interface OutboxRow {
  id: number;
  idempotencyKey: string;
  toAddress: string;
  subject: string;
  body: string;
  status: "queued" | "sending" | "sent" | "failed" | "dead" | "recorded";
  attempts: number;
}

const outboxIdOf = (body: unknown): number | null => {
  const id = (body as Partial<MailQueueMessage> | null)?.outboxId;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
};

const isNotify = (body: unknown): body is NotifyMessage => {
  const b = body as Partial<NotifyMessage> | null;
  return (
    b?.type === "notify" &&
    MAIL_KINDS.includes(b.kind as MailKind) &&
    Array.isArray(b.reservationIds) &&
    b.reservationIds.every((id) => Number.isSafeInteger(id)) &&
    typeof b.baseUrl === "string"
  );
};

const isDigest = (body: unknown): body is DigestMessage => {
  const b = body as Partial<DigestMessage> | null;
  return (
    b?.type === "digest" &&
    typeof b.run === "string" &&
    typeof b.businessDate === "string" &&
    typeof b.baseUrl === "string" &&
    (b.patronIds === undefined || (Array.isArray(b.patronIds) && b.patronIds.every((id) => Number.isSafeInteger(id))))
  );
};

function log(event: string, detail: Record<string, string | number>) {
  console.log(`mail: ${event}`, detail);
}

/**
 * Takes the row for this delivery: 'queued' or 'failed' → 'sending' with one more attempt. A row left
 * 'sending' by a delivery that died mid-call is taken over only by a redelivery (message.attempts > 1) and
 * only if nobody touched it since (same attempts). Returns the attempt number, or null when not ours.
 */
async function claim(db: D1, row: OutboxRow, redelivery: boolean): Promise<number | null> {
  const claimed =
    row.status === "sending"
      ? redelivery
        ? await db
            .prepare(
              "UPDATE mail_outbox SET attempts = attempts + 1 WHERE id = ? AND status = 'sending' AND attempts = ? RETURNING attempts",
            )
            .bind(row.id, row.attempts)
            .first<{ attempts: number }>()
        : null
      : await db
          .prepare(
            `UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1
             WHERE id = ? AND status IN ('queued', 'failed') RETURNING attempts`,
          )
          .bind(row.id)
          .first<{ attempts: number }>();
  return claimed?.attempts ?? null;
}

/**
 * A later state written by the delivery that holds the claim (status 'sending', its attempt): a stale one
 * cannot undo it. `refused`: the provider refused this mail for good (its address, not an outage), which is
 * what staff and the patron are told about (failed_at, mail/failures.ts).
 */
async function settle(db: D1, id: number, attempt: number, status: "failed" | "dead", error: string, refused = false) {
  await db
    .prepare(
      `UPDATE mail_outbox SET status = ?1, last_error = ?2, failed_at = CASE WHEN ?6 THEN ?5 END
       WHERE id = ?3 AND status = 'sending' AND attempts = ?4`,
    )
    .bind(status, error, id, attempt, Date.now(), refused ? 1 : 0)
    .run();
}

/**
 * Records the mails a notify message asks for (new rows come back as { outboxId } messages). A long list
 * is first split into messages of NOTIFY_SLICE reservations, so one invocation stays within its limits
 * (each reservation costs a few D1 queries and a queue send). Repeating any of this records nothing twice.
 */
async function expandNotify(notify: NotifyMessage, env: MailConsumerEnv): Promise<void> {
  const { kind, reservationIds, baseUrl } = notify;
  if (reservationIds.length > NOTIFY_SLICE) {
    const slices: NotifyMessage[] = [];
    for (let i = 0; i < reservationIds.length; i += NOTIFY_SLICE) {
      slices.push({ type: "notify", kind, reservationIds: reservationIds.slice(i, i + NOTIFY_SLICE), baseUrl });
    }
    // sendBatch takes at most 100 messages.
    for (let i = 0; i < slices.length; i += 100)
      await env.MAIL_QUEUE.sendBatch(slices.slice(i, i + 100).map((body) => ({ body })));
    log("notify split", { kind, reservations: reservationIds.length, messages: slices.length });
    return;
  }
  let recorded = 0;
  for (const id of reservationIds) if (await mailForReservation(env.DB, env, kind, id, baseUrl)) recorded += 1;
  log("notify expanded", { kind, reservations: reservationIds.length, recorded });
}

async function deliver(message: Message<unknown>, env: MailConsumerEnv): Promise<void> {
  const db = env.DB;
  if (isNotify(message.body)) {
    await expandNotify(message.body, env);
    message.ack();
    return;
  }
  if (isDigest(message.body)) {
    const { run, patronIds } = message.body;
    const done = await expandDigest(message.body, env);
    log(patronIds ? "digest expanded" : "digest split", { run, ...done });
    message.ack();
    return;
  }
  const outboxId = outboxIdOf(message.body);
  if (outboxId === null) {
    log("malformed message dropped", { messageId: message.id });
    message.ack();
    return;
  }
  const row = await db
    .prepare(
      `SELECT id, idempotency_key AS idempotencyKey, to_address AS toAddress, subject, body, status, attempts
       FROM mail_outbox WHERE id = ?`,
    )
    .bind(outboxId)
    .first<OutboxRow>();

  // Gone (purged by the nightly refresh) or finished: a redelivery of a sent mail must never send it again.
  if (!row || row.status === "sent" || row.status === "dead" || row.status === "recorded") {
    log("nothing to send", { outboxId, status: row?.status ?? "missing" });
    message.ack();
    return;
  }

  if (!providerConfigured(env)) {
    // The provider was removed after the row was queued: the outbox is the record, as for new mail.
    await db
      .prepare("UPDATE mail_outbox SET status = 'recorded' WHERE id = ? AND status IN ('queued', 'failed')")
      .bind(outboxId)
      .run();
    log("no provider: recorded only", { outboxId });
    message.ack();
    return;
  }

  if (row.attempts >= MAX_ATTEMPTS && row.status !== "sending") {
    await db
      .prepare("UPDATE mail_outbox SET status = 'dead' WHERE id = ? AND status IN ('queued', 'failed')")
      .bind(outboxId)
      .run();
    log("given up", { outboxId, attempts: row.attempts });
    message.ack();
    return;
  }

  const attempt = await claim(db, row, message.attempts > 1);
  if (attempt === null) {
    // Another delivery holds the row and will finish it (sent, a retry of its own, or dead).
    log("held by another delivery", { outboxId });
    message.ack();
    return;
  }

  const result = await sendWithResend(
    { url: env.MAIL_PROVIDER_URL, apiKey: env.MAIL_API_KEY },
    { from: env.MAIL_FROM, to: row.toAddress, subject: row.subject, text: row.body, idempotencyKey: row.idempotencyKey },
  );

  if (result.ok) {
    // Unguarded: the mail went out, whatever another delivery wrote meanwhile.
    await db
      .prepare("UPDATE mail_outbox SET status = 'sent', sent_at = ?, provider_message_id = ?, last_error = NULL WHERE id = ?")
      .bind(Date.now(), result.id, outboxId)
      .run();
    log("sent", { outboxId, attempt });
    message.ack();
    return;
  }

  if (result.retryable && attempt < MAX_ATTEMPTS) {
    await settle(db, outboxId, attempt, "failed", result.error);
    const delaySeconds = backoffSeconds(attempt, result.retryAfterSeconds);
    log("failed, will retry", { outboxId, attempt, status: result.status, delaySeconds });
    message.retry({ delaySeconds });
    return;
  }

  await settle(
    db,
    outboxId,
    attempt,
    "dead",
    result.retryable ? `gave up after ${attempt} attempts: ${result.error}` : result.error,
    !result.retryable,
  );
  log("dead", { outboxId, attempt, status: result.status });
  message.ack();
}

/**
 * The consumer of `library-mail`. Messages are sent one after another: the provider limits requests per
 * second, and a batch is at most 10 messages of at most one 10-second call each.
 */
export async function consumeMail(batch: MessageBatch<unknown>, env: MailConsumerEnv): Promise<void> {
  for (const message of batch.messages) {
    try {
      await deliver(message, env);
    } catch (err) {
      // D1 or the runtime failed, not the provider: try this message again later; the row's state decides then.
      log("delivery error", { messageId: message.id, error: err instanceof Error ? err.name : "unknown" });
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}

/**
 * The consumer of `library-mail-dlq`: a message lands there when the queue gave up on it (every delivery
 * threw). Its row is marked 'dead' unless it was sent meanwhile, so staff see it in the outbox.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: { DB: D1Database }): Promise<void> {
  for (const message of batch.messages) {
    const outboxId = outboxIdOf(message.body);
    if (outboxId !== null) {
      await env.DB.prepare(
        `UPDATE mail_outbox SET status = 'dead', last_error = coalesce(last_error, 'dead-letter queue')
         WHERE id = ? AND status IN ('queued', 'sending', 'failed')`,
      )
        .bind(outboxId)
        .run();
      log("dead letter", { outboxId });
    } else if (isDigest(message.body)) {
      log("dead letter: digest not expanded", { run: message.body.run, patrons: message.body.patronIds?.length ?? 0 });
    } else if (isNotify(message.body)) {
      log("dead letter: notify not expanded", { kind: message.body.kind, reservations: message.body.reservationIds.length });
    }
    message.ack();
  }
}
