// The mail outbox: every mail to a patron is first a row in `mail_outbox` under a deterministic idempotency
// key, so a rerun of the step that caused it (acceptance, a hold) never makes a second row or a second send.
// With a provider configured the row is queued and the queue consumer (jobs/mail-consumer.ts) sends it;
// without one (MAIL_PROVIDER_URL empty, as locally) the row is the record and nothing is sent.
import type { D1 } from "../db/client";
import { mailKey, type OutboxKind } from "../domain/mail-keys";
import { type ReservationRow, reservationById } from "../reservations/read";
import { type SettingsEnv, settingsOf } from "../settings";
import { reasonOrNull } from "../views/reasons";
import type { DigestItem } from "./digest-template";
import type { MailQueueMessage } from "./messages";
import { type MailInput, type MailKind, renderMail } from "./templates";

/**
 * The bindings mail uses. Vars are widened to string: `wrangler types` gives them their local literal
 * values (MAIL_PROVIDER_URL is ""), while a deployment and the tests set others.
 */
export interface MailEnv extends SettingsEnv {
  MAIL_QUEUE: Queue;
  MAIL_PROVIDER_URL: string;
  MAIL_API_KEY: string;
  MAIL_FROM: string;
}

export interface OutboxMessage {
  kind: MailKind;
  patronId: number;
  reservationId: number;
  to: string;
  subject: string;
  body: string;
  /** For mails that can rightly repeat for one reservation (a second hold after an expiry): e.g. the hold's held_at. */
  keySuffix?: string;
}

/** The queue's `max_retries` in wrangler.toml: a row that failed this many provider calls is given up ('dead'). */
export const MAX_ATTEMPTS = 6;

export const providerConfigured = (env: Pick<MailEnv, "MAIL_PROVIDER_URL">): boolean => env.MAIL_PROVIDER_URL.trim() !== "";

/** `accepted:42`, `rejected:42`, `hold_ready:42:1764550800000`: one mail per event, whoever asks twice. */
export const idempotencyKey = mailKey;

/** An outbox row as the insert writes it. */
export interface OutboxInsert {
  key: string;
  kind: OutboxKind;
  patronId: number;
  to: string;
  subject: string;
  body: string;
}

/**
 * The insert of an outbox row: once per key, and only while none of the mail requests it answers (`covers`,
 * by key) was answered elsewhere or has a row of its own. A morning digest and the single mail of one of its
 * requests can race; whichever writes first wins, the other inserts nothing.
 */
export const outboxInsert = (db: D1, env: MailEnv, row: OutboxInsert, covers: string[]) =>
  db
    .prepare(
      `INSERT INTO mail_outbox (idempotency_key, patron_id, to_address, subject, body, kind, status)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
       WHERE NOT EXISTS (SELECT 1 FROM mail_requests WHERE key IN (SELECT value FROM json_each(?8)) AND done_at IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM mail_outbox WHERE idempotency_key IN (SELECT value FROM json_each(?8)))
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
    )
    .bind(
      row.key,
      row.patronId,
      row.to,
      row.subject,
      row.body,
      row.kind,
      providerConfigured(env) ? "queued" : "recorded",
      JSON.stringify([row.key, ...covers]),
    );

/** Puts a new row on the mail queue when a provider is configured; a failed send leaves it 'queued' (`requeueWaiting`). */
export async function queueOutbox(env: MailEnv, id: number): Promise<void> {
  if (!providerConfigured(env)) return;
  try {
    await env.MAIL_QUEUE.send({ outboxId: id } satisfies MailQueueMessage);
  } catch (err) {
    // The mail is recorded; the step that caused it must not fail for the queue. The row stays 'queued'.
    console.error("mail: queue send failed", { outboxId: id, error: err instanceof Error ? err.name : "unknown" });
  }
}

/**
 * Writes the mail to the outbox once per idempotency key, then queues it when a provider is configured.
 * Returns the new row's id, or null when the same mail was already recorded, or its request was answered
 * by a morning digest (nothing is written or queued).
 */
export async function recordMail(db: D1, env: MailEnv, msg: OutboxMessage): Promise<number | null> {
  const key = idempotencyKey(msg.kind, msg.reservationId, msg.keySuffix);
  const row = await outboxInsert(db, env, { ...msg, key }, []).first<{ id: number }>();
  if (!row) return null;
  await queueOutbox(env, row.id);
  return row.id;
}

/**
 * Queues again the rows still 'queued' after `olderThanMs` (a queue send that failed, a message lost).
 * Safe to run at any time: the consumer sends a row at most once. For the nightly refresh or an admin action.
 */
export async function requeueWaiting(db: D1, env: MailEnv, olderThanMs = 60 * 60 * 1000, now = Date.now()) {
  if (!providerConfigured(env)) return 0;
  const rows = await db
    .prepare("SELECT id FROM mail_outbox WHERE status = 'queued' AND created_at < ? ORDER BY id LIMIT 100")
    .bind(now - olderThanMs)
    .all<{ id: number }>();
  if (rows.results.length === 0) return 0;
  await env.MAIL_QUEUE.sendBatch(rows.results.map((r) => ({ body: { outboxId: r.id } satisfies MailQueueMessage })));
  return rows.results.length;
}

export interface MailExtra {
  /** Overrides the key suffix; a hold_ready mail defaults to the reservation's held_at. */
  keySuffix?: string;
}

interface PatronContact {
  patronId: number;
  name: string;
  email: string | null;
  contactMethod: "mail" | "none";
  heldAt: number | null;
  /** 1 / 0, or null: the library's default. */
  mailWithoutTitles: number | null;
}

/** Mail without titles for this patron: their own choice (1 / 0), else the library's default. */
export const titlesHiddenFor = (choice: number | null, libraryDefault: boolean): boolean =>
  choice === null ? libraryDefault : choice === 1;

/** Which reservation states each mail belongs to; a mail for a reservation that moved on is not sent. */
export function fits(
  kind: MailKind,
  r: { status: string; acceptedAt: number | null; holdUntil: string | null; reasonCode: string | null },
): boolean {
  switch (kind) {
    case "accepted":
      return r.acceptedAt !== null;
    case "rejected":
      return r.status === "rejected";
    case "hold_ready":
      return r.status === "on_hold" && r.holdUntil !== null;
    case "not_needed":
      return (r.status === "cancelled" || r.status === "application_cancelled") && r.reasonCode === "not_needed";
  }
}

/** What a mail (or a line of the morning digest) says of a reservation's event. */
export function eventItem(kind: MailKind, r: ReservationRow, reservationLimit: number): DigestItem {
  switch (kind) {
    case "accepted":
      return { kind, title: r.title, pickupBranchName: r.pickupBranchName, queuePosition: r.queuePosition };
    case "rejected":
      return { kind, title: r.title, reason: reasonOrNull(r.reasonCode, reservationLimit) };
    case "hold_ready":
      return { kind, title: r.title, pickupBranchName: r.pickupBranchName, holdUntil: r.holdUntil as string };
    case "not_needed":
      return { kind, title: r.title, notNeededAfter: r.notNeededAfter as string };
  }
}

/**
 * Builds and records the mail of `kind` for a reservation. Nothing is recorded when the patron chose 連絡不要
 * (contact method 'none'), has no e-mail address, the reservation has no patron (anonymised) or is no longer
 * in the state the mail speaks of, or the same mail was recorded before. Returns whether a mail was recorded.
 */
export async function mailForReservation(
  db: D1,
  env: MailEnv,
  kind: MailKind,
  reservationId: number,
  baseUrl: string,
  extra: MailExtra = {},
): Promise<boolean> {
  const recorded = await recordMailFor(db, env, kind, reservationId, baseUrl, extra);
  // The request (the transactional outbox) is answered: a message recorded, or none due.
  await db
    .prepare("UPDATE mail_requests SET done_at = ? WHERE reservation_id = ? AND kind = ? AND done_at IS NULL")
    .bind(Date.now(), reservationId, kind)
    .run();
  return recorded;
}

async function recordMailFor(
  db: D1,
  env: MailEnv,
  kind: MailKind,
  reservationId: number,
  baseUrl: string,
  extra: MailExtra,
): Promise<boolean> {
  const contact = await db
    .prepare(
      `SELECT p.id AS patronId, p.name, p.email, p.contact_method AS contactMethod, r.held_at AS heldAt,
         p.mail_without_titles AS mailWithoutTitles
       FROM reservations r JOIN patrons p ON p.id = r.patron_id
       WHERE r.id = ? AND p.email_temporary = 0`,
    )
    .bind(reservationId)
    .first<PatronContact>();
  // No row: no patron, or only the temporary address staff typed (never confirmed by the patron).
  const to = contact?.email?.trim();
  if (contact?.contactMethod !== "mail" || !to) return false;

  // The reservation as the patron's own list shows it: title, pickup library and 予約順位 by the one queue rule.
  const reservation = await reservationById(db, reservationId);
  if (!reservation || !fits(kind, reservation)) return false;

  const { libraryName, reservationLimit, mailWithoutTitles } = settingsOf(env);
  const titlesHidden = titlesHiddenFor(contact.mailWithoutTitles, mailWithoutTitles);
  const common = { libraryName, baseUrl, patronName: contact.name, titlesHidden };
  const input = { ...common, ...eventItem(kind, reservation, reservationLimit) } as MailInput;
  const keySuffix =
    kind === "hold_ready" ? (extra.keySuffix ?? String(contact.heldAt ?? reservation.holdUntil)) : extra.keySuffix;
  const { subject, body } = renderMail(input);
  const id = await recordMail(db, env, {
    kind,
    patronId: contact.patronId,
    reservationId,
    to,
    subject,
    body,
    ...(keySuffix ? { keySuffix } : {}),
  });
  return id !== null;
}
