// Hold deadlines (取置期限) in opening days of the library calendar.

/**
 * The last day a copy stays set aside: the `openingDays`-th opening day after the day it was set aside.
 * `openDates` lists the opening days in ascending order (from the library calendar).
 */
export function holdDeadline(setAsideOn: string, openingDays: number, openDates: readonly string[]): string | undefined {
  const after = openDates.filter((d) => d > setAsideOn);
  return after[openingDays - 1];
}
