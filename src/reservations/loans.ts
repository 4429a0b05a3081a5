// Loans at the counter: lending a copy (collecting the copy set aside fulfils that reservation) and returns.
import type { D1 } from "../db/client";
import { addDays, tokyoDate } from "../domain/calendar";
import { type RenewalRefusal, renewal } from "../domain/patron-changes";

export type LendOutcome =
  | { ok: true; loanId: number; dueDate: string }
  | { ok: false; code: "item_not_found" | "reading_room_only" | "held_for_another" | "not_on_shelf" | "changed" };

/** Lends a copy to a patron: on the shelf, or set aside for this very patron. */
export async function lend(
  db: D1,
  {
    patronId,
    itemId,
    dueDate,
    now,
    today,
    loanDays,
  }: { patronId: number; itemId: number; dueDate?: string; now: number; today: string; loanDays: number },
): Promise<LendOutcome> {
  const item = await db
    .prepare("SELECT id, status, loanable FROM items WHERE id = ?")
    .bind(itemId)
    .first<{ id: number; status: string; loanable: number }>();
  if (!item) return { ok: false, code: "item_not_found" };
  if (!item.loanable) return { ok: false, code: "reading_room_only" };
  const hold = await db
    .prepare("SELECT id, patron_id AS patronId FROM reservations WHERE hold_item_id = ? AND status = 'on_hold'")
    .bind(item.id)
    .first<{ id: number; patronId: number }>();
  if (hold && hold.patronId !== patronId) return { ok: false, code: "held_for_another" };
  if (!hold && item.status !== "available") return { ok: false, code: "not_on_shelf" };
  const due = dueDate ?? addDays(today, loanDays);
  // Each step happens only if the one before it did (changes() = 1), so a hold or loan made since the
  // reads above leaves everything as it was.
  const [claimed, loan] = await db.batch<{ id: number }>([
    db
      .prepare("UPDATE items SET status = 'on_loan', updated_at = ? WHERE id = ? AND status = ?")
      .bind(now, item.id, hold ? "on_hold" : "available"),
    db
      .prepare(
        "INSERT INTO loans (item_id, patron_id, reservation_id, loaned_at, due_date) SELECT ?, ?, ?, ?, ? WHERE changes() = 1 RETURNING id",
      )
      .bind(item.id, patronId, hold?.id ?? null, now, due),
    // Collecting the copy set aside fulfils that reservation (貸出済み).
    db
      .prepare(
        "UPDATE reservations SET status = 'fulfilled', closed_at = ?, updated_at = ? WHERE id = ? AND status = 'on_hold' AND changes() = 1",
      )
      .bind(now, now, hold?.id ?? 0),
  ]);
  const loanId = loan?.results?.[0]?.id;
  if ((claimed?.meta.changes ?? 0) === 0 || loanId === undefined) return { ok: false, code: "changed" };
  return { ok: true, loanId, dueDate: due };
}

/** The open loan of a copy, if any. */
export async function openLoanOfItem(db: D1, itemId: number): Promise<number | undefined> {
  const row = await db
    .prepare("SELECT id FROM loans WHERE item_id = ? AND returned_at IS NULL")
    .bind(itemId)
    .first<{ id: number }>();
  return row?.id;
}

/**
 * Returns: each loan closes and its copy goes back on the shelf (the nightly refresh then forgets the patron).
 * A patron who turned on 読書記録 keeps the returned material in it, written with the return itself.
 */
export function returnStatements(db: D1, loanIds: number[], now: number): D1PreparedStatement[] {
  const ids = JSON.stringify(loanIds);
  return [
    db
      .prepare(
        `UPDATE items SET status = 'available', updated_at = ?2
         WHERE id IN (SELECT item_id FROM loans WHERE id IN (SELECT value FROM json_each(?1)) AND returned_at IS NULL) AND status = 'on_loan'`,
      )
      .bind(ids, now),
    db
      .prepare(
        `INSERT INTO reading_records (patron_id, material_id, title, author, loaned_on, returned_on)
         SELECT l.patron_id, m.id, m.title, m.author, date(l.loaned_at / 1000, 'unixepoch', '+9 hours'), ?3
         FROM loans l JOIN items i ON i.id = l.item_id JOIN materials m ON m.id = i.material_id
           JOIN patrons p ON p.id = l.patron_id AND p.reading_history_opt_in = 1
         WHERE l.id IN (SELECT value FROM json_each(?1)) AND l.returned_at IS NULL`,
      )
      .bind(ids, now, tokyoDate(now)),
    db
      .prepare("UPDATE loans SET returned_at = ?2 WHERE id IN (SELECT value FROM json_each(?1)) AND returned_at IS NULL")
      .bind(ids, now),
  ];
}

/** A return at the counter. */
export async function returnLoan(db: D1, loanId: number, now: number): Promise<"returned" | "not_found"> {
  const [, , closed] = await db.batch(returnStatements(db, [loanId], now));
  return (closed?.meta.changes ?? 0) > 0 ? "returned" : "not_found";
}

export type RenewOutcome =
  | { ok: true; itemId: number; dueDate: string }
  | { ok: false; itemId: number; code: "not_found" }
  | { ok: false; itemId: number; code: "not_renewable"; reason: RenewalRefusal };

/** A loan's facts for 貸出延長: its due date, whether renewed, the material's queue and the patron's standing. */
const LOAN_FACTS = `SELECT l.id, l.due_date AS dueDate, l.renewed_at IS NOT NULL AS renewed, p.suspended AS patronSuspended,
    (SELECT count(*) FROM reservations r WHERE r.material_id = i.material_id AND r.status = 'reserved') AS waitingReservations
  FROM loans l JOIN items i ON i.id = l.item_id JOIN patrons p ON p.id = l.patron_id
  WHERE l.item_id = ? AND l.patron_id = ? AND l.returned_at IS NULL`;

/**
 * 貸出延長 by the patron: once, for the loan period from today, unless others wait for the material, the
 * loan is overdue or the patron suspended. The write repeats the checks, so a reservation accepted meanwhile
 * stops it.
 */
export async function renewLoan(
  db: D1,
  { patronId, itemId, today, loanDays, now }: { patronId: number; itemId: number; today: string; loanDays: number; now: number },
): Promise<RenewOutcome> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const loan = await db.prepare(LOAN_FACTS).bind(itemId, patronId).first<{
      id: number;
      dueDate: string;
      renewed: number;
      patronSuspended: number;
      waitingReservations: number;
    }>();
    if (!loan) return { ok: false, itemId, code: "not_found" };
    const rule = renewal(
      {
        dueDate: loan.dueDate,
        renewed: loan.renewed === 1,
        waitingReservations: loan.waitingReservations,
        patronSuspended: loan.patronSuspended === 1,
      },
      today,
      loanDays,
    );
    if (!rule.ok) return { ok: false, itemId, code: "not_renewable", reason: rule.reason };
    const written = await db
      .prepare(
        `UPDATE loans SET due_date = ?1, renewed_at = ?2
         WHERE id = ?3 AND returned_at IS NULL AND renewed_at IS NULL AND due_date >= ?4
           AND NOT EXISTS (SELECT 1 FROM reservations r JOIN items i ON i.material_id = r.material_id WHERE i.id = ?5 AND r.status = 'reserved')
           AND NOT EXISTS (SELECT 1 FROM patrons p WHERE p.id = ?6 AND p.suspended = 1)`,
      )
      .bind(rule.dueDate, now, loan.id, today, itemId, patronId)
      .run();
    if ((written.meta.changes ?? 0) > 0) return { ok: true, itemId, dueDate: rule.dueDate };
    // Something changed between the read and the write: read again and answer what holds now.
  }
  return { ok: false, itemId, code: "not_found" };
}
