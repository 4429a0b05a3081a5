// A patron's own changes to a reservation: 受取館変更, 予約の保留, 不要になる日 (PATCH /me/reservations/:id and
// 予約状況) and 取置期限の延長. Run inside the patron's Durable Object; each writes one guarded statement.
import type { D1 } from "../db/client";
import { addDays } from "../domain/calendar";
import type { ReservationStatus } from "../domain/codes";
import { holdDeadline } from "../domain/holds";
import { type ChangeRefusal, holdExtension, notNeeded, pickupChange, type Rule, suspension } from "../domain/patron-changes";
import { openDatesAfter } from "./holds";

export interface ReservationPatch {
  pickupBranch?: string;
  /** null lifts it. */
  suspendedUntil?: string | null;
  notNeededAfter?: string | null;
}

export type PatchField = keyof ReservationPatch;

export type ChangeOutcome =
  | { ok: true; status: ReservationStatus; pickupBranch: string; suspendedUntil: string | null; notNeededAfter: string | null }
  | { ok: false; code: "not_found" }
  | { ok: false; code: "unknown_branch" }
  | { ok: false; code: ChangeRefusal; field: PatchField; status: ReservationStatus };

interface Current {
  status: ReservationStatus;
  pickupBranch: string;
  suspendedUntil: string | null;
  notNeededAfter: string | null;
}

const CURRENT = `SELECT status, pickup_branch AS pickupBranch, suspended_until AS suspendedUntil, not_needed_after AS notNeededAfter
  FROM reservations WHERE id = ? AND patron_id = ?`;

/** Changes the given fields of one of the patron's reservations, each by its rule; all or none. */
export async function changeReservation(
  db: D1,
  patronId: number,
  reservationId: number,
  patch: ReservationPatch,
  { today, now }: { today: string; now: number },
): Promise<ChangeOutcome> {
  const [row, pickup] = await db.batch([
    db.prepare(CURRENT).bind(reservationId, patronId),
    db.prepare("SELECT 1 AS ok FROM branches WHERE code = ? AND pickup = 1").bind(patch.pickupBranch ?? ""),
  ]);
  const current = row?.results?.[0] as Current | undefined;
  // Another patron's reservation is not found either.
  if (!current) return { ok: false, code: "not_found" };
  const checks: Array<[PatchField, Rule | undefined]> = [
    ["pickupBranch", patch.pickupBranch === undefined ? undefined : pickupChange(current.status)],
    ["suspendedUntil", patch.suspendedUntil === undefined ? undefined : suspension(current.status, patch.suspendedUntil, today)],
    ["notNeededAfter", patch.notNeededAfter === undefined ? undefined : notNeeded(current.status, patch.notNeededAfter, today)],
  ];
  for (const [field, rule] of checks)
    if (rule && !rule.ok) return { ok: false, code: rule.reason, field, status: current.status };
  if (patch.pickupBranch !== undefined && !pickup?.results?.length) return { ok: false, code: "unknown_branch" };
  const next: Current = {
    status: current.status,
    pickupBranch: patch.pickupBranch ?? current.pickupBranch,
    suspendedUntil: patch.suspendedUntil === undefined ? current.suspendedUntil : patch.suspendedUntil,
    notNeededAfter: patch.notNeededAfter === undefined ? current.notNeededAfter : patch.notNeededAfter,
  };
  // Only while the status is the one the rules were asked about (staff may set a copy aside meanwhile).
  const written = await db
    .prepare(
      `UPDATE reservations SET pickup_branch = ?, suspended_until = ?, not_needed_after = ?, updated_at = ?
       WHERE id = ? AND patron_id = ? AND status = ?`,
    )
    .bind(next.pickupBranch, next.suspendedUntil, next.notNeededAfter, now, reservationId, patronId, current.status)
    .run();
  if ((written.meta.changes ?? 0) === 0) {
    const moved = await db.prepare(CURRENT).bind(reservationId, patronId).first<Current>();
    if (!moved) return { ok: false, code: "not_found" };
    return { ok: false, code: "invalid_state", field: checks.find(([, r]) => r)?.[0] ?? "pickupBranch", status: moved.status };
  }
  return { ok: true, ...next };
}

export type ExtendOutcome =
  | { ok: true; holdUntil: string }
  | { ok: false; code: "not_found" }
  | { ok: false; code: "invalid_state" | "already_extended"; status: ReservationStatus };

/** 取置期限の延長: the deadline moves `extendDays` opening days later, once per hold. */
export async function extendHold(
  db: D1,
  patronId: number,
  reservationId: number,
  { extendDays, today, now }: { extendDays: number; today: string; now: number },
): Promise<ExtendOutcome> {
  const r = await db
    .prepare(
      "SELECT status, hold_until AS holdUntil, hold_extended_at AS extendedAt FROM reservations WHERE id = ? AND patron_id = ?",
    )
    .bind(reservationId, patronId)
    .first<{ status: ReservationStatus; holdUntil: string | null; extendedAt: number | null }>();
  if (!r) return { ok: false, code: "not_found" };
  const rule = holdExtension(r.status, r.extendedAt !== null);
  // A deadline already past waits only for the nightly expiry: it cannot be revived.
  if (rule.ok && r.holdUntil && r.holdUntil < today) return { ok: false, code: "invalid_state", status: r.status };
  if (!rule.ok || !r.holdUntil)
    return {
      ok: false,
      code: rule.ok ? "invalid_state" : (rule.reason as "invalid_state" | "already_extended"),
      status: r.status,
    };
  const until = holdDeadline(r.holdUntil, extendDays, await openDatesAfter(db, r.holdUntil)) ?? addDays(r.holdUntil, extendDays);
  const written = await db
    .prepare(
      `UPDATE reservations SET hold_until = ?, hold_extended_at = ?, updated_at = ?
       WHERE id = ? AND patron_id = ? AND status = 'on_hold' AND hold_until = ? AND hold_until >= ? AND hold_extended_at IS NULL`,
    )
    .bind(until, now, now, reservationId, patronId, r.holdUntil, today)
    .run();
  if ((written.meta.changes ?? 0) === 0) {
    const moved = await db
      .prepare("SELECT status, hold_extended_at AS extendedAt FROM reservations WHERE id = ?")
      .bind(reservationId)
      .first<{ status: ReservationStatus; extendedAt: number | null }>();
    const status = moved?.status ?? r.status;
    return { ok: false, code: status === "on_hold" && moved?.extendedAt ? "already_extended" : "invalid_state", status };
  }
  return { ok: true, holdUntil: until };
}
