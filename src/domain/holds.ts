// Holds: who may be given a free copy (queue order), and deadlines (取置期限) in opening days of the calendar.

/**
 * The last day a copy stays set aside: the `openingDays`-th opening day after the day it was set aside.
 * `openDates` lists the opening days in ascending order (from the library calendar).
 */
export function holdDeadline(setAsideOn: string, openingDays: number, openDates: readonly string[]): string | undefined {
  const after = openDates.filter((d) => d > setAsideOn);
  return after[openingDays - 1];
}

/**
 * A copy goes to the first in queue order: a reservation at 予約順位 `position` may have one set aside
 * while there are at least that many copies free to set aside (the k-th in line meets the k-th copy).
 */
export const mayTakeCopy = (position: number, freeCopies: number): boolean => position >= 1 && position <= freeCopies;
