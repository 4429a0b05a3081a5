// Reservation rules from the guide: what counts toward the limit, what a patron may cancel on the web and
// what it becomes, and how the limit is checked.
import { ACTIVE_RESERVATION_STATUSES, type ReservationStatus } from "./codes";

export const isActive = (status: ReservationStatus): boolean =>
  (ACTIVE_RESERVATION_STATUSES as readonly ReservationStatus[]).includes(status);

export type WebCancellation = { ok: true; next: ReservationStatus } | { ok: false; reason: "on_hold" | "not_cancellable" };

/**
 * 取消実行 on the web: 予約申請中 → 予約申請取消 at once; 予約中 → 取消申請中 (decided at the next acceptance);
 * お取り置き cannot be cancelled on the web (call the pickup library); anything else is already finished.
 */
export function webCancellation(status: ReservationStatus): WebCancellation {
  if (status === "applied") return { ok: true, next: "application_cancelled" };
  if (status === "reserved") return { ok: true, next: "cancel_requested" };
  if (status === "on_hold") return { ok: false, reason: "on_hold" };
  return { ok: false, reason: "not_cancellable" };
}

export const isWebCancellable = (status: ReservationStatus): boolean => webCancellation(status).ok;

/** How many more reservations fit under the limit. */
export const remainingQuota = (limit: number, active: number): number => Math.max(0, limit - active);

/** An application of `adding` reservations is refused whole when it would pass the limit. */
export const fitsQuota = (limit: number, active: number, adding: number): boolean => active + adding <= limit;

/** By how many an application of `adding` would pass the limit (0 when it fits): said before the patron submits. */
export const overLimitBy = (limit: number, active: number, adding: number): number => Math.max(0, active + adding - limit);
