// Cancelling: 取消実行 by the patron on the web (run inside the patron's Durable Object) and a staff
// cancellation at the counter, which also puts a copy set aside back on the shelf.
import type { D1 } from "../db/client";
import type { ReservationStatus } from "../domain/codes";
import { webCancellation } from "../domain/reservations";
import { isActiveSql } from "./sql";

/** Why a ticked reservation was not cancelled: お取り置き, already finished, or not this patron's. */
export type CancelRefusal = "on_hold" | "not_cancellable" | "not_found";

export type CancelResult =
  | { id: number; ok: true; status: ReservationStatus }
  | { id: number; ok: false; status?: ReservationStatus; refusal: CancelRefusal };

const refusalFor = (status: ReservationStatus | undefined): CancelRefusal =>
  status === "on_hold" ? "on_hold" : "not_cancellable";

/** 取消実行 over the ticked reservations of one patron; each succeeds or fails on its own. */
export async function cancelReservations(db: D1, patronId: number, ids: number[], now: number): Promise<CancelResult[]> {
  const rows = await db
    .prepare(`SELECT id, status FROM reservations WHERE patron_id = ? AND id IN (SELECT value FROM json_each(?))`)
    .bind(patronId, JSON.stringify(ids))
    .all<{ id: number; status: ReservationStatus }>();
  const byId = new Map(rows.results.map((r) => [r.id, r.status]));
  const results: CancelResult[] = [];
  const writes: D1PreparedStatement[] = [];
  for (const id of ids) {
    const status = byId.get(id);
    // Another patron's reservation is "not found" too: nothing tells whether it exists.
    if (!status) {
      results.push({ id, ok: false, refusal: "not_found" });
      continue;
    }
    const decision = webCancellation(status);
    if (!decision.ok) {
      results.push({ id, ok: false, status, refusal: decision.reason });
      continue;
    }
    const closed = decision.next === "application_cancelled" ? now : null;
    const requested = decision.next === "cancel_requested" ? now : null;
    writes.push(
      db
        .prepare(
          `UPDATE reservations SET status = ?, closed_at = coalesce(?, closed_at), cancel_requested_at = coalesce(?, cancel_requested_at), updated_at = ?
           WHERE id = ? AND patron_id = ? AND status = ?`,
        )
        .bind(decision.next, closed, requested, now, id, patronId, status),
    );
    results.push({ id, ok: true, status: decision.next });
  }
  if (writes.length === 0) return results;
  const written = await db.batch(writes);
  // Staff (a hold, the morning acceptance) may have changed a row since it was read: then nothing was
  // written, and the patron is told what the row is now.
  const changed = results.filter((r) => r.ok);
  const stale: CancelResult[] = changed.filter((_, i) => (written[i]?.meta.changes ?? 0) === 0);
  if (stale.length === 0) return results;
  const fresh = await db
    .prepare(`SELECT id, status FROM reservations WHERE id IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify(stale.map((r) => r.id)))
    .all<{ id: number; status: ReservationStatus }>();
  const current = new Map(fresh.results.map((r) => [r.id, r.status]));
  return results.map((r) => {
    if (!stale.includes(r)) return r;
    const status = current.get(r.id);
    return { id: r.id, ok: false, status, refusal: refusalFor(status) };
  });
}

export type StaffCancelOutcome = "cancelled" | "not_found" | "finished" | "changed";

/** A staff cancellation of any active reservation; the copy set aside for it goes back to the shelf. */
export async function staffCancel(db: D1, reservationId: number, now: number): Promise<StaffCancelOutcome> {
  const r = await db
    .prepare(`SELECT status, hold_item_id AS holdItemId, ${isActiveSql()} AS active FROM reservations WHERE id = ?`)
    .bind(reservationId)
    .first<{ status: ReservationStatus; holdItemId: number | null; active: number }>();
  if (!r) return "not_found";
  if (!r.active) return "finished";
  const [cancelled] = await db.batch([
    db
      .prepare("UPDATE reservations SET status = 'cancelled', closed_at = ?, updated_at = ? WHERE id = ? AND status = ?")
      .bind(now, now, reservationId, r.status),
    // The copy set aside for this reservation (only if it was on hold and just cancelled) goes back to the shelf.
    db
      .prepare("UPDATE items SET status = 'available', updated_at = ? WHERE id = ? AND status = 'on_hold' AND changes() = 1")
      .bind(now, r.status === "on_hold" ? (r.holdItemId ?? 0) : 0),
  ]);
  return (cancelled?.meta.changes ?? 0) === 0 ? "changed" : "cancelled";
}
