// One mail per patron per acceptance run: after the morning's run, the mail queue is asked once for the
// run's digest; the consumer finds every patron with something to tell (an unanswered mail request of the
// transactional outbox, or an opt-in reminder due that opening day), in slices of patrons, and records one
// outbox row per patron listing each item. The requests it answers and the reminders it sent are marked in
// the same batch as the row, only if the row is there, so a redelivery or a crash between any two steps
// sends nothing twice and loses nothing (an unanswered request is still picked up by the nightly refresh).
import type { D1 } from "../db/client";
import { addDays } from "../domain/calendar";
import { MAIL_KINDS, type MailKind, mailKey, OVERDUE_EVERY_DAYS } from "../domain/mail-keys";
import { type ReservationRow, reservationsStatement } from "../reservations/read";
import { settingsOf } from "../settings";
import { type DigestItem, digestMail } from "./digest-template";
import type { DigestMessage } from "./messages";
import { eventItem, fits, type MailEnv, outboxInsert, queueOutbox, titlesHiddenFor } from "./outbox";
import { type MailInput, renderMail } from "./templates";

/**
 * Patrons expanded per digest message. Each costs about ten D1 queries (a read batch of five, a write batch of
 * five) and at most one queue send: a batch of 10 messages stays near 500 of an invocation's 1,000 queries.
 */
export const DIGEST_SLICE = 5;

// The reminder rules, one place for finding the patrons and for listing their items. ?1 is the business date,
// ?2 the last due date reminded ahead (?1 + DUE_REMINDER_DAYS), ?3 the date before which a 延滞 mail is old.
const DUE_SOON = `p.remind_due = 1 AND l.due_date BETWEEN ?1 AND ?2 AND l.due_reminded_for IS NOT l.due_date`;
const OVERDUE = `p.remind_overdue = 1 AND l.due_date < ?1 AND (l.overdue_mailed_on IS NULL OR l.overdue_mailed_on <= ?3)`;
/** Open loans due soon or overdue (the range outside the OR lets the partial index on due_date serve). */
const LOANS_TO_REMIND = `l.returned_at IS NULL AND l.due_date <= ?2 AND ((${DUE_SOON}) OR (${OVERDUE}))`;
/**
 * 取置期限が近い: the deadline is the next opening day, so this morning is the last before it — or today,
 * when that morning's mail was missed (a lost run): better on the last day than never.
 */
const HOLD_EXPIRING = `p.remind_hold = 1 AND r.status = 'on_hold' AND r.hold_reminded_for IS NOT r.hold_until
  AND r.hold_until BETWEEN ?1 AND coalesce((SELECT min(date) FROM calendar_days WHERE open = 1 AND date > ?1), ?1)`;
const MAILABLE = "p.contact_method = 'mail' AND p.email_temporary = 0 AND p.email IS NOT NULL";

const reminderDates = (businessDate: string, dueDays: number) =>
  [businessDate, addDays(businessDate, dueDays), addDays(businessDate, -OVERDUE_EVERY_DAYS)] as const;

/** Every patron with an unanswered mail request or a reminder due this business date. */
async function patronsToTell(db: D1, businessDate: string, dueDays: number): Promise<number[]> {
  const rows = await db
    .prepare(
      `SELECT r.patron_id AS id FROM mail_requests q JOIN reservations r ON r.id = q.reservation_id
         WHERE q.done_at IS NULL AND r.patron_id IS NOT NULL
       UNION SELECT p.id FROM loans l JOIN patrons p ON p.id = l.patron_id WHERE ${MAILABLE} AND ${LOANS_TO_REMIND}
       UNION SELECT p.id FROM reservations r JOIN patrons p ON p.id = r.patron_id WHERE ${MAILABLE} AND ${HOLD_EXPIRING}
       ORDER BY 1`,
    )
    .bind(...reminderDates(businessDate, dueDays))
    .all<{ id: number }>();
  return rows.results.map((r) => r.id);
}

interface Contact {
  name: string;
  email: string | null;
  mailable: number;
  mailWithoutTitles: number | null;
}
interface Request {
  key: string;
  kind: MailKind;
  reservationId: number;
}
interface LoanDue {
  id: number;
  title: string;
  dueDate: string;
  overdue: number;
}

/** What there is to tell one patron, read in one round trip. */
async function factsOf(db: D1, patronId: number, businessDate: string, dueDays: number, since: number | undefined) {
  const dates = reminderDates(businessDate, dueDays);
  const [contact, requests, reservations, loans, holds, waiting] = await db.batch([
    db
      .prepare(
        `SELECT p.name, p.email, ${MAILABLE} AS mailable, p.mail_without_titles AS mailWithoutTitles FROM patrons p WHERE p.id = ?`,
      )
      .bind(patronId),
    db
      .prepare(
        `SELECT q.key, q.kind, q.reservation_id AS reservationId FROM mail_requests q JOIN reservations r ON r.id = q.reservation_id
         WHERE r.patron_id = ? AND q.done_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.idempotency_key = q.key) ORDER BY q.requested_at, q.key`,
      )
      .bind(patronId),
    reservationsStatement(db, patronId),
    db
      .prepare(
        `SELECT l.id, m.title, l.due_date AS dueDate, l.due_date < ?1 AS overdue
         FROM loans l JOIN patrons p ON p.id = l.patron_id JOIN items i ON i.id = l.item_id JOIN materials m ON m.id = i.material_id
         WHERE l.patron_id = ?4 AND ${LOANS_TO_REMIND} ORDER BY l.due_date, l.id`,
      )
      .bind(...dates, patronId),
    db
      .prepare(`SELECT r.id FROM reservations r JOIN patrons p ON p.id = r.patron_id WHERE r.patron_id = ?4 AND ${HOLD_EXPIRING}`)
      .bind(...dates, patronId),
    // Rows of this run still waiting for the queue: a delivery that died after its write batch left them so.
    db
      .prepare("SELECT id FROM mail_outbox WHERE patron_id = ? AND status = 'queued' AND created_at >= ?")
      .bind(patronId, since ?? Number.MAX_SAFE_INTEGER),
  ]);
  return {
    contact: contact?.results[0] as Contact | undefined,
    requests: (requests?.results ?? []) as Request[],
    reservations: (reservations?.results ?? []) as ReservationRow[],
    loans: (loans?.results ?? []) as LoanDue[],
    holdIds: ((holds?.results ?? []) as Array<{ id: number }>).map((h) => h.id),
    waitingIds: ((waiting?.results ?? []) as Array<{ id: number }>).map((w) => w.id),
  };
}

const json = (ids: unknown[]) => JSON.stringify(ids);

/** A short digest of the items' keys: the digest's key names exactly what it lists. */
async function itemsHash(keys: string[]): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode([...keys].sort().join("\n")));
  return [...new Uint8Array(bytes).slice(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Queues rows (a provider configured); a repeat is harmless, the consumer's claim sends a row once. */
const queueAll = async (env: MailEnv, ids: number[]) => {
  for (const id of new Set(ids)) await queueOutbox(env, id);
};

/**
 * Records the patron's one mail of this run (or marks the requests answered when no mail is due: 連絡不要,
 * no confirmed address, a reservation that moved on). Tried again from a fresh read when a single mail of
 * one of its requests was recorded meanwhile. A digest's key is the run, the patron and a hash of what it
 * lists, so a second pass that finds something new records a second mail of that, never marks it unsent.
 */
export async function digestFor(db: D1, env: MailEnv, patronId: number, msg: DigestMessage): Promise<boolean> {
  const { libraryName, reservationLimit, mailWithoutTitles, dueReminderDays } = settingsOf(env);
  let waiting: number[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const f = await factsOf(db, patronId, msg.businessDate, dueReminderDays, msg.since);
    waiting = f.waitingIds;
    const now = Date.now();
    const requestKeys = f.requests.map((r) => r.key);
    const answer = (guardKey: string | null) =>
      db
        .prepare(
          `UPDATE mail_requests SET done_at = ?1 WHERE key IN (SELECT value FROM json_each(?2)) AND done_at IS NULL
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM mail_outbox WHERE idempotency_key = ?3))`,
        )
        .bind(now, json(requestKeys), guardKey);
    const to = f.contact?.email?.trim();
    const byId = new Map(f.reservations.map((r) => [r.id, r]));
    const items: Array<{ key: string; item: DigestItem }> = [];
    for (const q of f.requests) {
      const r = byId.get(q.reservationId);
      if (r && fits(q.kind, r)) items.push({ key: q.key, item: eventItem(q.kind, r, reservationLimit) });
    }
    const dueSoon = f.loans.filter((l) => !l.overdue);
    const overdue = f.loans.filter((l) => l.overdue);
    for (const l of dueSoon)
      items.push({ key: mailKey("due_soon", l.id, l.dueDate), item: { kind: "due_soon", title: l.title, dueDate: l.dueDate } });
    for (const l of overdue)
      items.push({
        key: mailKey("overdue", l.id, msg.businessDate),
        item: { kind: "overdue", title: l.title, dueDate: l.dueDate },
      });
    const holds = f.holdIds.flatMap((id) => {
      const r = byId.get(id);
      return r?.holdUntil ? [{ id, holdUntil: r.holdUntil, title: r.title, pickupBranchName: r.pickupBranchName }] : [];
    });
    for (const h of holds)
      items.push({
        key: mailKey("hold_expiring", h.id, h.holdUntil),
        item: { kind: "hold_expiring", title: h.title, pickupBranchName: h.pickupBranchName, holdUntil: h.holdUntil },
      });
    if (!f.contact?.mailable || !to || items.length === 0) {
      if (requestKeys.length > 0) await answer(null).run();
      await queueAll(env, waiting);
      return false;
    }

    const titlesHidden = titlesHiddenFor(f.contact.mailWithoutTitles, mailWithoutTitles);
    const common = { libraryName, baseUrl: msg.baseUrl, patronName: f.contact.name, titlesHidden };
    const one = items.length === 1 ? items[0] : undefined;
    // One event of a reservation keeps its own mail and key; anything more is the run's digest of these items.
    const key = one ? one.key : `digest:${msg.run}:${patronId}:${await itemsHash(items.map((i) => i.key))}`;
    const single = one && (MAIL_KINDS as readonly string[]).includes(one.item.kind);
    const { subject, body } = single
      ? renderMail({ ...common, ...one.item } as MailInput)
      : digestMail({ ...common, items: items.map((i) => i.item) });
    // Marks name the date that was mailed: a renewal or an extension meanwhile is reminded of again.
    const ifWritten = "EXISTS (SELECT 1 FROM mail_outbox WHERE idempotency_key = ?2)";
    const [inserted] = await db.batch([
      outboxInsert(db, env, { key, kind: one ? one.item.kind : "digest", patronId, to, subject, body }, requestKeys),
      answer(key),
      db
        .prepare(
          `UPDATE loans SET due_reminded_for = due_date
           WHERE id || ':' || due_date IN (SELECT value FROM json_each(?1)) AND ${ifWritten}`,
        )
        .bind(json(dueSoon.map((l) => `${l.id}:${l.dueDate}`)), key),
      db
        .prepare(`UPDATE loans SET overdue_mailed_on = ?3 WHERE id IN (SELECT value FROM json_each(?1)) AND ${ifWritten}`)
        .bind(json(overdue.map((l) => l.id)), key, msg.businessDate),
      db
        .prepare(
          `UPDATE reservations SET hold_reminded_for = hold_until
           WHERE id || ':' || hold_until IN (SELECT value FROM json_each(?1)) AND ${ifWritten}`,
        )
        .bind(json(holds.map((h) => `${h.id}:${h.holdUntil}`)), key),
    ]);
    const id = (inserted?.results[0] as { id: number } | undefined)?.id;
    if (id !== undefined) {
      await queueAll(env, [...waiting, id]);
      return true;
    }
    // Not written: the same mail recorded by a delivery before (its marks were in its batch), or a single mail
    // of one of the requests won the race: read again without it.
    const exists = await db.prepare("SELECT 1 FROM mail_outbox WHERE idempotency_key = ?").bind(key).first();
    if (exists) break;
  }
  await queueAll(env, waiting);
  return false;
}

/**
 * A digest message: without patrons, finds them and splits the run into messages of DIGEST_SLICE patrons;
 * with patrons, records each one's mail. Repeating any of it records nothing twice.
 */
export async function expandDigest(
  msg: DigestMessage,
  env: MailEnv & { DB: D1 },
): Promise<{ patrons: number; recorded: number }> {
  if (!msg.patronIds) {
    const ids = await patronsToTell(env.DB, msg.businessDate, settingsOf(env).dueReminderDays);
    const slices: DigestMessage[] = [];
    for (let i = 0; i < ids.length; i += DIGEST_SLICE) slices.push({ ...msg, patronIds: ids.slice(i, i + DIGEST_SLICE) });
    // sendBatch takes at most 100 messages.
    for (let i = 0; i < slices.length; i += 100)
      await env.MAIL_QUEUE.sendBatch(slices.slice(i, i + 100).map((body) => ({ body })));
    return { patrons: ids.length, recorded: 0 };
  }
  let recorded = 0;
  for (const id of msg.patronIds) if (await digestFor(env.DB, env, id, msg)) recorded += 1;
  return { patrons: msg.patronIds.length, recorded };
}
