// 予約順位 that explains itself: an approximate wait (目安) from the position, the copies serving the queue,
// the loan period and the hold period, as a range of days; never a promise.

/** Calendar days a copy may stay set aside: `holdDays` opening days, counting about one closed day a week. */
const holdCalendarDays = (holdDays: number) => Math.ceil((holdDays * 7) / 6);

/**
 * The k-th in line waits for ceil(k / copies) rounds of the copies: a copy ahead may come back at once (the
 * short end) or only at the end of each loan and hold (the long end). Null when no copy serves the queue.
 */
export function estimatedWait(
  position: number | null,
  copies: number,
  loanDays: number,
  holdDays: number,
): { fromDays: number; toDays: number } | null {
  if (position === null || position < 1 || copies < 1) return null;
  const rounds = Math.ceil(position / copies);
  return { fromDays: (rounds - 1) * loanDays, toDays: rounds * (loanDays + holdCalendarDays(holdDays)) };
}
