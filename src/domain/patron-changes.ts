// What a patron may change of their own reservations and loans online, as pure rules: 受取館変更, 予約の保留,
// 不要になる日, 取置期限の延長 and 貸出延長. Each answers ok or a refusal code; words live in the views.
import { addDays } from "./calendar";
import type { ReservationStatus } from "./codes";

/** How far ahead a suspension or a not-needed-after date may be set. */
export const SUSPEND_MAX_DAYS = 180;
export const NOT_NEEDED_MAX_DAYS = 366;

export type ChangeRefusal = "invalid_state" | "date_past" | "date_too_far" | "already_extended";

export type Rule = { ok: true } | { ok: false; reason: ChangeRefusal };

const OK: Rule = { ok: true };
const refuse = (reason: ChangeRefusal): Rule => ({ ok: false, reason });

/** Still waiting for a copy: 予約申請中 or 予約中 (not once set aside, not while its cancellation is asked). */
const waiting = (status: ReservationStatus) => status === "applied" || status === "reserved";

/** 受取館変更: while 予約申請中 or 予約中; once お取り置き the copy is at its branch already. */
export const pickupChange = (status: ReservationStatus): Rule => (waiting(status) ? OK : refuse("invalid_state"));

/**
 * 予約の保留 until a date (inclusive), or lifted (null): while waiting. The date is today or later, and
 * at most SUSPEND_MAX_DAYS ahead (a suspension is a pause, not a way to hold a place for ever).
 */
export function suspension(status: ReservationStatus, until: string | null, today: string): Rule {
  if (!waiting(status)) return refuse("invalid_state");
  if (until === null) return OK;
  if (until < today) return refuse("date_past");
  if (until > addDays(today, SUSPEND_MAX_DAYS)) return refuse("date_too_far");
  return OK;
}

/** 不要になる日 (or lifted): while waiting; after that date the nightly refresh cancels the reservation. */
export function notNeeded(status: ReservationStatus, after: string | null, today: string): Rule {
  if (!waiting(status)) return refuse("invalid_state");
  if (after === null) return OK;
  if (after < today) return refuse("date_past");
  if (after > addDays(today, NOT_NEEDED_MAX_DAYS)) return refuse("date_too_far");
  return OK;
}

/** Whether a reservation is passed over for copies on `today` (suspended through a date not yet past). */
export const isSuspended = (suspendedUntil: string | null, today: string): boolean =>
  suspendedUntil !== null && suspendedUntil >= today;

/** 取置期限の延長: once, while お取り置き. */
export function holdExtension(status: ReservationStatus, alreadyExtended: boolean): Rule {
  if (status !== "on_hold") return refuse("invalid_state");
  if (alreadyExtended) return refuse("already_extended");
  return OK;
}

/** Why a loan cannot be renewed online. */
export type RenewalRefusal = "reserved" | "overdue" | "already_renewed" | "suspended" | "not_yet";

export interface LoanFacts {
  dueDate: string;
  renewed: boolean;
  /** 予約中 reservations of the material waiting in its queue. */
  waitingReservations: number;
  patronSuspended: boolean;
}

/**
 * 貸出延長: once per loan, for the loan period counted from the day of the request; not when others wait
 * for the material, the loan is overdue or the patron is suspended. A renewal that would not move the due
 * date (asked on the loan day, or before a long loan's last weeks) is refused as not yet, so the one renewal
 * is not spent for nothing. Answers the new due date.
 */
export function renewal(
  loan: LoanFacts,
  today: string,
  loanDays: number,
): { ok: true; dueDate: string } | { ok: false; reason: RenewalRefusal } {
  if (loan.patronSuspended) return { ok: false, reason: "suspended" };
  if (loan.dueDate < today) return { ok: false, reason: "overdue" };
  if (loan.renewed) return { ok: false, reason: "already_renewed" };
  if (loan.waitingReservations > 0) return { ok: false, reason: "reserved" };
  const dueDate = addDays(today, loanDays);
  // Dates compare as text ('YYYY-MM-DD').
  if (dueDate <= loan.dueDate) return { ok: false, reason: "not_yet" };
  return { ok: true, dueDate };
}
