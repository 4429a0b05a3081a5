// シリーズ予約 / 読みたい順: which volume of an in-order series is applied next.
import { FINISHED_RESERVATION_STATUSES, type ReservationStatus } from "./codes";

export const SERIES_MODES = ["in_order", "together"] as const;
export type SeriesMode = (typeof SERIES_MODES)[number];

/** A series has at least two items and at most this many. */
export const SERIES_MAX_ITEMS = 20;

export interface SeriesItemState {
  /** The status of the reservation made for it; null while its turn has not come. */
  status: ReservationStatus | null;
  /** Passed over when its turn came (it could not be reserved then). */
  skipped: boolean;
}

const finished = (s: ReservationStatus) => (FINISHED_RESERVATION_STATUSES as readonly ReservationStatus[]).includes(s);

/**
 * The index of the item to apply next in an in-order series, or undefined: the first not yet applied,
 * once every one before it is finished (collected, or ended otherwise: a cancelled or expired volume
 * lets the series go on). Skipped items are passed.
 */
export function nextInOrder(items: readonly SeriesItemState[]): number | undefined {
  for (const [i, item] of items.entries()) {
    if (item.skipped) continue;
    if (item.status === null) return i;
    if (!finished(item.status)) return undefined;
  }
  return undefined;
}
