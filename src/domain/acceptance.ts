// The morning acceptance (受付処理) of one web application, and hold deadlines in opening days.
import type { Reservability } from "./reservability";
import { NOT_RESERVABLE_MESSAGES } from "./reservability";

export interface ApplicationFacts {
  webEnabled: boolean;
  suspended: boolean;
  /** Last day the library card is valid, or null for no end. */
  cardValidUntil: string | null;
  /** The business date of the acceptance. */
  today: string;
  reservability: Reservability;
  /** The patron already holds an accepted reservation (予約中, 取消申請中, お取り置き) for this material. */
  duplicate: boolean;
  /** The patron's accepted reservations now, counter ones and this run's earlier acceptances included. */
  activeCount: number;
  limit: number;
}

export type AcceptanceDecision = { accept: true } | { accept: false; reason: string };

/** 予約中 when the rules still hold; otherwise 予約拒否 with the reason the patron will read. */
export function decideApplication(f: ApplicationFacts): AcceptanceDecision {
  if (!f.webEnabled || f.suspended)
    return { accept: false, reason: "インターネット予約の利用が停止されています。窓口へお問い合わせください。" };
  if (f.cardValidUntil && f.cardValidUntil < f.today)
    return { accept: false, reason: "利用者カードの有効期限が切れています。窓口で更新してください。" };
  if (!f.reservability.reservable)
    return { accept: false, reason: `予約できない資料になりました。${NOT_RESERVABLE_MESSAGES[f.reservability.reason]}` };
  if (f.duplicate) return { accept: false, reason: "同じ資料をすでに予約しています。" };
  if (f.activeCount >= f.limit) {
    return { accept: false, reason: `予約できる冊数（窓口での予約を含めて${f.limit}冊）を超えています。` };
  }
  return { accept: true };
}

/**
 * The last day a copy stays set aside: the `openingDays`-th opening day after the day it was set aside.
 * `openDates` lists the opening days in ascending order (from the library calendar).
 */
export function holdDeadline(setAsideOn: string, openingDays: number, openDates: readonly string[]): string | undefined {
  const after = openDates.filter((d) => d > setAsideOn);
  return after[openingDays - 1];
}
