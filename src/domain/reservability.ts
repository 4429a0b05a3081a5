// May this material be reserved? The guide: not the latest issue of a magazine, not reading-room-only
// material, and not material with no copy that can be lent.
import { type ItemStatus, UNUSABLE_ITEM_STATUSES } from "./codes";

export type NotReservableReason = "latest_issue" | "reading_room_only" | "no_loanable_item";

export const NOT_RESERVABLE_MESSAGES: Record<NotReservableReason, string> = {
  latest_issue: "雑誌の最新号は予約できません。",
  reading_room_only: "館内閲覧のみの資料（禁帯出）のため予約できません。",
  no_loanable_item: "貸出できる所蔵がないため予約できません。",
};

export interface ReservabilityInput {
  latestIssue: boolean;
  /** Copies that are not missing, damaged or withdrawn. */
  usableCopies: number;
  /** Of those, the ones that may be lent (not 禁帯出). */
  lendableCopies: number;
}

export type Reservability = { reservable: true } | { reservable: false; reason: NotReservableReason };

export function reservability({ latestIssue, usableCopies, lendableCopies }: ReservabilityInput): Reservability {
  if (latestIssue) return { reservable: false, reason: "latest_issue" };
  if (lendableCopies > 0) return { reservable: true };
  // Copies exist on the shelves but none may leave the building: say so rather than "none".
  if (usableCopies > 0) return { reservable: false, reason: "reading_room_only" };
  return { reservable: false, reason: "no_loanable_item" };
}

/** The copy counts reservability needs, from a material's copies. */
export function copyCounts(items: ReadonlyArray<{ status: ItemStatus; loanable: boolean }>) {
  const usable = items.filter((i) => !UNUSABLE_ITEM_STATUSES.includes(i.status));
  return { usableCopies: usable.length, lendableCopies: usable.filter((i) => i.loanable).length };
}
