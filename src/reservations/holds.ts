// Setting a copy aside for a reservation (お取り置き, with a deadline in opening days), and a copy's status
// change by staff, which releases the hold a copy was serving when the copy turns out missing or damaged.
import { bumpCatalog } from "../db/catalog-version";
import type { D1 } from "../db/client";

import { addDays } from "../domain/calendar";
import type { ItemStatus } from "../domain/codes";
import { holdDeadline, mayTakeCopy } from "../domain/holds";
import { requestHoldMailIfHeld } from "./mail-requests";
import { aheadInQueueSql, notSuspendedSql, settableAsideSql } from "./sql";

export type SetAsideOutcome =
  | { ok: true; holdUntil: string }
  | { ok: false; code: "not_found" | "not_waiting" | "copy_not_free" | "suspended" }
  | { ok: false; code: "not_first_in_queue"; position: number; freeCopies: number };

/**
 * Where reservation `r` stands for a copy on `today` (reserved ones ahead that are not suspended, + 1), and
 * the copies of its material free to set aside.
 */
const queueFacts = (today: string) => `
  1 + (SELECT count(*) FROM reservations q WHERE q.material_id = r.material_id AND q.status = 'reserved'
       AND ${notSuspendedSql("q", today)} AND ${aheadInQueueSql("q", "r")}) AS position,
  (SELECT count(*) FROM items i WHERE i.material_id = r.material_id AND ${settableAsideSql("i")}) AS freeCopies,
  NOT ${notSuspendedSql("r", today)} AS suspended`;

/** The opening days after `from` (enough for any hold deadline). */
export async function openDatesAfter(db: D1, from: string): Promise<string[]> {
  const rows = await db
    .prepare("SELECT date FROM calendar_days WHERE open = 1 AND date > ? ORDER BY date LIMIT 60")
    .bind(from)
    .all<{ date: string }>();
  return rows.results.map((r) => r.date);
}

/** Sets a copy aside for a 予約中 (or 取消申請中) reservation; the deadline is the `holdDays`-th opening day after today. */
export async function setAside(
  db: D1,
  reservationId: number,
  itemId: number,
  { now, today, holdDays, outOfTurn = false }: { now: number; today: string; holdDays: number; outOfTurn?: boolean },
): Promise<SetAsideOutcome> {
  const r = await db
    .prepare(`SELECT r.id, r.material_id AS materialId, r.status, ${queueFacts(today)} FROM reservations r WHERE r.id = ?`)
    .bind(reservationId)
    .first<{ id: number; materialId: number; status: string; position: number; freeCopies: number; suspended: number }>();
  if (!r) return { ok: false, code: "not_found" };
  if (r.status !== "reserved" && r.status !== "cancel_requested") return { ok: false, code: "not_waiting" };
  // 予約の保留: the patron asked not to be given a copy before this date; the next in line gets it.
  if (r.suspended && !outOfTurn) return { ok: false, code: "suspended" };
  // The first in queue order gets the copy, whichever door; only an explicit, audited override skips the line.
  if (!outOfTurn && !mayTakeCopy(r.position, r.freeCopies))
    return { ok: false, code: "not_first_in_queue", position: r.position, freeCopies: r.freeCopies };
  const until = holdDeadline(today, holdDays, await openDatesAfter(db, today)) ?? addDays(today, holdDays);
  // The copy must be this material's, lendable and free; the reservation changes only if the copy did.
  const [item, res] = await db.batch([
    db
      .prepare(
        `UPDATE items SET status = 'on_hold', updated_at = ? WHERE id = ? AND material_id = ? AND ${settableAsideSql("items")}
         AND (? OR (SELECT position <= freeCopies AND NOT suspended FROM (SELECT ${queueFacts(today)} FROM reservations r WHERE r.id = ?)))`,
      )
      .bind(now, itemId, r.materialId, outOfTurn ? 1 : 0, reservationId),
    db
      .prepare(
        `UPDATE reservations SET status = 'on_hold', hold_item_id = ?, held_at = ?, hold_until = ?, hold_extended_at = NULL, updated_at = ?
         WHERE id = ? AND status IN ('reserved', 'cancel_requested') AND changes() = 1`,
      )
      .bind(itemId, now, until, now, reservationId),
    // The hold-ready mail is asked for in the same transaction as the hold (only if the hold was made).
    requestHoldMailIfHeld(db, reservationId, now),
  ]);
  if ((item?.meta.changes ?? 0) === 0 || (res?.meta.changes ?? 0) === 0) {
    if ((item?.meta.changes ?? 0) === 1) {
      await db.prepare("UPDATE items SET status = 'available' WHERE id = ? AND status = 'on_hold'").bind(itemId).run();
    }
    return { ok: false, code: "copy_not_free" };
  }
  return { ok: true, holdUntil: until };
}

export interface CopyPatch {
  status?: ItemStatus;
  loanable?: boolean;
  callNumber?: string;
}

export type CopyChangeOutcome = "changed" | "not_found" | "on_loan";

/** A copy's status, 禁帯出 or call number; a copy set aside whose status changes gives its reservation back to the queue. */
export async function changeCopy(db: D1, itemId: number, p: CopyPatch, now: number): Promise<CopyChangeOutcome> {
  const current = await db.prepare("SELECT status FROM items WHERE id = ?").bind(itemId).first<{ status: ItemStatus }>();
  if (!current) return "not_found";
  if (p.status && current.status === "on_loan") return "on_loan";
  const writes = [
    db
      .prepare(
        "UPDATE items SET status = coalesce(?, status), loanable = coalesce(?, loanable), call_number = coalesce(?, call_number), updated_at = ? WHERE id = ?",
      )
      .bind(p.status ?? null, p.loanable === undefined ? null : p.loanable ? 1 : 0, p.callNumber ?? null, now, itemId),
    bumpCatalog(db),
  ];
  // A copy set aside that turns out missing, damaged or withdrawn no longer serves its hold: the
  // reservation goes back to 予約中 and keeps its place in the queue.
  if (p.status && current.status === "on_hold") {
    writes.push(
      db
        .prepare(
          "UPDATE reservations SET status = 'reserved', hold_item_id = NULL, held_at = NULL, hold_until = NULL, updated_at = ? WHERE hold_item_id = ? AND status = 'on_hold'",
        )
        .bind(now, itemId),
    );
  }
  await db.batch(writes);
  return "changed";
}
