// May this patron reserve this material now? One rule for the three doors: a web application (at apply
// time), a counter reservation, and the morning acceptance of an application. Answers a refusal code.
import type { Reservability } from "./reservability";
import { fitsQuota } from "./reservations";

/** Why a reservation is refused; stored as `reservations.reason_code` and worded in views and mail. */
export const REFUSAL_CODES = [
  "web_use_stopped",
  "credentials_temporary",
  "card_expired",
  "latest_issue",
  "reading_room_only",
  "no_loanable_item",
  "duplicate",
  "over_limit",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/**
 * Every code a reservation's `reason_code` may hold: a refusal, a cancellation refused because the copy was
 * set aside, or a cancellation by the nightly refresh after the patron's 不要になる日.
 */
export const REASON_CODES = [...REFUSAL_CODES, "cancel_refused_on_hold", "not_needed"] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Who is asking: the web at apply time, the counter, or the acceptance deciding a web application. */
export type Channel = "web" | "counter" | "acceptance";

export interface PatronStanding {
  webEnabled: boolean;
  suspended: boolean;
  mustChangeCredentials: boolean;
  /** Last day the library card is valid, or null for no end. */
  cardValidUntil: string | null;
}

export interface EligibilityFacts {
  channel: Channel;
  /** Undefined when the patron is not found. */
  patron: PatronStanding | undefined;
  /** The business date (Tokyo). */
  today: string;
  reservability: Reservability;
  /** The patron already has an active reservation (one that counts) for this material. */
  duplicate: boolean;
  /** The patron's reservations that count toward the limit now. */
  activeCount: number;
  /** How many reservations this request adds (an application is all or nothing). */
  adding: number;
  limit: number;
}

/** Refusals about the patron rather than the material: the web and the counter answer them as "forbidden". */
export const PATRON_REFUSALS: readonly RefusalCode[] = ["web_use_stopped", "credentials_temporary", "card_expired"];

/**
 * The first rule that refuses, in the guide's order (the patron, the card, the material, a duplicate, the
 * limit), or undefined when the reservation may be made. At the counter the card is what matters; on the
 * web also web use (and, at apply time, changed credentials).
 */
export function refusalOf(f: EligibilityFacts): RefusalCode | undefined {
  const p = f.patron;
  if (!p || p.suspended || (f.channel !== "counter" && !p.webEnabled)) return "web_use_stopped";
  if (f.channel === "web" && p.mustChangeCredentials) return "credentials_temporary";
  if (p.cardValidUntil && p.cardValidUntil < f.today) return "card_expired";
  if (!f.reservability.reservable) return f.reservability.reason;
  if (f.duplicate) return "duplicate";
  if (!fitsQuota(f.limit, f.activeCount, f.adding)) return "over_limit";
  return undefined;
}
